import type { PhaseName, SessionContext } from '../../../machines/types.js';
import { formatDuration } from '../../plan/duration.js';
import { validationSuccessRate } from '../gates.js';
import type { RenderExtras } from './extras.js';
import { between, bullets, fileLink, inline, percent, table } from './format.js';
import { metricObservations, metricsTable, soakWindow } from './health-log.js';
import { rollbackDetails } from './rollback-plan.js';
import { answersTable, checksTable, commandsTable, decisionsTable, GATE_ORDER, gateSection, waiversTable } from './tables.js';

// The body of DEPLOYMENT-REPORT.md, one function per section, in the order
// an auditor reads it.

const PHASE_TITLES: Array<[PhaseName, string]> = [
  ['readiness', 'Phase 1: Readiness verification and approval'],
  ['staging', 'Phase 2: Staging verification and change freeze'],
  ['production', 'Phase 3: Production deployment and immediate validation'],
  ['stabilisation', 'Phase 4: Stabilization window and documentation'],
];

export function timelineSection(context: SessionContext, extras: RenderExtras): string {
  const rows = PHASE_TITLES.filter(([phase]) => context.phases[phase]).map(([phase, title]) => {
    const { startedAt, endedAt } = context.phases[phase]!;
    return [title, startedAt, endedAt ?? 'in progress', between(startedAt, endedAt ?? extras.generatedAt) ?? ''];
  });
  const soak = soakWindow(context);
  if (soak.start) rows.push([`Soak window${soak.extensions ? ` (${soak.extensions} extension(s))` : ''}`, soak.start, soak.end ?? 'in progress', between(soak.start, soak.end ?? extras.generatedAt) ?? '']);
  const rollback = context.rollback;
  if (rollback) rows.push(['Rollback', rollback.startedAt, rollback.record?.endedAt ?? 'in progress', between(rollback.startedAt, rollback.record?.endedAt ?? extras.generatedAt) ?? '']);
  const total = between(context.startedAt, extras.generatedAt);
  return `## Timeline\n\nSession started ${inline(context.startedAt)}; ${inline(total ?? '')} elapsed at ${inline(extras.generatedAt)}.\n\n${table(['Phase', 'Start', 'End', 'Duration'], rows)}`;
}

export function approvalsSection(context: SessionContext): string {
  return `## Approvals and acknowledgements\n\n${answersTable([...context.acknowledgements, ...context.approvals])}`;
}

export function commandsSection(context: SessionContext): string {
  const failed = context.commands.filter((c) => c.exitCode !== 0).length;
  const total = context.commands.reduce((sum, c) => sum + c.durationMs, 0);
  const summary = `${context.commands.length} command(s), ${failed} failed, ${formatDuration(total)} in total. Full records: ${fileLink('production-deployment-report.json')}.`;
  return `## Commands\n\n${summary}\n\n${commandsTable(context.commands)}`;
}

export function checksSection(context: SessionContext): string {
  const threshold = context.plan.gates.launch.validationThreshold;
  const rate = validationSuccessRate(context.checks);
  const none = (planned: number, what: string) => (planned === 0 ? `_The plan defines no ${what} checks._` : `_${what[0]!.toUpperCase()}${what.slice(1)} checks have not run._`);
  const smoke = context.checks.length
    ? `Success rate ${percent(rate)} (${context.checks.filter((c) => c.passed).length}/${context.checks.length}) against a threshold of ${percent(threshold)}: ${rate >= threshold ? 'within tolerance' : 'below tolerance'}.\n\n${checksTable(context.checks)}`
    : none(context.plan.checks.length, 'immediate');
  const staging = context.staging.length ? checksTable(context.staging) : none(context.plan.staging.checks.length, 'staging');
  return `## Checks\n\n### Staging\n\n${staging}\n\n### Immediate post-deployment (smoke)\n\n${smoke}`;
}

export function soakSection(context: SessionContext): string {
  const window = soakWindow(context);
  if (!window.start) return '## Soak window metrics\n\nThe soak window did not start.';
  const notes = context.plan.health.metrics.flatMap((m) => metricObservations(m, context.metrics[m.name]));
  return `## Soak window metrics\n\n${inline(window.start)} – ${inline(window.end ?? 'still open')}; details in ${fileLink('deployment-health-log.md')}.\n\n${metricsTable(context)}\n\n${bullets(notes.map(inline), '_Every metric stayed within its threshold._')}`;
}

export function gatesSection(context: SessionContext): string {
  return `## Quality gates\n\n${GATE_ORDER.map((gate) => gateSection(gate, context.gates[gate])).join('\n\n')}`;
}

export function waiversSection(context: SessionContext): string {
  return `## Waivers and decisions\n\n### Waivers\n\n${waiversTable(context.waivers)}\n\n### Decisions\n\n${decisionsTable(context.decisions)}`;
}

export function haltsSection(context: SessionContext): string {
  const halts = [...context.halts, ...(context.halt ? [context.halt] : [])];
  const rows = halts.map((h) => [h.step, h.reason, h.since, h.resolution ?? 'unresolved — awaiting instructions']);
  return `## Halts\n\n${table(['Step', 'Reason', 'Since', 'Resolution'], rows, '_The session never halted._')}`;
}

/** Only when the session was stopped and continued: an auditor should see the gap. */
export function resumesSection(context: SessionContext): string {
  const resumes = context.resumes ?? [];
  if (resumes.length === 0) return '';
  const rows = resumes.map((r) => [r.at, r.by, r.from, r.interrupted ? `${r.interrupted} was running: outcome unknown, decision asked` : 'nothing was running']);
  return `## Resumes

The session was stopped and continued with \`warroom resume\`.

${table(['At', 'By', 'Stopped at', 'Interrupted step'], rows, '')}`;
}

export function rollbackSection(context: SessionContext): string {
  if (!context.rollback) return '## Rollback\n\nNo rollback was needed.';
  return `## Rollback\n\n${rollbackDetails(context).replace(/^####/gm, '###')}\n\nFull plan: ${fileLink('rollback-plan.md')}.`;
}

export function evidenceSection(extras: RenderExtras): string {
  return `## Evidence files\n\n${bullets(extras.files.map(fileLink), '_No evidence files yet._')}`;
}

export function communicationSection(extras: RenderExtras): string {
  return `## Communication log\n\n${extras.communicationLog.length} announcement(s); the full log is ${fileLink('communication-log.md')}.`;
}
