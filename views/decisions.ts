import { outstandingRoles, productionRoles } from '../machines/rules.js';
import type { Approval, Person, SessionContext, SessionEvent } from '../machines/types.js';
import { activityOf, statePath } from './describe.js';
import type { ReleaseSnapshot } from './port.js';

// What the operator may decide right now, asked of the chart itself
// (`snapshot.can(event)`): the console offers exactly what the chart would take.

export type DecisionKind = 'approve' | 'acknowledge' | 'retry' | 'waive' | 'rollback' | 'abort' | 'extend';

export interface DecisionOption {
  kind: DecisionKind;
  label: string;
  /** Who may take it, when someone must be picked (approvers, acknowledgers, a waiver's approver). */
  people?: Person[];
  /** Typed before sending: the release tag (approvals), a reason (waivers). */
  needs: 'tag' | 'reason' | 'nothing';
  /** Asks "are you sure?" before sending (roll back, abort). */
  confirm: boolean;
}

export interface Question {
  /** Changes whenever the chart asks something new: a half-answered prompt starts again. */
  key: string;
  kind: 'approval' | 'acknowledgement' | 'halt';
  title: string;
  options: DecisionOption[];
}

const asPerson = (s: { name: string; role: string; user: string }): Person => ({ name: s.name, role: s.role, user: s.user, source: 'console' });

/** The operator as a Person: their stakeholder entry when they have one. */
export function operatorPerson(context: SessionContext, login: string): Person {
  const stakeholder = context.plan.stakeholders.find((s) => s.user === login);
  return stakeholder ? asPerson(stakeholder) : { name: context.operator.name ?? login, role: 'operator', user: login, source: 'console' };
}

export function answer(kind: 'approve' | 'acknowledge', person: Person, decision: Approval['decision'], reason?: string): SessionEvent {
  const approval: Approval = { ...person, for: kind === 'approve' ? 'production' : 'freeze', decision, at: new Date().toISOString(), source: 'console', ...(reason ? { reason } : {}) };
  return kind === 'approve' ? { type: 'APPROVAL', approval } : { type: 'ACKNOWLEDGE', acknowledgement: approval };
}

/** The event a completed decision sends. */
export function decisionEvent(kind: Exclude<DecisionKind, 'approve' | 'acknowledge'>, by: Person, reason?: string): SessionEvent {
  switch (kind) {
    case 'retry':
      return { type: 'RETRY', by };
    case 'waive':
      return { type: 'WAIVE', by, reason: reason ?? '' };
    case 'rollback':
      return { type: 'ROLLBACK', by, reason: reason ?? 'rollback chosen at the console' };
    case 'abort':
      return { type: 'ABORT', by, reason: reason ?? 'aborted at the console' };
    case 'extend':
      return { type: 'EXTEND_SOAK', by };
  }
}

function answerers(snapshot: ReleaseSnapshot, kind: 'approve' | 'acknowledge'): Person[] {
  const c = snapshot.context;
  const roles = kind === 'approve' ? outstandingRoles(productionRoles(c.plan), c.approvals) : outstandingRoles(c.plan.freeze.acknowledge, c.acknowledgements);
  return c.plan.stakeholders
    .filter((s) => roles.includes(s.role))
    .map(asPerson)
    .filter((p) => snapshot.can(answer(kind, p, 'approve')));
}

function haltOptions(snapshot: ReleaseSnapshot, operator: Person): DecisionOption[] {
  const c = snapshot.context;
  const approvers = c.plan.stakeholders.filter((s) => productionRoles(c.plan).includes(s.role)).map(asPerson);
  const options: DecisionOption[] = [];
  if (snapshot.can(decisionEvent('retry', operator))) options.push({ kind: 'retry', label: 'Retry', needs: 'nothing', confirm: false });
  // A waiver is recorded by an approving stakeholder (not the operator under four eyes) with a reason.
  const waivers = approvers.filter((p) => snapshot.can(decisionEvent('waive', p, 'reason')));
  if (waivers.length) options.push({ kind: 'waive', label: 'Waive…', people: waivers, needs: 'reason', confirm: false });
  if (snapshot.can(decisionEvent('rollback', operator))) options.push({ kind: 'rollback', label: 'Roll back', needs: 'nothing', confirm: true });
  if (snapshot.can(decisionEvent('abort', operator))) options.push({ kind: 'abort', label: 'Abort', needs: 'nothing', confirm: true });
  else {
    // Aborting a rollback under four eyes needs a second person.
    const seconds = approvers.filter((p) => snapshot.can(decisionEvent('abort', p)));
    if (seconds.length) options.push({ kind: 'abort', label: 'Abort…', people: seconds, needs: 'nothing', confirm: true });
  }
  if (snapshot.can(decisionEvent('extend', operator))) options.push({ kind: 'extend', label: 'Extend soak', needs: 'nothing', confirm: false });
  return options;
}

/** While a release runs, `r` or `x` asks this: roll back or abort now, if the chart would take it. */
function stopQuestion(snapshot: ReleaseSnapshot, operatorLogin: string, stopping: 'rollback' | 'abort'): Question | undefined {
  const operator = operatorPerson(snapshot.context, operatorLogin);
  if (!snapshot.can(decisionEvent(stopping, operator))) return undefined;
  const release = `${snapshot.context.plan.release.name} ${snapshot.context.plan.release.tag}`;
  const label = stopping === 'rollback' ? 'Roll back' : 'Abort';
  return {
    key: `stop|${stopping}|${statePath(snapshot).join('.')}`,
    kind: 'halt',
    title: `${label} ${release} now?`,
    options: [{ kind: stopping, label, needs: 'nothing', confirm: true }],
  };
}

/** The question the chart asks now (or the operator's own `r` / `x` while it runs), or undefined while it simply runs. */
export function pendingQuestion(snapshot: ReleaseSnapshot, operatorLogin: string, stopping?: 'rollback' | 'abort'): Question | undefined {
  const asked = chartQuestion(snapshot, operatorLogin);
  if (asked || !stopping) return asked;
  return stopQuestion(snapshot, operatorLogin, stopping);
}

function chartQuestion(snapshot: ReleaseSnapshot, operatorLogin: string): Question | undefined {
  const activity = activityOf(snapshot);
  if (activity === 'done') return undefined;
  const c = snapshot.context;
  const key = [statePath(snapshot).join('.'), c.halt?.since ?? '', c.approvals.length, c.acknowledgements.length].join('|');
  const release = `${c.plan.release.name} ${c.plan.release.tag}`;
  if (snapshot.hasTag('awaiting-approval')) {
    const people = answerers(snapshot, 'approve');
    return { key, kind: 'approval', title: `Approve production deployment of ${release}?`, options: [{ kind: 'approve', label: 'Approve', people, needs: 'tag', confirm: false }] };
  }
  if (snapshot.hasTag('awaiting-acknowledgement')) {
    const people = answerers(snapshot, 'acknowledge');
    return { key, kind: 'acknowledgement', title: `Acknowledge the change freeze for ${release}?`, options: [{ kind: 'acknowledge', label: 'Acknowledge', people, needs: 'tag', confirm: false }] };
  }
  if (activity === 'halted') {
    return { key, kind: 'halt', title: 'What now?', options: haltOptions(snapshot, operatorPerson(c, operatorLogin)) };
  }
  return undefined;
}
