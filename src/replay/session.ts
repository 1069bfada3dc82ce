import type { ConsoleSession, LineTail, OutputLine, ReleaseSnapshot } from '../../views/port.js';
import type { Frame, Timeline } from './timeline.js';

// The console's port over a timeline: the screen of the recorded session at a
// chosen moment. Nothing is sent anywhere; seeking back is as cheap as forward.

/** A window on an array that only ever shows its first `count` items. */
export class ArrayTail<T> implements LineTail<T> {
  version = 0;
  private count = 0;

  constructor(private readonly items: readonly T[]) {}

  get total(): number {
    return this.count;
  }

  show(count: number): void {
    const next = Math.max(0, Math.min(count, this.items.length));
    if (next === this.count) return;
    this.count = next;
    this.version += 1;
  }

  tail(count: number): readonly T[] {
    return this.items.slice(Math.max(0, this.count - count), this.count);
  }
}

export class ReplaySession implements ConsoleSession {
  readonly output: ArrayTail<OutputLine>;
  readonly announcements: ArrayTail<string>;
  readonly operator: string;
  readonly evidenceDir: string;
  readonly resumeCommand = 'this is a replay: nothing runs, nothing to resume';
  private position = 0;
  /** Grows with every change on screen (frame or revealed lines): a wrapper re-renders the whole console on it. */
  version = 0;
  private readonly listeners = new Set<() => void>();

  constructor(readonly timeline: Timeline) {
    if (timeline.frames.length === 0) throw new Error('the recording has no frames');
    this.output = new ArrayTail(timeline.output);
    this.announcements = new ArrayTail(timeline.announcements);
    this.operator = timeline.start.operator;
    this.evidenceDir = timeline.start.evidenceDir;
    this.show(0);
  }

  /** The frame shown now. */
  get frame(): Frame {
    return this.timeline.frames[this.position]!;
  }

  get frameIndex(): number {
    return this.position;
  }

  /** Shows frame `index`; `output` reveals only part of the next output batch (lines arriving while the command ran). */
  show(index: number, output?: number): void {
    const position = Math.max(0, Math.min(index, this.timeline.frames.length - 1));
    const frame = this.timeline.frames[position]!;
    const changed = position !== this.position;
    this.position = position;
    const before = this.output.version + this.announcements.version;
    this.output.show(output ?? frame.output);
    this.announcements.show(frame.announcements);
    if (!changed && before === this.output.version + this.announcements.version) return;
    this.version += 1;
    for (const listener of this.listeners) listener();
  }

  getSnapshot = (): ReleaseSnapshot => this.frame.snapshot;

  getVersion = (): number => this.version;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** A replay answers nothing: what was decided is in the journal. */
  send(): boolean {
    return false;
  }

  attendees(): readonly [] {
    return [];
  }
}
