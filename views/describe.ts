import type { GateName, GateResult, PhaseName, SessionContext } from '../machines/types.js';
import type { ReleaseSnapshot } from './port.js';

// The chart's state in the protocol's words, as the header, the timeline and
// the key bar show it. Pure functions of a snapshot.

/** `['staging', 'changeFreeze', 'acknowledging']` */
export function statePath(snapshot: Pick<ReleaseSnapshot, 'value'>): string[] {
  const path: string[] = [];
  let value: unknown = snapshot.value;
  while (value && typeof value === 'object') {
    const [key, child] = Object.entries(value as Record<string, unknown>)[0] ?? [];
    if (key === undefined) break;
    path.push(key);
    value = child;
  }
  if (typeof value === 'string') path.push(value);
  return path;
}

export type Activity = 'running' | 'waiting' | 'halted' | 'done';

const WAITING_LEAVES = new Set(['acknowledging', 'waiting', 'pausing']);

export function activityOf(snapshot: ReleaseSnapshot): Activity {
  if (snapshot.status === 'done') return 'done';
  if (snapshot.hasTag('halted')) return 'halted';
  const leaf = statePath(snapshot).at(-1) ?? '';
  if (snapshot.hasTag('awaiting-approval') || snapshot.hasTag('awaiting-acknowledgement') || WAITING_LEAVES.has(leaf)) return 'waiting';
  return 'running';
}

export const PHASES: Array<{ phase: PhaseName; number: 1 | 2 | 3 | 4; title: string; gate: GateName }> = [
  { phase: 'readiness', number: 1, title: 'Readiness', gate: 'readiness' },
  { phase: 'staging', number: 2, title: 'Staging & freeze', gate: 'freeze' },
  { phase: 'production', number: 3, title: 'Production', gate: 'launch' },
  { phase: 'stabilisation', number: 4, title: 'Stabilisation', gate: 'reporting' },
];

export const GATE_SHORT: Record<GateName, string> = { readiness: 'G1', freeze: 'G2', launch: 'G3', reporting: 'G4' };

/** Where the release stands, for the header: a phase, the rollback, or the ending. */
export function stageTitle(snapshot: ReleaseSnapshot): string {
  const top = statePath(snapshot)[0] ?? '';
  const phase = PHASES.find((p) => p.phase === top);
  if (phase) return `Phase ${phase.number}/4 ${phase.title}`;
  const other: Record<string, string> = {
    rollingBack: 'Rollback',
    finishing: 'Finishing',
    evidenceFailed: 'Evidence write failed',
    complete: 'Released',
    rolledBack: 'Rolled back',
    aborted: 'Aborted',
  };
  return other[top] ?? top;
}

export type PhaseStatus = 'done' | 'stopped' | 'current' | 'pending';

export function phaseStatus(snapshot: ReleaseSnapshot, phase: (typeof PHASES)[number]): PhaseStatus {
  if (statePath(snapshot)[0] === phase.phase) return 'current';
  const span = snapshot.context.phases[phase.phase];
  if (!span) return 'pending';
  return snapshot.context.gates[phase.gate]?.verdict === 'pass' ? 'done' : 'stopped';
}

const deployStep = (c: SessionContext) => c.plan.deploy.steps[c.stepIndex]?.name ?? 'step';
const stepOf = (c: SessionContext) => `${c.stepIndex + 1} of ${c.plan.deploy.steps.length}`;

// Keyed by state path; the longest matching prefix names the step.
const STEP_LABELS: Record<string, string | ((c: SessionContext) => string)> = {
  'readiness.validateEvidence': 'Validate pre-deployment evidence',
  'readiness.confirmScope': 'Confirm release scope and stakeholders',
  'readiness.deploymentWindow': 'Deployment window',
  'readiness.readinessGate': 'Gate 1: Readiness Confirmation',
  'staging.reconfirmStaging': 'Reconfirm staging health',
  'staging.changeFreeze': 'Change freeze lock',
  'staging.changeFreeze.acknowledging': 'Change freeze acknowledgements',
  'staging.changeFreeze.halted': 'Change freeze acknowledgements',
  'staging.dryRun': 'Final dry run',
  'staging.freezeGate': 'Gate 2: Approval & Change Freeze',
  'production.approval': 'Production approval',
  'production.deploying': (c) => `Deploy ${deployStep(c)} (step ${stepOf(c)})`,
  'production.deploying.pausing': (c) => `Pause after ${deployStep(c)}`,
  'production.deploying.analysing': (c) => `Canary analysis after ${deployStep(c)}`,
  'production.deploying.analysisHalted': (c) => `Canary analysis after ${deployStep(c)}`,
  'production.immediateChecks': 'Post-deployment checks',
  'production.launchGate': 'Gate 3: Production Launch',
  'stabilisation.soak': 'Soak window',
  'stabilisation.extendedSoak': 'Soak window (extended)',
  'stabilisation.breached': 'Health window breach',
  'stabilisation.halted': 'Health window',
  'stabilisation.report': 'Release report',
  'stabilisation.retrospective': 'Retrospective inputs',
  'stabilisation.reportingGate': 'Gate 4: Stabilization & Reporting',
  rollingBack: 'Rolling back',
  'rollingBack.verifying': 'Verifying the rollback',
  finishing: 'Lifting the change freeze',
  evidenceFailed: 'Writing evidence',
  complete: 'Released and handed off to monitoring',
  rolledBack: 'Rolled back',
  aborted: 'Aborted',
};

/** The current step as the operator reads it ("Deploy canary-10 (step 1 of 2)"). */
export function currentStep(snapshot: ReleaseSnapshot): string {
  const path = statePath(snapshot);
  for (let length = path.length; length > 0; length--) {
    const label = STEP_LABELS[path.slice(0, length).join('.')];
    if (label) return typeof label === 'string' ? label : label(snapshot.context);
  }
  return path.join(' › ');
}

export type GateState = GateResult['verdict'] | 'pending';

export function gateStates(context: SessionContext): Array<{ gate: GateName; short: string; state: GateState }> {
  return PHASES.map(({ gate }) => ({ gate, short: GATE_SHORT[gate], state: context.gates[gate]?.verdict ?? 'pending' }));
}

/** The gate a halted step belongs to, when the halt is a gate's ("Gate 3: …"). */
export function gateOfStep(step: string): GateName | undefined {
  const match = /^Gate ([1-4]):/.exec(step);
  return match ? PHASES[Number(match[1]) - 1]?.gate : undefined;
}

/** Deployment steps done (their latest run passed) of all steps. */
export function deployProgress(context: SessionContext): { done: number; total: number } {
  const steps = context.plan.deploy.steps.map((s) => s.name);
  const latest = new Map<string, number | null>();
  for (const record of context.commands) if (steps.includes(record.name)) latest.set(record.name, record.exitCode);
  return { done: [...latest.values()].filter((code) => code === 0).length, total: steps.length };
}

export const elapsedMs = (context: SessionContext): number => Math.max(0, context.now - Date.parse(context.startedAt));
