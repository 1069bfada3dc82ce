import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createActor } from 'xstate';
import { releaseMachine } from '../../machines/release.js';
import type { Person, SessionEvent } from '../../machines/types.js';
import { approvalWaitingFor, describeRoles, outstandingRoles } from '../../machines/rules.js';
import type { ApprovalEntry } from '../plan/approvals-file.js';
import type { Plan } from '../plan/schema.js';
import { createOutputFilter } from '../safety/output.js';
import { writeFileAtomic } from '../evidence/writer.js';
import { writeEvidencePackage } from '../evidence/package.js';
import { sessionActorImplementations } from './actors.js';
import { answerEvents } from './answers.js';
import { Recorder } from './recorder.js';
import { exitCodeOf, outcomeOf, statePath, type ReleaseSnapshot } from './state.js';

// A headless session: the chart decides, this file carries its decisions to
// disk and to stdout, and stands in for the humans with the approvals file
// and the headless decision rule of SPEC section 2.

export interface SessionOptions {
  plan: Plan;
  planPath: string;
  planDir: string;
  planFile: string;
  evidenceDir: string;
  stateDir: string;
  answers: ApprovalEntry[];
  operator: string;
  /** One plain line of headless output. */
  print: (line: string) => void;
  env: NodeJS.ProcessEnv;
}

export interface SessionResult {
  sessionId: string;
  exitCode: number;
  outcome: string;
  state: string;
}

const INTERRUPT_GRACE_MS = 5_000;
const HEADLESS_RULE: Person = { name: 'headless decision rule', role: 'warroom', user: 'warroom', source: 'headless-rule' };

function sessionIdFor(plan: Plan): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  return `${plan.release.tag}-${stamp}-${randomBytes(2).toString('hex')}`;
}

export function runHeadlessSession(options: SessionOptions): Promise<SessionResult> {
  const { plan } = options;
  const sessionId = sessionIdFor(plan);
  const sessionDir = join(options.stateDir, sessionId);
  const recorder = new Recorder({ evidenceDir: options.evidenceDir, planFile: options.planFile, operator: options.operator });
  const secretValues = plan.secrets.env.map((name) => options.env[name]).filter((value): value is string => typeof value === 'string');
  const filter = createOutputFilter({ values: secretValues, patterns: plan.secrets.patterns });
  const commandEnv: Record<string, string> = {
    WARROOM_TAG: plan.release.tag,
    WARROOM_RELEASE: plan.release.name,
    WARROOM_ENV: plan.release.environment,
    WARROOM_EVIDENCE_DIR: options.evidenceDir,
  };

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
      env: commandEnv,
      recorder,
      filter,
      print: (step, line) => options.print(`${step} | ${line}`),
      track,
    }),
  });
  const actor = createActor(machine, {
    input: { plan, operator: { user: options.operator }, evidenceDir: options.evidenceDir, now: Date.now() },
  });

  // The resolved plan goes into the evidence: thresholds and roles the gates used can be checked later.
  recorder.event('session.start', { sessionId, planPath: options.planPath, operator: options.operator, evidenceDir: options.evidenceDir, plan }, true);
  writeFileAtomic(join(sessionDir, 'session.json'), `${JSON.stringify({ sessionId, planPath: options.planPath, evidenceDir: options.evidenceDir, pid: process.pid }, null, 2)}\n`);

  actor.on('announce', (event) => {
    const text = filter(event.text).evidence;
    recorder.announce(event.kind, text);
    options.print(text);
  });
  actor.on('evidence', (event) => {
    try {
      recorder.writeArtifacts(event.artifacts, event.context);
    } catch (error) {
      const failure: SessionEvent = { type: 'EVIDENCE_FAILED', path: event.artifacts.join(', '), error: (error as Error).message };
      queueMicrotask(() => actor.send(failure));
    }
  });

  /** Journal first: an answer is on disk before the chart hears it. */
  const answer = (event: SessionEvent) => {
    if (!actor.getSnapshot().can(event)) {
      recorder.event('answer.refused', event, true);
      options.print(`[${plan.announce.prefix} REFUSED] ${describeAnswer(event)}: not accepted by the plan (role, stakeholder or separation of duties)`);
      return;
    }
    recorder.event('answer', event, true);
    actor.send(event);
  };

  return new Promise<SessionResult>((resolveSession) => {
    let previous = '';
    let finished = false;

    const finish = async (snapshot: ReleaseSnapshot) => {
      if (finished) return;
      finished = true;
      process.off('SIGINT', interrupt).off('SIGTERM', interrupt).off('SIGHUP', hangup);
      const result: SessionResult = { sessionId, exitCode: exitCodeOf(snapshot), outcome: outcomeOf(snapshot), state: statePath(snapshot.value) };
      writeFileAtomic(join(sessionDir, 'snapshot.json'), JSON.stringify(actor.getPersistedSnapshot()));
      // Stopping the chart aborts its running actors, which kill their process groups; wait for them.
      actor.stop();
      await Promise.race([Promise.allSettled([...inflight]), new Promise((done) => setTimeout(done, INTERRUPT_GRACE_MS))]);
      recorder.writeArtifacts(['report', 'retrospective'], snapshot.context);
      recorder.event('session.end', result, true);
      recorder.close();
      // Released, rolled back or halted: the package is written either way, after the journal's last line.
      try {
        await writeEvidencePackage(options.evidenceDir);
      } catch (error) {
        options.print(`[${plan.announce.prefix} ERROR] - "Failed at writing DEPLOYMENT-EVIDENCE.zip. Reason: ${(error as Error).message}. Awaiting instructions."`);
        result.exitCode = Math.max(result.exitCode, 2);
      }
      resolveSession(result);
    };

    // Headless, nobody can be asked whether to abort: an interrupt stops here, resumable, with its evidence.
    const interrupt = (signal: NodeJS.Signals) => {
      const snapshot = actor.getSnapshot();
      recorder.event('session.interrupted', { signal, state: statePath(snapshot.value) }, true);
      options.print(`[${plan.announce.prefix} ERROR] - "Failed at ${statePath(snapshot.value)}. Reason: interrupted by ${signal}. Awaiting instructions."`);
      void finish(snapshot);
    };
    // A dropped terminal does not stop a release.
    const hangup = () => recorder.event('terminal.hangup', {}, true);
    process.once('SIGINT', interrupt).once('SIGTERM', interrupt).on('SIGHUP', hangup);

    // Stand in for the people: feed the approvals file, then apply the headless rule.
    const drive = (snapshot: ReleaseSnapshot) => {
      if (snapshot.status === 'done') return void finish(snapshot);
      if (snapshot.hasTag('awaiting-acknowledgement') || snapshot.hasTag('awaiting-approval')) {
        const kind = snapshot.hasTag('awaiting-approval') ? 'production' : 'freeze';
        recorder.event('prompt', { kind, state: statePath(snapshot.value), deadline: snapshot.context.deadline }, true);
        for (const event of answerEvents(options.answers, kind)) {
          if (!stillWaiting(actor.getSnapshot(), kind)) break;
          answer(event);
        }
        const now = actor.getSnapshot();
        if (stillWaiting(now, kind)) {
          const what = kind === 'production' ? 'production approval' : 'change-freeze acknowledgement';
          actor.send({ type: 'HALT', reason: `no one to ask in headless mode: ${what} still needed (${waitingText(now)}); supply it with --approvals` });
        }
        return;
      }
      if (snapshot.hasTag('halted')) {
        const rollback: SessionEvent = { type: 'ROLLBACK', by: HEADLESS_RULE, reason: `headless rule: rollback.auto after a failure at ${snapshot.context.halt?.step}` };
        if (snapshot.context.productionStarted && plan.rollback.auto && snapshot.can(rollback)) {
          recorder.event('answer', rollback, true);
          actor.send(rollback);
          return;
        }
        void finish(snapshot);
      }
    };

    actor.subscribe({
      next: (snapshot) => {
        const path = statePath(snapshot.value);
        if (path === previous) return;
        recorder.event('transition', { from: previous || null, to: path }, true);
        previous = path;
        writeFileAtomic(join(sessionDir, 'snapshot.json'), JSON.stringify(actor.getPersistedSnapshot()));
        // Decide after the chart has settled, never inside its transition.
        setImmediate(() => {
          if (!finished && statePath(actor.getSnapshot().value) === path) drive(actor.getSnapshot());
        });
      },
      error: (error) => {
        options.print(`[${plan.announce.prefix} ERROR] - "internal error: ${(error as Error).message}"`);
        void finish(actor.getSnapshot());
      },
    });
    actor.start();
  });
}

function stillWaiting(snapshot: ReleaseSnapshot, kind: 'production' | 'freeze'): boolean {
  return snapshot.hasTag(kind === 'production' ? 'awaiting-approval' : 'awaiting-acknowledgement');
}

function waitingText(snapshot: ReleaseSnapshot): string {
  const context = snapshot.context;
  if (snapshot.hasTag('awaiting-approval')) return approvalWaitingFor(context);
  return describeRoles(context.plan, outstandingRoles(context.plan.freeze.acknowledge, context.acknowledgements));
}

function describeAnswer(event: SessionEvent): string {
  if (event.type === 'APPROVAL') return `production ${event.approval.decision} by ${event.approval.name} (${event.approval.role}, ${event.approval.user})`;
  if (event.type === 'ACKNOWLEDGE') return `freeze acknowledgement by ${event.acknowledgement.name} (${event.acknowledgement.role})`;
  return event.type;
}
