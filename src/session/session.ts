import { createHash, randomBytes } from 'node:crypto';
import { chownSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createActor } from 'xstate';
import { releaseMachine } from '../../machines/release.js';
import type { AnnouncementKind, Person, SessionEvent } from '../../machines/types.js';
import type { JournalEntry } from '../journal/journal.js';
import { OUTPUT, rangeLogs, withRangesRead, type OutputBatch } from '../journal/output.js';
import type { ConsoleSession, OutputLine } from '../../views/port.js';
import type { ApprovalEntry } from '../plan/approvals-file.js';
import type { Plan } from '../plan/schema.js';
import { createOutputFilter, plainLines } from '../safety/output.js';
import { writeEvidencePackage } from '../evidence/package.js';
import { writeFileAtomic } from '../evidence/writer.js';
import { createNotifier } from '../notify/webhook.js';
import { groupId, serveSession, type ServedSession } from '../attach/server.js';
import { sessionActorImplementations } from './actors.js';
import { Recorder } from './recorder.js';
import { resumeCommandFor, type Restored } from './restore.js';
import { exitCodeOf, outcomeOf, statePath, type ReleaseSnapshot } from './state.js';
import { OutputTail, RingTail } from './tail.js';
import type { Printer } from '../runner/lines.js';

// A running session: the chart with its real actors, recorded as it goes.
// Drivers (headless, console) watch it and answer for the people.

export interface SessionOptions {
  plan: Plan;
  planPath: string;
  planDir: string;
  planFile: string;
  evidenceDir: string;
  stateDir: string;
  answers: ApprovalEntry[];
  operator: string;
  /** Where plain lines go (headless), or nowhere when a console shows the tails. */
  print?: Printer;
  env: NodeJS.ProcessEnv;
  /** `resume --on-interrupted`: what to do with a command that was running when the session died (default: halt and ask). */
  onInterrupted?: InterruptedChoice;
}

export type InterruptedChoice = 'retry' | 'rollback' | 'abort';

function interruptedDecision(choice: InterruptedChoice, operator: string): SessionEvent {
  const by: Person = { name: operator, role: 'operator', user: operator, source: 'command-line' };
  const reason = `resume --on-interrupted ${choice}`;
  if (choice === 'retry') return { type: 'RETRY', by };
  return { type: choice === 'rollback' ? 'ROLLBACK' : 'ABORT', by, reason };
}

export interface SessionResult {
  sessionId: string;
  exitCode: number;
  outcome: string;
  state: string;
  /** The chart reached an ending (released, rolled back, aborted): nothing left to resume. */
  final: boolean;
  /** Why the session stopped by itself: its record could not be written (a full disk). */
  error?: string;
}

export interface Session extends ConsoleSession {
  sessionId: string;
  options: SessionOptions;
  /** Called once the chart has settled after a change of state (not on every tick). */
  onStateChange(listener: (snapshot: ReleaseSnapshot) => void): void;
  /** Starts the chart: register drivers first. */
  start(): void;
  /** Journals and sends; false (and journaled as refused) when the chart would not take it. */
  send(event: SessionEvent): boolean;
  /** Ends the session where it stands: report, journal end, evidence package. */
  end(): Promise<SessionResult>;
  /** Resolves when the session has ended, however it ended. */
  done: Promise<SessionResult>;
  /** Resolves, with the reason, if the session stops because its record cannot be written; never otherwise. */
  writeFailure: Promise<string>;
  /** Says something as the session (to screen, communication log, webhooks) that is not the chart's. */
  announce(kind: AnnouncementKind, text: string): void;
  journal(type: string, data: unknown): void;
}

const OUTPUT_TAIL = 2_000;
/** sun_path holds 108 bytes on Linux: a deep state folder gets its socket in the temp folder instead. */
const SOCKET_PATH_MAX = 100;

function socketPathFor(sessionDir: string): string {
  const beside = join(sessionDir, 'session.sock');
  if (Buffer.byteLength(beside) <= SOCKET_PATH_MAX) return beside;
  return join(tmpdir(), `warroom-${createHash('sha256').update(sessionDir).digest('hex').slice(0, 16)}.sock`);
}
const ANNOUNCEMENT_TAIL = 200;
const STOP_GRACE_MS = 5_000;
/** At the end, how long queued webhook posts may still take before they are given up (and logged). */
const NOTIFY_DRAIN_MS = 5_000;

function sessionIdFor(plan: Plan): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  return `${plan.release.tag}-${stamp}-${randomBytes(2).toString('hex')}`;
}

/** The screen's tails after a resume start where the journal left off (output by reference read from the logs). */
function seedTails(entries: JournalEntry[], evidenceDir: string, output: OutputTail, announcements: RingTail<string>): void {
  const logs = new Map<string, Buffer | undefined>();
  for (const log of rangeLogs(entries)) {
    try {
      logs.set(log, readFileSync(join(evidenceDir, log)));
    } catch {
      logs.set(log, undefined);
    }
  }
  for (const entry of withRangesRead(entries, logs)) {
    if (entry.type === 'announcement') announcements.push((entry.data as { text: string }).text);
    if (entry.type === OUTPUT) {
      const batch = entry.data as OutputBatch;
      // Journaled output is the evidence text: what the console shows again after a resume.
      output.push(batch.step, batch.stream, plainLines(batch.lines));
    }
  }
}

/** Starts a session, or continues a stopped one from its journal and last snapshot (`restored`). */
export function startSession(options: SessionOptions, restored?: Restored): Session {
  const { plan } = options;
  const sessionId = restored?.sessionId ?? sessionIdFor(plan);
  const sessionDir = join(options.stateDir, sessionId);
  // A session that cannot write its record stops where it stands, resumable once there is room again.
  let writeFailure: string | undefined;
  let failedWriting!: (reason: string) => void;
  const writeFailed = new Promise<string>((resolve) => (failedWriting = resolve));
  const cannotWrite = (file: string, error: Error): void => {
    if (writeFailure !== undefined) return;
    writeFailure = `cannot write ${file}: ${error.message}`;
    // Outside the write that failed, which may be inside a transition: the session stops from the top.
    setImmediate(() => {
      print.line(`[${plan.announce.prefix} ERROR] - "Failed at ${statePath(actor.getSnapshot().value)}. Reason: ${writeFailure}. Awaiting instructions."`);
      failedWriting(writeFailure!);
      void end();
    });
  };
  const secretValues = plan.secrets.env.map((name) => options.env[name]).filter((value): value is string => typeof value === 'string');
  const filter = createOutputFilter({ values: secretValues, patterns: plan.secrets.patterns });
  const recorder = new Recorder({ evidenceDir: options.evidenceDir, mask: filter.mask, planFile: options.planFile, operator: options.operator, history: restored?.entries ?? [], onWriteFailure: cannotWrite });
  const output = new OutputTail(OUTPUT_TAIL);
  const announcements = new RingTail<string>(ANNOUNCEMENT_TAIL);
  const print = options.print ?? { line: () => {}, output: () => {} };
  if (restored) seedTails(restored.entries, options.evidenceDir, output, announcements);

  const inflight = new Set<Promise<unknown>>();
  const track = <T>(work: Promise<T>): Promise<T> => {
    inflight.add(work);
    const settle = () => inflight.delete(work);
    work.then(settle, settle);
    return work;
  };
  const machine = releaseMachine.provide({
    actors: sessionActorImplementations({
      planDir: options.planDir,
      env: {
        WARROOM_TAG: plan.release.tag,
        WARROOM_RELEASE: plan.release.name,
        WARROOM_ENV: plan.release.environment,
        WARROOM_EVIDENCE_DIR: options.evidenceDir,
      },
      recorder,
      filter,
      print: (step, lines, stream) => {
        output.push(step, stream, lines);
        print.output(`${step} | `, lines);
      },
      track,
      checkpoint: () => checkpoint(),
    }),
  });
  // Input is ignored when a snapshot is restored.
  const actor = createActor(machine, {
    input: { plan, operator: { user: options.operator }, evidenceDir: options.evidenceDir, now: Date.now() },
    ...(restored ? { snapshot: restored.point.snapshot as never } : {}),
  });

  // The snapshot says where the chart stood after journal line `seq`; resume replays what came after it.
  const checkpoint = () => {
    try {
      writeFileAtomic(join(sessionDir, 'snapshot.json'), JSON.stringify({ seq: recorder.journal.lastSeq, snapshot: actor.getPersistedSnapshot() }));
    } catch (error) {
      cannotWrite('snapshot.json', error as Error);
    }
  };
  let checkpointed = -1;

  if (restored) {
    recorder.event('session.resume', { sessionId, operator: options.operator, from: restored.point.from, interrupted: restored.point.interrupted ?? null, tornBytesDropped: restored.tornBytes, pid: process.pid }, true);
  } else {
    // The resolved plan goes into the evidence: thresholds and roles the gates used can be checked later.
    recorder.event('session.start', { sessionId, planPath: options.planPath, operator: options.operator, evidenceDir: options.evidenceDir, plan }, true);
  }
  const socket = socketPathFor(sessionDir);
  writeFileAtomic(
    join(sessionDir, 'session.json'),
    `${JSON.stringify({ sessionId, planPath: options.planPath, planDir: options.planDir, planFile: options.planFile, evidenceDir: options.evidenceDir, pid: process.pid, socket }, null, 2)}\n`,
  );
  // Others may attach: the session group (plan's session.group) may read the session folder to find the socket.
  const group = plan.session.group ? groupId(plan.session.group) : undefined;
  if (group !== undefined) for (const path of [sessionDir, join(sessionDir, 'session.json')]) chownSync(path, -1, group);
  let served: ServedSession | undefined;

  // Webhooks get what the communication log gets; their failures go to that log, never back to the webhooks.
  const notifier = createNotifier(
    plan.notify,
    { release: plan.release.name, tag: plan.release.tag, environment: plan.release.environment, sessionId },
    { onFailure: (message) => recorder.note(message), onRecovery: (message) => recorder.note(message) },
  );
  let announced = restored?.entries.filter((entry) => entry.type === 'announcement').length ?? 0;
  const announce = (kind: AnnouncementKind, raw: string): void => {
    const text = filter(raw).evidence;
    recorder.announce(kind, text);
    notifier.send({ kind, text, at: new Date().toISOString(), seq: (announced += 1) });
    announcements.push(text);
    print.line(text);
  };
  actor.on('announce', (event) => announce(event.kind, event.text));
  actor.on('evidence', (event) => {
    try {
      recorder.writeArtifacts(event.artifacts, event.context);
    } catch (error) {
      const failure: SessionEvent = { type: 'EVIDENCE_FAILED', path: event.artifacts.join(', '), error: (error as Error).message };
      queueMicrotask(() => actor.send(failure));
    }
  });

  const stateListeners: Array<(snapshot: ReleaseSnapshot) => void> = [];
  const changeListeners = new Set<() => void>();
  let resolveDone!: (result: SessionResult) => void;
  const done = new Promise<SessionResult>((resolve) => (resolveDone = resolve));
  let ending: Promise<SessionResult> | undefined;
  let previous = restored ? statePath(restored.point.snapshot.value) : '';

  const end = (): Promise<SessionResult> => {
    ending ??= (async () => {
      const snapshot = actor.getSnapshot();
      const result: SessionResult = { sessionId, exitCode: exitCodeOf(snapshot), outcome: outcomeOf(snapshot), state: statePath(snapshot.value), final: snapshot.status === 'done' };
      // A session that could not write its record is not over, whatever the chart reached: it is resumed.
      const stoppedWriting = () => {
        if (writeFailure !== undefined) Object.assign(result, { exitCode: 2, final: false, error: writeFailure });
      };
      checkpoint();
      // Stopping the chart aborts its running actors, which kill their process groups; wait for them.
      actor.stop();
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...inflight]), new Promise((resolve) => (grace = setTimeout(resolve, STOP_GRACE_MS)))]);
      // A pending grace timer would keep the process alive for seconds after its evidence is written.
      clearTimeout(grace);
      await notifier.drain(NOTIFY_DRAIN_MS);
      try {
        recorder.writeArtifacts(['report', 'retrospective'], snapshot.context);
      } catch (error) {
        cannotWrite('the report', error as Error);
      }
      stoppedWriting();
      await served?.close(result);
      recorder.event('session.end', result, true);
      recorder.close();
      // Released, rolled back or halted: the package is written either way, after the journal's last line.
      try {
        await writeEvidencePackage(options.evidenceDir);
      } catch (error) {
        print.line(`[${plan.announce.prefix} ERROR] - "Failed at writing DEPLOYMENT-EVIDENCE.zip. Reason: ${(error as Error).message}. Awaiting instructions."`);
        result.exitCode = Math.max(result.exitCode, 2);
      }
      stoppedWriting();
      resolveDone(result);
      return result;
    })();
    return ending;
  };

  const send = (event: SessionEvent): boolean => {
    // Journal first: an answer is on disk before the chart hears it.
    if (ending || !actor.getSnapshot().can(event)) {
      recorder.event('answer.refused', event, true);
      return false;
    }
    recorder.event('answer', event, true);
    actor.send(event);
    return true;
  };

  // Drivers decide after the chart has settled, never inside its transition.
  const notifySettled = (path: string) =>
    setImmediate(() => {
      if (ending || statePath(actor.getSnapshot().value) !== path) return;
      for (const listener of stateListeners) listener(actor.getSnapshot());
    });

  actor.subscribe({
    next: (snapshot) => {
      for (const listener of changeListeners) listener();
      const path = statePath(snapshot.value);
      if (path === previous) {
        // Answers and samples change the context without a transition: keep the snapshot in step with the journal.
        if (!ending && recorder.journal.lastSeq !== checkpointed) {
          checkpointed = recorder.journal.lastSeq;
          checkpoint();
        }
        return;
      }
      recorder.event('transition', { from: previous || null, to: path }, true);
      previous = path;
      checkpointed = recorder.journal.lastSeq;
      checkpoint();
      notifySettled(path);
    },
    error: (error) => {
      print.line(`[${plan.announce.prefix} ERROR] - "internal error: ${(error as Error).message}"`);
      void end();
    },
  });

  const session: Session = {
    sessionId,
    options,
    operator: options.operator,
    evidenceDir: options.evidenceDir,
    resumeCommand: resumeCommandFor(sessionDir),
    output,
    announcements,
    done,
    writeFailure: writeFailed,
    getSnapshot: () => actor.getSnapshot(),
    subscribe: (listener) => {
      changeListeners.add(listener);
      return () => changeListeners.delete(listener);
    },
    onStateChange: (listener) => {
      stateListeners.push(listener);
    },
    start: () => {
      actor.start();
      serveSession(session, socket, () => {
        for (const listener of changeListeners) listener();
      }).then(
        (server) => {
          served = server;
          if (ending) void server.close();
        },
        (error: Error) => announce('error', `[${plan.announce.prefix} ERROR] - "Failed at opening the session socket ${socket}. Reason: ${error.message}. Nobody can attach; the release goes on."`),
      );
      if (!restored) return;
      // What was journaled after the snapshot was written happened: the chart hears it again, then the resume.
      for (const event of restored.trailing) {
        if (actor.getSnapshot().can(event)) {
          recorder.event('answer.restored', event, true);
          actor.send(event);
        }
      }
      actor.send({ type: 'RESUMED', operator: options.operator, from: restored.point.from, ...(restored.point.interrupted ? { interrupted: restored.point.interrupted } : {}) });
      if (options.onInterrupted && actor.getSnapshot().hasTag('interrupted')) send(interruptedDecision(options.onInterrupted, options.operator));
      // A resumed session may already wait for someone: drivers look once, as after any change of state.
      if (statePath(actor.getSnapshot().value) === statePath(restored.point.snapshot.value)) notifySettled(previous);
    },
    send,
    end,
    announce,
    attendees: () => served?.participants() ?? [],
    journal: (type, data) => recorder.event(type, data, true),
  };
  return session;
}
