import type { SessionContext } from '../../../machines/types.js';
import type { RenderExtras } from './extras.js';
import { MANUAL_VALIDATION_LOG } from '../files.js';
import { bullets, code, document, fileLink, inline, releaseTitle, table } from './format.js';
import { sessionOutcome, type SessionSummary } from './outcome.js';
import { qualityMetrics, qualityMetricsTable, type QualityMetric } from './quality-metrics.js';
import {
  approvalsSection,
  checksSection,
  commandsSection,
  communicationSection,
  evidenceSection,
  gatesSection,
  haltsSection,
  resumesSection,
  rollbackSection,
  soakSection,
  timelineSection,
  waiversSection,
} from './report-sections.js';
import { GATE_ORDER, GATE_STEP } from './tables.js';

// DEPLOYMENT-REPORT.md: the protocol's final release report, consumed by
// Protocol 22 and by whoever audits the release later.

function header(context: SessionContext, extras: RenderExtras): string {
  const { release } = context.plan;
  return [
    `# Deployment Report: ${inline(releaseTitle(context))}`,
    `Release ${code(release.name)} tag ${code(release.tag)} to ${code(release.environment)} · ${inline(release.strategy)} strategy · services: ${inline(release.services.join(', '))}${release.securityImpacting ? ' · security-impacting' : ''}`,
    `Plan ${code(extras.planFile)} · operator ${inline(extras.operator)} (login ${code(context.operator.user)}) · generated ${inline(extras.generatedAt)}`,
  ].join('\n\n');
}

/** Protocol 15's manual fallback: what people checked by hand, from .artifacts/protocol-15/manual-validation-log.md. */
function manualValidationsSection(extras: RenderExtras): string {
  const entries = extras.manualValidations ?? [];
  if (entries.length === 0) return '## Manual validations\n\n_None recorded: every step was validated by automation._';
  const rows = entries.map((e) => [e.at, e.step, e.result === 'pass' ? '✔ pass' : '✘ fail', e.by, e.login, e.note]);
  return [
    '## Manual validations',
    `${entries.length} validation(s) recorded by hand; the log is [manual-validation-log.md](${MANUAL_VALIDATION_LOG}).`,
    table(['When', 'Step', 'Result', 'By', 'Login', 'Note'], rows),
  ].join('\n\n');
}

const summarySection = (summary: SessionSummary): string => `## Summary\n\n**Outcome: ${summary.outcome}** — ${summary.why}`;

/** The protocol's Pre-Handoff Validation, ticked from what the session measured. */
function preHandoffSection(context: SessionContext, extras: RenderExtras, summary: SessionSummary, metrics: QualityMetric[]): string {
  const items = [...context.readiness, ...context.scope];
  const waived = new Set(context.waivers.map((w) => w.step));
  const gatesOk = GATE_ORDER.every((g) => context.gates[g]?.verdict === 'pass' || waived.has(GATE_STEP[g]));
  const [, completeness, integrity] = metrics;
  const checks: Array<[boolean, string]> = [
    [items.length > 0 && items.every((i) => i.status !== 'fail'), `All prerequisites were met (${items.filter((i) => i.status !== 'fail').length}/${items.length})`],
    [summary.outcome === 'released', `All workflow steps completed successfully (outcome: ${summary.outcome})`],
    [gatesOk, `All quality gates passed (or waivers documented): ${GATE_ORDER.map((g) => `${g} ${context.gates[g]?.verdict ?? 'not evaluated'}`).join(', ')}`],
    [completeness?.met === true, `All evidence artifacts captured (${completeness?.actual ?? ''})`],
    [integrity?.met === true, `All integration outputs generated (${integrity?.actual ?? ''})`],
    [extras.communicationLog.length > 0, `Communication log complete (${extras.communicationLog.length} announcement(s))`],
  ];
  return `## Pre-handoff validation\n\n${checks.map(([ok, text]) => `- [${ok ? 'x' : ' '}] ${inline(text)}`).join('\n')}`;
}

function handoffSection(context: SessionContext, summary: SessionSummary): string {
  const prefix = inline(context.plan.announce.prefix);
  if (summary.outcome === 'released') {
    const evidencePackage = [
      `${fileLink('DEPLOYMENT-REPORT.md')} - Comprehensive deployment summary`,
      `${fileLink('post-deployment-validation.json')} - Initial monitoring evidence`,
      `${fileLink('deployment-health-log.md')} - Stabilization monitoring notes`,
      `${fileLink('DEPLOYMENT-EVIDENCE.zip')} - The whole evidence package with ${fileLink('manifest.json')}`,
    ];
    return `## Hand-off\n\n**[${prefix} | PROTOCOL COMPLETE]** Ready for Protocol 19: Monitoring & Observability\n\n**Evidence Package:**\n\n${bullets(evidencePackage)}`;
  }
  if (summary.outcome === 'rolled back') {
    const evidencePackage = [
      `${fileLink('rollback-plan.md')} - Why the rollback ran, its command and the checks after it`,
      `${fileLink('production-deployment-report.json')} - Every command run, with exit codes and durations`,
      `${fileLink('DEPLOYMENT-REPORT.md')} - This report`,
    ];
    return `## Hand-off\n\n**[${prefix} | ESCALATION]** Escalated to Protocol 20: ${inline(context.rollback?.reason ?? 'rollback')}\n\n**Evidence Package:**\n\n${bullets(evidencePackage)}`;
  }
  if (summary.outcome === 'in progress') {
    return `## Hand-off\n\nPending: Gate 4 (Stabilization & Reporting) decides whether ${inline(context.plan.release.tag)} is handed to Protocol 19; this report is rewritten when the session ends.`;
  }
  const where = context.halt ? ` Halted at ${inline(context.halt.step)}: ${inline(context.halt.reason)}.` : '';
  return `## Hand-off\n\n**[${prefix} | ${summary.outcome.toUpperCase()}]** Awaiting instructions.${where} No hand-off to Protocol 19 is made for a release that is not live.`;
}

export function renderDeploymentReportMarkdown(context: SessionContext, extras: RenderExtras): string {
  const summary = sessionOutcome(context);
  const metrics = qualityMetrics(context, extras);
  return document([
    header(context, extras),
    summarySection(summary),
    timelineSection(context, extras),
    approvalsSection(context),
    commandsSection(context),
    checksSection(context),
    soakSection(context),
    gatesSection(context),
    waiversSection(context),
    haltsSection(context),
    resumesSection(context),
    rollbackSection(context),
    manualValidationsSection(extras),
    communicationSection(extras),
    evidenceSection(extras),
    `## Quality metrics\n\n${qualityMetricsTable(metrics)}`,
    preHandoffSection(context, extras, summary, metrics),
    handoffSection(context, summary),
  ]);
}
