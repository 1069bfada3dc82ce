import { STEP } from '../../../machines/setup.js';
import type { Halt, SessionContext } from '../../../machines/types.js';
import { formatDuration } from '../../plan/duration.js';
import { GATE_TITLES } from '../gates.js';
import type { RenderExtras } from './extras.js';
import { json, releaseOf } from './format.js';
import { metricObservations } from './health-log.js';
import { sessionOutcome } from './outcome.js';
import { GATE_NUMBER, GATE_ORDER, GATE_STEP } from './tables.js';

// retrospective-inputs.json for Protocol 22: what went well, what went
// poorly and who follows up, drawn from what actually happened.

/** The protocol's guideline: a command over two minutes is worth a look. */
export const SLOW_STEP_MS = 2 * 60_000;

interface ActionItem {
  item: string;
  owner: string;
}

const OWNERS: Record<string, string> = {
  [STEP.evidence]: 'Release Management',
  [STEP.scope]: 'Release Management',
  [STEP.window]: 'Release Management',
  [STEP.readinessGate]: 'Release Management',
  [STEP.staging]: 'QA',
  [STEP.freezeLock]: 'Release Engineering',
  [STEP.acknowledgements]: 'Release Management',
  [STEP.dryRun]: 'Release Engineering',
  [STEP.freezeGate]: 'Release Management',
  [STEP.approval]: 'Release Management',
  'Canary analysis': 'SRE',
  [STEP.soak]: 'SRE',
  [STEP.reportingGate]: 'SRE',
};
const ownerOf = (step: string): string => OWNERS[step] ?? 'Release Engineering';

function wentWell(context: SessionContext, halts: Halt[]): string[] {
  const well: string[] = [];
  const haltedSteps = new Set(halts.map((h) => h.step));
  for (const gate of GATE_ORDER) {
    if (context.gates[gate]?.verdict === 'pass' && !haltedSteps.has(GATE_STEP[gate])) well.push(`Gate ${GATE_NUMBER[gate]}: ${GATE_TITLES[gate]} passed first time`);
  }
  const deploys = context.commands.filter((c) => context.plan.deploy.steps.some((s) => s.name === c.name));
  if (deploys.length === context.plan.deploy.steps.length && deploys.every((c) => c.exitCode === 0)) {
    well.push(`All ${deploys.length} deployment step(s) succeeded on the first attempt`);
  }
  if (halts.length === 0) well.push('No halts: the session never needed an operator decision');
  const slowest = [...context.commands].sort((a, b) => b.durationMs - a.durationMs)[0];
  if (slowest && slowest.durationMs <= SLOW_STEP_MS) well.push(`Slowest command ${slowest.name} took ${formatDuration(slowest.durationMs)}, under 2 minutes`);
  const rollback = context.rollback;
  if (rollback?.record?.exitCode === 0 && rollback.checks?.length && rollback.checks.every((c) => c.passed)) {
    well.push(`Rollback restored service in ${formatDuration(rollback.record.durationMs)}; all ${rollback.checks.length} check(s) passed afterwards`);
  }
  const metrics = context.plan.health.metrics;
  if (context.soak && metrics.length && metrics.every((m) => metricObservations(m, context.metrics[m.name]).length === 0)) {
    well.push(`Health window: ${metrics.map((m) => m.name).join(', ')} stayed within threshold`);
  }
  return well;
}

function wentPoorly(context: SessionContext, halts: Halt[], actions: ActionItem[]): string[] {
  const poorly: string[] = [];
  for (const h of halts) {
    poorly.push(`Halted at ${h.step}: ${h.reason}${h.resolution ? ` (resolved by ${h.resolution})` : ' (unresolved)'}`);
    actions.push({ item: `Remove the cause of the halt at ${h.step} (${h.reason}) before the next release`, owner: ownerOf(h.step) });
  }
  for (const w of context.waivers) {
    poorly.push(`Waived ${w.step} (${w.by.name}, ${w.by.role}): ${w.reason}`);
    actions.push({ item: `Close the waiver on ${w.step}: fix what "${w.reason}" works around so it need not be waived again`, owner: ownerOf(w.step) });
  }
  const attempts = new Map<string, number>();
  for (const c of context.commands) attempts.set(c.name, (attempts.get(c.name) ?? 0) + 1);
  for (const [name, count] of attempts) if (count > 1) poorly.push(`${name} needed ${count} attempts`);
  for (const c of context.commands.filter((c) => c.durationMs > SLOW_STEP_MS)) {
    poorly.push(`Slow step ${c.name}: ${formatDuration(c.durationMs)}`);
    actions.push({ item: `Speed up ${c.name} (${formatDuration(c.durationMs)}) or split it into smaller steps`, owner: 'Release Engineering' });
  }
  for (const [stage, checks, owner] of [['staging', context.staging, 'QA'], ['smoke', context.checks, 'SRE']] as const) {
    for (const c of checks.filter((c) => !c.passed)) {
      poorly.push(`${stage} check ${c.name} failed: ${c.detail}`);
      actions.push({ item: `Fix the failing ${stage} check ${c.name} (${c.detail})`, owner });
    }
  }
  for (const gate of GATE_ORDER) {
    const result = context.gates[gate];
    if (result && result.verdict !== 'pass') poorly.push(`Gate ${GATE_NUMBER[gate]}: ${result.title} ${result.verdict}: ${result.criteria.filter((c) => !c.passed).map((c) => `${c.name} ${c.actual}`).join('; ')}`);
  }
  // Metric notes only mean something once the soak window has run.
  const notes = context.soak ? context.plan.health.metrics.flatMap((m) => metricObservations(m, context.metrics[m.name])) : [];
  for (const note of notes) {
    poorly.push(`Health window: ${note}`);
    actions.push({ item: `Investigate ${note}`, owner: 'SRE' });
  }
  if (context.rollback) {
    poorly.push(`Rolled back: ${context.rollback.reason}`);
    actions.push({ item: `Root-cause "${context.rollback.reason}" with Protocol 20 and automate the canary rollback trigger thresholds`, owner: 'Release Engineering' });
    const failing = context.rollback.checks?.filter((c) => !c.passed) ?? [];
    if (failing.length) poorly.push(`Checks still failing after rollback: ${failing.map((c) => c.name).join(', ')}`);
  }
  return poorly;
}

export function renderRetrospective(context: SessionContext, extras: RenderExtras): string {
  const summary = sessionOutcome(context);
  const halts = [...context.halts, ...(context.halt ? [context.halt] : [])];
  const actions: ActionItem[] = [];
  const poorly = wentPoorly(context, halts, actions);
  if (actions.length === 0) {
    actions.push({ item: 'Keep the current gate thresholds; review their calibration at the quarterly protocol review', owner: 'Release Management' });
  }
  const unique = [...new Map(actions.map((a) => [a.item, a])).values()];
  return json({
    release: releaseOf(context),
    generatedAt: extras.generatedAt,
    outcome: summary.outcome,
    summary: summary.why,
    wentWell: wentWell(context, halts),
    wentPoorly: poorly,
    actionItems: unique,
  });
}
