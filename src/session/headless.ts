import { approvalWaitingFor, describeRoles, outstandingRoles } from '../../machines/rules.js';
import type { Person, SessionEvent } from '../../machines/types.js';
import { answerEvents } from './answers.js';
import type { Restored } from './restore.js';
import { warmUpCommands } from '../runner/command.js';
import { startSession, type Session, type SessionOptions, type SessionResult } from './session.js';
import { statePath, type ReleaseSnapshot } from './state.js';

// The headless driver stands in for the people: it offers the approvals file to
// every prompt, then applies SPEC section 2's rule where nobody can be asked.

const HEADLESS_RULE: Person = { name: 'headless decision rule', role: 'warroom', user: 'warroom', source: 'headless-rule' };

/** Offers the approvals file to an open prompt; true when the prompt is still open afterwards. */
export function offerApprovalsFile(session: Session, snapshot: ReleaseSnapshot): boolean {
  const kind = snapshot.hasTag('awaiting-approval') ? 'production' : 'freeze';
  const open = () => actorWaits(session.getSnapshot(), kind);
  session.journal('prompt', { kind, deadline: snapshot.context.deadline });
  for (const event of answerEvents(session.options.answers, kind)) {
    if (!open()) break;
    if (!session.send(event)) refused(session, event);
  }
  return open();
}

export function isPrompt(snapshot: ReleaseSnapshot): boolean {
  return snapshot.hasTag('awaiting-approval') || snapshot.hasTag('awaiting-acknowledgement');
}

export function runHeadlessSession(options: SessionOptions, restored?: Restored): Promise<SessionResult> {
  const session = startSession(options, restored);
  const prefix = options.plan.announce.prefix;
  const print = (text: string) => options.print?.line(text);

  session.onStateChange((snapshot) => {
    if (snapshot.status === 'done') return void session.end();
    // Someone attached who may answer is someone to ask: the session waits for them (the chart's own deadline still runs).
    const answerers = session.attendees().filter((a) => a.role !== 'observer');
    if (isPrompt(snapshot)) {
      if (offerApprovalsFile(session, snapshot) && answerers.length === 0) {
        const now = session.getSnapshot();
        const what = now.hasTag('awaiting-approval') ? 'production approval' : 'change-freeze acknowledgement';
        session.send({ type: 'HALT', reason: `no one to ask in headless mode: ${what} still needed (${waitingText(now)}); supply it with --approvals` });
      }
      return;
    }
    if (snapshot.hasTag('halted') && !answerers.some((a) => a.role === 'driver')) {
      const rollback: SessionEvent = { type: 'ROLLBACK', by: HEADLESS_RULE, reason: `headless rule: rollback.auto after a failure at ${snapshot.context.halt?.step}` };
      if (snapshot.context.productionStarted && options.plan.rollback.auto && session.send(rollback)) return;
      void session.end();
    }
  });

  // Headless, nobody can be asked whether to abort: an interrupt stops here, resumable, with its evidence.
  const interrupt = (signal: NodeJS.Signals) => {
    const where = statePath(session.getSnapshot().value);
    session.journal('session.interrupted', { signal });
    print(`[${prefix} ERROR] - "Failed at ${where}. Reason: interrupted by ${signal}. Awaiting instructions."`);
    void session.end();
  };
  // A dropped terminal does not stop a release.
  const hangup = () => session.journal('terminal.hangup', {});
  process.once('SIGINT', interrupt).once('SIGTERM', interrupt).on('SIGHUP', hangup);
  void session.done.then(() => process.off('SIGINT', interrupt).off('SIGTERM', interrupt).off('SIGHUP', hangup));

  session.start();
  // No screen to draw first: load what commands need now, not when the first one starts.
  warmUpCommands();
  return session.done;
}

function actorWaits(snapshot: ReleaseSnapshot, kind: 'production' | 'freeze'): boolean {
  return snapshot.hasTag(kind === 'production' ? 'awaiting-approval' : 'awaiting-acknowledgement');
}

function waitingText(snapshot: ReleaseSnapshot): string {
  const context = snapshot.context;
  if (snapshot.hasTag('awaiting-approval')) return approvalWaitingFor(context);
  return describeRoles(context.plan, outstandingRoles(context.plan.freeze.acknowledge, context.acknowledgements));
}

function refused(session: Session, event: SessionEvent): void {
  const prefix = session.options.plan.announce.prefix;
  const who =
    event.type === 'APPROVAL'
      ? `production ${event.approval.decision} by ${event.approval.name} (${event.approval.role}, ${event.approval.user})`
      : event.type === 'ACKNOWLEDGE'
        ? `freeze acknowledgement by ${event.acknowledgement.name} (${event.acknowledgement.role})`
        : event.type;
  session.options.print?.line(`[${prefix} REFUSED] ${who}: not accepted by the plan (role, stakeholder or separation of duties)`);
}
