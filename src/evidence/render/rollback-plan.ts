import { STEP } from '../../../machines/setup.js';
import type { SessionContext } from '../../../machines/types.js';
import type { RenderExtras } from './extras.js';
import { bullets, code, commandLine, document, fileLink, inline, personLabel, releaseTitle, table } from './format.js';
import { checksTable, exitStatus } from './tables.js';
import { formatDuration } from '../../plan/duration.js';

// rollback-plan.md: why the release was rolled back, what ran, whether the
// service is healthy again, and the escalation to Protocol 20.

/** Who or what decided: a person's ROLLBACK, or the plan's automatic rollback after a failed gate or breach. */
export function rollbackDecider(context: SessionContext): string {
  const by = context.rollback?.by ?? context.decisions.filter((d) => d.kind === 'rollback').at(-1)?.by;
  if (by) return `${personLabel(by)} via ${by.source}`;
  const operator = `the operator (${context.operator.user})`;
  if (context.decisions.some((d) => d.kind === 'rollback')) return operator;
  return context.plan.rollback.auto ? 'warroom automatically, as rollback.auto is set in the plan' : operator;
}

/** Why, what ran, and the checks after: shared by rollback-plan.md and the report's Rollback section. */
export function rollbackDetails(context: SessionContext): string {
  const rollback = context.rollback;
  if (!rollback) return 'No rollback ran.';
  const record = rollback.record;
  const trigger = [
    `- Trigger: ${inline(rollback.reason)}`,
    `- Decided by: ${inline(rollbackDecider(context))}`,
    `- Started: ${inline(rollback.startedAt)}`,
  ];
  const failedGate = context.gates.launch?.verdict === 'fail' && /Launch Gate/.test(rollback.reason) ? context.gates.launch : undefined;
  if (failedGate) trigger.push(...failedGate.criteria.filter((c) => !c.passed).map((c) => `- Failed criterion: ${inline(c.name)} — required ${inline(c.required)}, actual ${inline(c.actual)}`));
  const command = record
    ? table(
        ['Command', 'Started', 'Ended', 'Duration', 'Exit code', 'Log'],
        [[code(commandLine(record.argv)), record.startedAt, record.endedAt, formatDuration(record.durationMs), exitStatus(record), fileLink(record.log)]],
      ) + (record.error ? `\n\nError: ${inline(record.error)}` : '')
    : `${code(commandLine(context.plan.rollback.run))} — has not finished.`;
  const checks = rollback.checks ? checksTable(rollback.checks) : '_Checks after rollback have not run._';
  return [`#### Why\n\n${trigger.join('\n')}`, `#### Rollback command\n\n${command}`, `#### Checks after rollback\n\n${checks}`].join('\n\n');
}

type RollbackState = 'restored' | 'checks failing' | 'command failed' | 'in progress';

function rollbackState(context: SessionContext): RollbackState {
  const rollback = context.rollback;
  if (!rollback?.record) return 'in progress';
  if (rollback.record.exitCode !== 0) return 'command failed';
  if (!rollback.checks) return 'in progress';
  return rollback.checks.every((c) => c.passed) ? 'restored' : 'checks failing';
}

function nextSteps(context: SessionContext, state: RollbackState): string[] {
  const steps: string[] = [];
  if (state === 'command failed' || state === 'checks failing') {
    steps.push('Service is NOT confirmed healthy: restore it by hand now and record every action in the manual validation log (.artifacts/protocol-15/manual-validation-log.md).');
  }
  if (state === 'in progress') steps.push('Wait for the rollback and its checks to finish; this plan is rewritten when they do.');
  steps.push(
    `Protocol 20 (Owner: Release Engineering): root-cause the trigger — ${inline(context.rollback?.reason ?? 'unknown')} — using production-deployment-report.json and the step logs.`,
    'SRE: watch the restored version through the monitoring dashboards until error rates return to baseline.',
    `Release Management: notify stakeholders that ${inline(context.plan.release.tag)} is not live, and re-plan the release once the root cause is fixed.`,
    'Retrospective (Protocol 22): review retrospective-inputs.json within 24–48 hours.',
  );
  return steps;
}

export function renderRollbackPlan(context: SessionContext, extras: RenderExtras): string {
  const state = rollbackState(context);
  const halted = context.halt?.step === STEP.rollback ? context.halt : undefined;
  return document([
    `# Rollback Plan: ${inline(releaseTitle(context))}`,
    `Plan ${code(extras.planFile)} · operator ${inline(extras.operator)} · generated ${inline(extras.generatedAt)}`,
    `**Rollback status: ${state}**${halted ? ` — halted: ${inline(halted.reason)}` : ''}`,
    `## Rollback\n\n${rollbackDetails(context).replace(/^####/gm, '###')}`,
    `## Escalation\n\nEscalated to Protocol 20 with ${fileLink('production-deployment-report.json')} and ${fileLink('rollback-plan.md')}, as the protocol requires when the Production Launch Gate fails or the health window breaches.`,
    `## Next steps\n\n${bullets(nextSteps(context, state))}`,
  ]);
}
