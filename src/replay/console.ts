import { replayKey, splitKeys } from '../../views/replayKeys.js';
import type { ReplayView, TrainingView } from '../../views/replay.js';
import type { Annotations, DecisionPoint } from './annotations.js';
import { ReplayPlayer, SEEK_MS, type PlayerState } from './player.js';
import type { Recording } from './recording.js';
import { ReplaySession } from './session.js';
import { buildTimeline, type Timeline } from './timeline.js';
import { speedLabel, type Speed } from './timing.js';
import { debriefLines, feedbackLines, grade, score, type TrainingAnswer } from './training.js';

// `warroom replay` at a terminal: the real console re-rendered from the journal,
// on the recording's clock, with the replay's keys; `--train` stops at each
// decision point and asks (1-9), then explains and goes on.

export interface ReplayConsoleOptions {
  speed: Speed;
  annotations?: Annotations;
  stdout?: NodeJS.WriteStream;
  /** Where keys come from: a raw terminal (default process.stdin). */
  keys?: NodeJS.ReadStream;
}

export interface ReplayConsoleResult {
  /** Training only: the debrief, to print once the screen is gone. */
  debrief?: string[];
  passed: boolean;
}

/** The frame shown when the trainee is asked about journal line `seq`: the last one at or before it. */
export function frameForSeq(timeline: Timeline, seq: number): number {
  let found = 0;
  for (const [i, frame] of timeline.frames.entries()) {
    if (frame.seq > seq) break;
    found = i;
  }
  return found;
}

/** The replay's state as the screen shows it, and what keys do to it; no terminal needed (tests drive it directly). */
export class ReplayController {
  readonly session: ReplaySession;
  readonly player: ReplayPlayer;
  readonly answers: TrainingAnswer[] = [];
  private training: TrainingView | undefined;
  private asking: DecisionPoint | undefined;
  private view: ReplayView;
  private readonly listeners = new Set<() => void>();
  private finished = false;
  private resolveDone!: () => void;
  /** Resolves when the viewer quits (q, or any key on the training debrief). */
  readonly done = new Promise<void>((resolve) => (this.resolveDone = resolve));
  private readonly stops: Map<number, DecisionPoint>;

  constructor(
    readonly timeline: Timeline,
    private readonly options: { speed: Speed; annotations?: Annotations },
  ) {
    this.session = new ReplaySession(timeline);
    this.stops = new Map((options.annotations?.decisions ?? []).map((point) => [frameForSeq(timeline, point.seq), point]));
    this.player = new ReplayPlayer(this.session, { speed: options.speed, stops: [...this.stops.keys()], onStop: (frame) => this.ask(frame) });
    this.view = this.compose(this.player.getState());
    this.player.subscribe(() => this.update());
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  get = (): ReplayView => this.view;

  private compose(state: PlayerState): ReplayView {
    return {
      status: {
        playing: state.playing,
        speed: speedLabel(state.speed),
        at: state.at,
        length: state.length,
        seq: state.frame.seq,
        lines: this.timeline.entries.at(-1)?.seq ?? 0,
        ended: state.ended,
      },
      ...(this.training ? { training: this.training } : {}),
    };
  }

  private update(): void {
    const state = this.player.getState();
    const annotations = this.options.annotations;
    // Training: once the recording has ended with every question answered, the score takes the panel.
    if (annotations && state.ended && !this.asking && !this.training && this.answers.length >= this.stops.size) {
      const result = score(this.answers, annotations);
      this.training = {
        number: annotations.decisions.length,
        of: annotations.decisions.length,
        title: 'debrief',
        question: '',
        options: [],
        score: `Score: ${result.correct}/${result.total}, pass mark ${Math.round(result.passMark * 100)}%: ${result.passed ? 'PASSED' : 'NOT PASSED'} (the debrief follows when you leave)`,
      };
    }
    this.view = this.compose(state);
    for (const listener of this.listeners) listener();
  }

  private ask(frame: number): void {
    const point = this.stops.get(frame);
    if (!point) return this.player.release();
    const annotations = this.options.annotations!;
    this.asking = point;
    this.training = { number: annotations.decisions.indexOf(point) + 1, of: annotations.decisions.length, title: point.title, question: point.question, options: point.options };
    this.update();
  }

  start(): void {
    this.player.play();
  }

  /** One key from the terminal. */
  press(key: string): void {
    if (this.finished) return;
    const training = this.training;
    if (training?.score) return this.finish();
    if (training?.feedback) {
      this.training = undefined;
      this.update();
      this.player.release();
      return;
    }
    if (this.asking) {
      const name = replayKey(key, ['pick', 'quit']);
      if (name === 'quit') return this.finish();
      const answer = name === 'pick' ? this.asking.options[Number(key) - 1] : undefined;
      if (!answer) return;
      const result = grade(this.asking, answer, this.timeline.entries);
      this.answers.push(result);
      this.asking = undefined;
      this.training = { ...training!, feedback: feedbackLines(result) };
      this.update();
      return;
    }
    switch (replayKey(key)) {
      case 'quit':
        return this.finish();
      case 'pause':
        return this.player.toggle();
      case 'next':
        return this.player.nextMarker();
      case 'back':
        return this.player.seekBy(-SEEK_MS);
      case 'forward':
        return this.player.seekBy(SEEK_MS);
      case 'faster':
        return this.player.faster();
      case 'slower':
        return this.player.slower();
      default:
        return undefined;
    }
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.player.stop();
    this.resolveDone();
  }

  result(): ReplayConsoleResult {
    const annotations = this.options.annotations;
    if (!annotations) return { passed: true };
    return { debrief: debriefLines(this.answers, annotations), passed: score(this.answers, annotations).passed };
  }
}

export async function replayConsole(recording: Recording, options: ReplayConsoleOptions): Promise<ReplayConsoleResult> {
  const timeline = await buildTimeline(recording.entries);
  const controller = new ReplayController(timeline, { speed: options.speed, ...(options.annotations ? { annotations: options.annotations } : {}) });
  const { renderReplay } = await import('../../views/replay.js');
  const screen = renderReplay(controller.session, controller, { ...(options.stdout ? { stdout: options.stdout } : {}) });
  const keys = options.keys ?? process.stdin;
  const onData = (data: Buffer | string) => {
    for (const key of splitKeys(data.toString())) controller.press(key);
  };
  keys.setRawMode?.(true);
  keys.on('data', onData);
  keys.resume();
  controller.start();
  try {
    await controller.done;
  } finally {
    keys.off('data', onData);
    keys.setRawMode?.(false);
    keys.pause();
    screen.unmount();
  }
  return controller.result();
}
