import { createActor, fromCallback, fromPromise, type Actor } from 'xstate';
import type { ChecksInput, ChecksOutput, CommandInput } from '../../machines/actors.js';
import { releaseMachine } from '../../machines/release.js';
import { resumePoint, statePath, type PersistedRelease } from '../../machines/resume.js';
import type { ReadinessItem, SessionEvent } from '../../machines/types.js';
import type { JournalEntry } from '../journal/journal.js';
import type { Metric, Plan } from '../plan/schema.js';
import type { CheckResult, MetricSample } from '../probes/types.js';
import type { CommandRecord } from '../runner/types.js';
import type { OutputLine, ReleaseSnapshot } from '../../views/port.js';
import { readinessItems, scopeItems } from './checklist.js';
import type { OutputBatch, SessionStart } from './printed.js';
import { entryTimes } from './timing.js';

// Console replay re-drives the real release chart from the journal: nothing
// runs. Each invoked actor waits for the journal to say what it returned (a
// command's `command.end`, the `check` and `metric` lines of a check run);
// answers are sent where they were journaled, samples where they were taken,
// and the clock is the journal's timestamps. The journal's `transition` lines
// are the check: the chart must stand where the live one stood.

/** decision: a prompt or a rollback starts; answer: someone answered or decided. */
export type MarkerKind = 'phase' | 'gate' | 'decision' | 'answer' | 'halt' | 'ending';

export interface Marker {
  /** Frame (= journal entry) index. */
  index: number;
  kind: MarkerKind;
  label: string;
}

export interface Frame {
  /** Index into the recording's entries; the frame shows the session just after this entry. */
  index: number;
  seq: number;
  /** Milliseconds since the recording began. */
  at: number;
  snapshot: ReleaseSnapshot;
  /** Output lines and announcements shown once this entry is played. */
  output: number;
  announcements: number;
}

/** The chart could not follow the journal here; the screen shows the journal's state from then on. */
export interface Divergence {
  seq: number;
  expected: string;
  actual: string;
}

export interface Timeline {
  start: SessionStart;
  entries: readonly JournalEntry[];
  frames: Frame[];
  output: OutputLine[];
  announcements: string[];
  markers: Marker[];
  divergences: Divergence[];
}

type WorkSrc = 'checkReadiness' | 'confirmScope' | 'runChecks' | 'runCommand' | 'sampleMetrics';

interface PendingWork {
  src: WorkSrc;
  input: unknown;
  checks: CheckResult[];
  samples: MetricSample[];
  resolve(output: unknown): void;
  reject(error: Error): void;
}

const ERROR_TEXT = /Failed at (.+?)\. Reason: (.*)\. (?:Awaiting instructions|Rolling back per plan \(rollback\.auto\))\."$/;

/** `{a: {b: 'c'}}` from `a.b.c`. */
function valueOf(path: string): unknown {
  const parts = path.split('.');
  let value: unknown = parts.pop();
  for (const part of parts.reverse()) value = { [part]: value };
  return value;
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

class ChartFollower {
  private actor: Actor<typeof releaseMachine> | undefined;
  private pending: PendingWork | undefined;
  private lastHalt: { step: string; reason: string } | undefined;
  readonly divergences: Divergence[] = [];
  private readonly machine;

  constructor() {
    const work = <I, O>(src: WorkSrc) =>
      fromPromise<O, I>(
        ({ input, signal }) =>
          new Promise<O>((resolve, reject) => {
            const pending: PendingWork = { src, input, checks: [], samples: [], resolve: resolve as (o: unknown) => void, reject };
            this.pending = pending;
            signal.addEventListener('abort', () => {
              if (this.pending === pending) this.pending = undefined;
            });
          }),
      );
    this.machine = releaseMachine.provide({
      actors: {
        // The journal is the clock and the sampler: these only keep their place in the chart.
        clock: fromCallback(() => () => {}),
        soakSampler: fromCallback(() => () => {}),
        checkReadiness: work<{ plan: Plan }, ReadinessItem[]>('checkReadiness'),
        confirmScope: work<{ plan: Plan }, ReadinessItem[]>('confirmScope'),
        runChecks: work<ChecksInput, ChecksOutput>('runChecks'),
        runCommand: work<CommandInput, CommandRecord>('runCommand'),
        sampleMetrics: work<{ metrics: Metric[] }, MetricSample[]>('sampleMetrics'),
      },
    });
  }

  get snapshot(): ReleaseSnapshot | undefined {
    return this.actor?.getSnapshot();
  }

  private get path(): string {
    return this.actor ? statePath(this.actor.getSnapshot().value) : '';
  }

  start(start: SessionStart, now: number): void {
    this.actor = createActor(this.machine, { input: { plan: start.plan, operator: { user: start.operator }, evidenceDir: start.evidenceDir, now } });
    this.actor.start();
  }

  private restart(persisted: PersistedRelease): void {
    this.actor?.stop();
    this.pending = undefined;
    // Input is ignored when a snapshot is restored (as in src/session).
    this.actor = createActor(this.machine, { input: persisted.context as never, snapshot: persisted as never });
    this.actor.start();
  }

  /** When the chart next moves by the clock alone (a pause, an answer's timeout, the soak window's end). */
  private dueAt(): number | undefined {
    const snapshot = this.actor?.getSnapshot();
    if (!snapshot || snapshot.status !== 'active') return undefined;
    const { context } = snapshot;
    const times = [context.deadline];
    if (snapshot.matches({ stabilisation: 'soak' }) || snapshot.matches({ stabilisation: 'extendedSoak' })) times.push(context.soak?.endsAt);
    const due = times.filter((t): t is number => t !== undefined);
    return due.length ? Math.min(...due) : undefined;
  }

  /** Moves the chart's clock to `now`, but not past a deadline: whether it passed is the journal's to say. */
  tick(now: number): void {
    if (!this.actor || this.actor.getSnapshot().status !== 'active') return;
    const due = this.dueAt();
    const to = due !== undefined ? Math.min(now, due - 1) : now;
    if (to > this.actor.getSnapshot().context.now) this.actor.send({ type: 'TICK', now: to });
  }

  send(event: SessionEvent): void {
    const snapshot = this.actor?.getSnapshot();
    if (snapshot?.status === 'active' && snapshot.can(event)) this.actor!.send(event);
  }

  /** A metric reading: part of a check run or an analysis, or a soak window sample. */
  sample(sample: MetricSample): void {
    if (this.pending && (this.pending.src === 'runChecks' || this.pending.src === 'sampleMetrics')) {
      this.pending.samples.push(sample);
      return;
    }
    const snapshot = this.actor?.getSnapshot();
    if (snapshot && (snapshot.matches({ stabilisation: 'soak' }) || snapshot.matches({ stabilisation: 'extendedSoak' }))) this.send({ type: 'SAMPLE', sample });
  }

  check(result: CheckResult): void {
    if (this.pending && (this.pending.src === 'runChecks' || this.pending.src === 'checkReadiness')) this.pending.checks.push(result);
  }

  heardError(text: string): void {
    const match = ERROR_TEXT.exec(text);
    if (match) this.lastHalt = { step: match[1]!, reason: match[2]! };
  }

  async commandEnded(record: CommandRecord): Promise<void> {
    const pending = this.pending;
    if (pending?.src !== 'runCommand' || (pending.input as CommandInput).name !== record.name) return;
    this.pending = undefined;
    pending.resolve(record);
    await settle();
  }

  /** The work in flight returns what the journal says it returned, shaped so the chart goes where the journal went. */
  private async finishPending(to: string): Promise<void> {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    const halted = to.endsWith('halted');
    const reason = halted ? this.lastHalt?.reason : undefined;
    const { plan } = this.actor!.getSnapshot().context;
    switch (pending.src) {
      case 'checkReadiness':
        pending.resolve(readinessItems(plan, pending.checks, reason));
        break;
      case 'confirmScope':
        pending.resolve(scopeItems(plan, reason));
        break;
      case 'runChecks':
        pending.resolve({ checks: pending.checks, samples: pending.samples } satisfies ChecksOutput);
        break;
      case 'sampleMetrics':
        pending.resolve(pending.samples);
        break;
      case 'runCommand':
        // A command that never ended in the journal failed to start (or the session died).
        pending.reject(new Error(reason ?? `${(pending.input as CommandInput).name} did not finish`));
        break;
    }
    await settle();
  }

  /** The journal says the chart now stands at `to`: get it there, or say where it could not follow. */
  async transitioned(seq: number, to: string, now: number): Promise<void> {
    this.tick(now);
    if (this.path === to) return;
    await this.finishPending(to);
    if (this.path === to) return;
    const due = this.dueAt();
    if (due !== undefined) this.actor!.send({ type: 'TICK', now: Math.max(now, due) });
    if (this.path === to) return;
    this.divergences.push({ seq, expected: to, actual: this.path });
    const persisted = this.actor!.getPersistedSnapshot() as unknown as PersistedRelease;
    this.restart({ ...persisted, value: valueOf(to), children: {} });
  }

  /** `warroom resume`: the command that was running is interrupted, and the chart hears RESUMED. */
  resumed(data: { operator: string; from: string; interrupted: { step: string; reason: string } | null }): void {
    const persisted = this.actor?.getPersistedSnapshot() as unknown as PersistedRelease | undefined;
    if (!persisted || persisted.status !== 'active') return;
    const point = resumePoint(persisted);
    if (data.interrupted) this.restart(point.snapshot);
    this.send({ type: 'RESUMED', operator: data.operator, from: data.from, ...(data.interrupted ? { interrupted: data.interrupted } : {}) });
  }

  stop(): void {
    this.actor?.stop();
  }
}

function markerOf(entry: JournalEntry, index: number): Marker | undefined {
  switch (entry.type) {
    case 'announcement': {
      const { kind, text } = entry.data as { kind: string; text: string };
      const phase = /PHASE (\d) START/.exec(text);
      if (kind === 'phase-start' && phase) return { index, kind: 'phase', label: `Phase ${phase[1]} start` };
      if (kind === 'error') {
        const halt = ERROR_TEXT.exec(text);
        return { index, kind: 'halt', label: halt ? `Halt: ${halt[1]}` : 'Error' };
      }
      if (kind === 'approval-request') return { index, kind: 'decision', label: 'Production approval requested' };
      if (kind === 'acknowledgement-request') return { index, kind: 'decision', label: 'Change freeze acknowledgements requested' };
      if (kind === 'rollback' && /Rolling back/.test(text)) return { index, kind: 'decision', label: 'Rollback' };
      return undefined;
    }
    case 'gate': {
      const gate = entry.data as { title: string; verdict: string };
      return { index, kind: 'gate', label: `${gate.title}: ${gate.verdict}` };
    }
    case 'answer': {
      const event = entry.data as SessionEvent;
      const who = 'by' in event && event.by ? ` by ${event.by.name}` : event.type === 'APPROVAL' ? ` by ${event.approval.name}` : event.type === 'ACKNOWLEDGE' ? ` by ${event.acknowledgement.name}` : '';
      const what = event.type === 'APPROVAL' ? `Approval ${event.approval.decision}` : event.type === 'ACKNOWLEDGE' ? `Acknowledgement ${event.acknowledgement.decision}` : event.type;
      return { index, kind: 'answer', label: `${what}${who}` };
    }
    case 'session.end': {
      const end = entry.data as { outcome: string };
      return { index, kind: 'ending', label: `Ended: ${end.outcome}` };
    }
    default:
      return undefined;
  }
}

/** Builds every frame of the recording by re-driving the chart from the journal (fast: nothing waits). */
export async function buildTimeline(entries: readonly JournalEntry[]): Promise<Timeline> {
  const startIndex = entries.findIndex((e) => e.type === 'session.start');
  if (startIndex < 0) throw new Error('the recording has no session.start event');
  const start = entries[startIndex]!.data as SessionStart;
  const times = entryTimes(entries);
  const origin = Date.parse(entries[0]!.ts);
  const follower = new ChartFollower();
  const output: OutputLine[] = [];
  const announcements: string[] = [];
  const frames: Frame[] = [];
  const markers: Marker[] = [];
  try {
    for (const [index, entry] of entries.entries()) {
      const now = origin + times[index]!;
      switch (entry.type) {
        case 'session.start':
          if (!follower.snapshot) follower.start(start, now);
          break;
        case 'transition':
          await follower.transitioned(entry.seq, (entry.data as { to: string }).to, now);
          break;
        case 'answer':
          follower.tick(now);
          follower.send(entry.data as SessionEvent);
          break;
        case 'metric':
          follower.tick(now);
          follower.sample(entry.data as MetricSample);
          break;
        case 'check':
          follower.check((entry.data as { result: CheckResult }).result);
          break;
        case 'command.end':
          follower.tick(now);
          await follower.commandEnded(entry.data as CommandRecord);
          break;
        case 'session.resume':
          follower.tick(now);
          follower.resumed(entry.data as Parameters<ChartFollower['resumed']>[0]);
          break;
        case 'output': {
          const batch = entry.data as OutputBatch;
          for (const text of batch.lines) output.push({ step: batch.step, stream: batch.stream, text });
          break;
        }
        case 'announcement': {
          const { kind, text } = entry.data as { kind: string; text: string };
          announcements.push(text);
          if (kind === 'error') follower.heardError(text);
          break;
        }
        default:
          follower.tick(now);
      }
      const marker = markerOf(entry, index);
      if (marker) markers.push(marker);
      const snapshot = follower.snapshot;
      if (snapshot) frames.push({ index, seq: entry.seq, at: times[index]!, snapshot, output: output.length, announcements: announcements.length });
    }
  } finally {
    follower.stop();
  }
  return { start, entries, frames, output, announcements, markers, divergences: follower.divergences };
}
