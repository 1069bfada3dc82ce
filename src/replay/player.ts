import type { ReplaySession } from './session.js';
import type { Frame, Marker } from './timeline.js';
import { stepSpeed, type Speed } from './timing.js';

// Plays a timeline on the recording's clock at a speed, with pause, seek and
// jumps to the next phase, gate or decision. Training stops the play at each
// decision point until the trainee has answered.

export interface PlayerState {
  playing: boolean;
  speed: Speed;
  /** Recording time shown, ms since the recording began. */
  at: number;
  /** Recording length, ms. */
  length: number;
  frame: Frame;
  frames: number;
  /** Where play stopped for a decision point (frame index), until `release`d. */
  stoppedAt?: number;
  ended: boolean;
}

/** How far b/← and f/→ move, in recording time. */
export const SEEK_MS = 10_000;
/** While a command's output is revealed line by line, the screen is refreshed this often. */
const REVEAL_MS = 100;
/** Longest sleep between checks, so a speed change or a seek takes effect promptly. */
const MAX_SLEEP_MS = 1_000;

export class ReplayPlayer {
  private speed: Speed;
  private playing = false;
  private anchorWall = 0;
  private anchorAt = 0;
  private at: number;
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<() => void>();
  private readonly frames: readonly Frame[];
  private readonly stops: number[];
  private stoppedAt: number | undefined;
  private state: PlayerState;

  constructor(
    private readonly session: ReplaySession,
    options: { speed: Speed; stops?: number[]; onStop?: (frame: number) => void },
  ) {
    this.frames = session.timeline.frames;
    this.speed = options.speed;
    this.stops = [...(options.stops ?? [])].sort((a, b) => a - b);
    this.onStop = options.onStop ?? (() => {});
    this.at = this.frames[session.frameIndex]!.at;
    this.state = this.snapshotState();
  }

  private readonly onStop: (frame: number) => void;

  private snapshotState(): PlayerState {
    const frame = this.session.frame;
    return {
      playing: this.playing,
      speed: this.speed,
      at: this.at,
      length: this.frames.at(-1)!.at,
      frame,
      frames: this.frames.length,
      ...(this.stoppedAt !== undefined ? { stoppedAt: this.stoppedAt } : {}),
      ended: this.session.frameIndex === this.frames.length - 1,
    };
  }

  getState = (): PlayerState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private changed(): void {
    this.state = this.snapshotState();
    for (const listener of this.listeners) listener();
  }

  play(): void {
    if (this.stoppedAt !== undefined) return;
    if (this.session.frameIndex === this.frames.length - 1) return this.changed();
    this.playing = true;
    this.anchor();
    this.schedule(0);
    this.changed();
  }

  pause(): void {
    this.playing = false;
    this.clear();
    this.changed();
  }

  toggle(): void {
    if (this.playing) this.pause();
    else this.play();
  }

  faster(): void {
    this.setSpeed(stepSpeed(this.speed, 1));
  }

  slower(): void {
    this.setSpeed(stepSpeed(this.speed, -1));
  }

  setSpeed(speed: Speed): void {
    this.speed = speed;
    this.anchor();
    if (this.playing) this.schedule(0);
    this.changed();
  }

  /** Moves by recording time (b/← and f/→); always at least one event. */
  seekBy(ms: number): void {
    const current = this.session.frameIndex;
    let target = this.frameAt(this.at + ms);
    if (target === current) target = current + Math.sign(ms);
    this.goTo(target);
  }

  /** The next phase start, gate, halt or decision after the frame shown (n). */
  nextMarker(kinds?: Marker['kind'][]): void {
    const index = this.session.frame.index;
    const marker = this.session.timeline.markers.find((m) => m.index > index && (!kinds || kinds.includes(m.kind)));
    this.goTo(marker ? this.frameOfEntry(marker.index) : this.frames.length - 1);
  }

  /** After the trainee answered: play goes on past this decision point. */
  release(): void {
    if (this.stoppedAt === undefined) return;
    const stop = this.stoppedAt;
    this.stoppedAt = undefined;
    const at = this.stops.indexOf(stop);
    if (at >= 0) this.stops.splice(at, 1);
    this.play();
  }

  stop(): void {
    this.playing = false;
    this.clear();
  }

  /** Shows frame `target`, never past the next decision point still to be answered. */
  goTo(target: number): void {
    const current = this.session.frameIndex;
    let frame = Math.max(0, Math.min(target, this.frames.length - 1));
    const stop = this.stops.find((s) => s > current && s <= frame) ?? (this.stops.includes(frame) ? frame : undefined);
    if (stop !== undefined && frame >= stop) frame = stop;
    this.session.show(frame);
    this.at = this.frames[frame]!.at;
    this.anchor();
    if (stop === frame) return this.reachedStop(frame);
    if (frame === this.frames.length - 1) {
      this.playing = false;
      this.clear();
    } else if (this.playing) this.schedule(0);
    this.changed();
  }

  private reachedStop(frame: number): void {
    this.playing = false;
    this.clear();
    this.stoppedAt = frame;
    this.changed();
    this.onStop(frame);
  }

  private frameOfEntry(index: number): number {
    const found = this.frames.findIndex((f) => f.index >= index);
    return found < 0 ? this.frames.length - 1 : found;
  }

  /** The last frame at or before recording time `at` (binary search: recordings can be long). */
  private frameAt(at: number): number {
    let low = 0;
    let high = this.frames.length - 1;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (this.frames[mid]!.at <= at) low = mid;
      else high = mid - 1;
    }
    return low;
  }

  private anchor(): void {
    this.anchorWall = performance.now();
    this.anchorAt = this.at;
  }

  private clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    this.clear();
    this.timer = setTimeout(() => this.advance(), ms);
  }

  /** One step of play: show what the recording's clock has reached, then sleep until the next thing to show. */
  private advance(): void {
    this.timer = undefined;
    if (!this.playing) return;
    const current = this.session.frameIndex;
    if (this.speed === 'max') return this.goTo(this.frames.length - 1);
    this.at = this.anchorAt + (performance.now() - this.anchorWall) * this.speed;
    let frame = this.frameAt(this.at);
    const stop = this.stops.find((s) => s > current && s <= frame);
    if (stop !== undefined) frame = stop;
    if (frame === this.frames.length - 1 || stop !== undefined) {
      this.at = Math.max(this.at, this.frames[frame]!.at);
      return this.goTo(frame);
    }
    const next = this.frames[frame + 1]!;
    const shown = this.frames[frame]!;
    // The next output batch arrived over the time since this frame: reveal it line by line.
    const batch = next.output - shown.output;
    const span = next.at - shown.at;
    const revealing = batch > 0 && span > 0;
    const partial = revealing ? Math.floor((batch * (this.at - shown.at)) / span) : 0;
    this.session.show(frame, shown.output + partial);
    this.changed();
    const untilNext = (next.at - this.at) / this.speed;
    this.schedule(Math.max(1, Math.min(revealing ? REVEAL_MS : untilNext, MAX_SLEEP_MS, untilNext)));
  }
}
