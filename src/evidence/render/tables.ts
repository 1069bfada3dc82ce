import { STEP } from '../../../machines/setup.js';
import { formatDuration } from '../../plan/duration.js';
import { GATE_TITLES } from '../gates.js';
import type { CheckResult } from '../../probes/types.js';
import type { CommandRecord } from '../../runner/types.js';
import type { Approval, GateName, GateResult, Waiver, Decision } from '../../../machines/types.js';
import { code, commandLine, fileLink, inline, table } from './format.js';

// Markdown tables that appear in more than one artifact, so the report, the
// freeze confirmation and the rollback plan show the same facts the same way.

export const GATE_NUMBER: Record<GateName, number> = { readiness: 1, freeze: 2, launch: 3, reporting: 4 };
export const GATE_ORDER: GateName[] = ['readiness', 'freeze', 'launch', 'reporting'];
/** The halt step a failed gate records, so a waiver can be matched to its gate. */
export const GATE_STEP: Record<GateName, string> = {
  readiness: STEP.readinessGate,
  freeze: STEP.freezeGate,
  launch: STEP.launchGate,
  reporting: STEP.reportingGate,
};

const mark = (passed: boolean): string => (passed ? '✔' : '✘');

/** Exit code as an auditor reads it: a number, or why there is none. */
export function exitStatus(record: CommandRecord): string {
  if (record.timedOut) return `timed out${record.signal ? ` (${record.signal})` : ''}`;
  if (record.exitCode !== null) return String(record.exitCode);
  if (record.signal) return `signal ${record.signal}`;
  return record.error ? `did not run: ${record.error}` : 'none';
}

export function checksTable(checks: CheckResult[]): string {
  return table(
    ['Check', 'Kind', 'Result', 'Detail', 'Duration'],
    checks.map((c) => [c.name, c.kind, `${mark(c.passed)} ${c.passed ? 'pass' : 'fail'}`, c.detail, formatDuration(c.durationMs)]),
    '_No checks ran._',
  );
}

export function commandsTable(commands: CommandRecord[]): string {
  return table(
    ['Step', 'Command', 'Exit code', 'Started', 'Duration', 'Log'],
    commands.map((r) => [r.name, code(commandLine(r.argv)), exitStatus(r), r.startedAt, formatDuration(r.durationMs), fileLink(r.log)]),
    '_No commands ran._',
  );
}

/** Approvals and acknowledgements: who, in which role, under which login, when, and how the answer arrived. */
export function answersTable(answers: Approval[]): string {
  return table(
    ['For', 'Who', 'Role', 'Login', 'Decision', 'When', 'Source', 'Reason'],
    answers.map((a) => [a.for === 'production' ? 'production approval' : 'freeze acknowledgement', a.name, a.role, a.user, a.decision, a.at, a.source, a.reason ?? '']),
  );
}

export function waiversTable(waivers: Waiver[]): string {
  return table(
    ['Step waived', 'Reason', 'By', 'Role', 'Login', 'When'],
    waivers.map((w) => [w.step, w.reason, w.by.name, w.by.role, w.by.user, w.at]),
    '_No waivers._',
  );
}

export function decisionsTable(decisions: Decision[]): string {
  return table(
    ['Decision', 'At step', 'By', 'Reason', 'When'],
    decisions.map((d) => [d.kind, d.step, d.by ? `${d.by.name} (${d.by.role}, ${d.by.user}, ${d.by.source})` : 'operator', d.reason ?? '', d.at]),
    '_No decisions were needed._',
  );
}

/** One gate: verdict, then each criterion with what was required and what was measured. */
export function gateSection(gate: GateName, result: GateResult | undefined, level = '###'): string {
  const heading = `${level} Gate ${GATE_NUMBER[gate]}: ${GATE_TITLES[gate]}`;
  if (!result) return `${heading} — not evaluated\n\nThe session did not reach this gate.`;
  const criteria = table(
    ['Criterion', 'Required', 'Actual', 'Met'],
    result.criteria.map((c) => [c.name, c.required, c.actual, mark(c.passed)]),
  );
  return `${heading} — ${result.verdict.toUpperCase()}\n\nEvaluated ${inline(result.evaluatedAt)}.\n\n${criteria}`;
}
