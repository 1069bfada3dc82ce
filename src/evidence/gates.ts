import type { Approval, GateCriterion, GateName, GateResult, MetricSeries, ReadinessItem } from '../../machines/types.js';
import type { CheckResult } from '../probes/types.js';
import type { CommandRecord } from '../runner/types.js';

// The protocol's four quality gates as pure functions of the evidence. The
// statechart and `warroom gate` both call these, so a gate means one thing.

export const GATE_TITLES: Record<GateName, string> = {
  readiness: 'Readiness Confirmation Gate',
  freeze: 'Approval & Change Freeze Gate',
  launch: 'Production Launch Gate',
  reporting: 'Stabilization & Reporting Gate',
};

/** Fewer samples than this leave Gate 4 inconclusive instead of passing. */
export const MIN_SOAK_SAMPLES = 3;

const percent = (ratio: number): string => `${(ratio * 100).toFixed(ratio === 1 || ratio === 0 ? 0 : 1)}%`;

function result(gate: GateName, criteria: GateCriterion[], at: string, thresholds: Record<string, number>, inconclusive = false): GateResult {
  const verdict = criteria.every((c) => c.passed) ? (inconclusive ? 'inconclusive' : 'pass') : 'fail';
  return { gate, title: GATE_TITLES[gate], verdict, criteria, evaluatedAt: at, thresholds };
}

export function readinessGate(checklist: ReadinessItem[], at: string): GateResult {
  const done = checklist.filter((item) => item.status !== 'fail').length;
  const completion = checklist.length === 0 ? 1 : done / checklist.length;
  const waived = checklist.filter((item) => item.status === 'waived').length;
  const failing = checklist.filter((item) => item.status === 'fail').map((item) => item.name);
  return result(
    'readiness',
    [
      {
        name: 'Checklist completion',
        required: '100%',
        actual: `${percent(completion)} (${done}/${checklist.length}${waived ? `, ${waived} waived` : ''})${failing.length ? `; open: ${failing.join(', ')}` : ''}`,
        passed: completion === 1,
      },
    ],
    at,
    { checklistCompletion: 1 },
  );
}

export interface FreezeEvidence {
  staging: CheckResult[];
  stagingWaived: boolean;
  requiredRoles: string[];
  acknowledgements: Approval[];
}

export function acknowledgedRoles(acknowledgements: Approval[]): Set<string> {
  return new Set(acknowledgements.filter((a) => a.decision === 'approve').map((a) => a.role));
}

export function freezeGate(evidence: FreezeEvidence, at: string): GateResult {
  const stagingFailed = evidence.staging.filter((c) => !c.passed).map((c) => c.name);
  const acked = acknowledgedRoles(evidence.acknowledgements);
  const missing = evidence.requiredRoles.filter((role) => !acked.has(role));
  const ratio = evidence.requiredRoles.length === 0 ? 1 : (evidence.requiredRoles.length - missing.length) / evidence.requiredRoles.length;
  return result(
    'freeze',
    [
      {
        name: 'Staging health reconfirmed',
        required: 'all staging checks pass',
        actual: evidence.staging.length === 0 ? 'no staging checks defined' : stagingFailed.length === 0 ? `${evidence.staging.length} passed` : `failed: ${stagingFailed.join(', ')}${evidence.stagingWaived ? ' (waived)' : ''}`,
        passed: stagingFailed.length === 0 || evidence.stagingWaived,
      },
      {
        name: 'Freeze acknowledgements',
        required: '100% of required stakeholders',
        actual: `${percent(ratio)}${missing.length ? `; outstanding: ${missing.join(', ')}` : ''}`,
        passed: missing.length === 0,
      },
    ],
    at,
    { freezeAcknowledgements: 1 },
  );
}

export interface LaunchEvidence {
  approved: boolean;
  deployCommands: CommandRecord[];
  expectedSteps: number;
  checks: CheckResult[];
  validationThreshold: number;
}

export function validationSuccessRate(checks: CheckResult[]): number {
  return checks.length === 0 ? 1 : checks.filter((c) => c.passed).length / checks.length;
}

export function launchGate(evidence: LaunchEvidence, at: string): GateResult {
  // The latest attempt of each step counts: a retried step that then passed is not an incident.
  const lastAttempt = new Map<string, CommandRecord>();
  for (const record of evidence.deployCommands) lastAttempt.set(record.name, record);
  const failedSteps = [...lastAttempt.values()].filter((r) => r.exitCode !== 0).map((r) => r.name);
  const completed = [...lastAttempt.values()].filter((r) => r.exitCode === 0).length;
  const rate = validationSuccessRate(evidence.checks);
  return result(
    'launch',
    [
      { name: 'Production approval recorded', required: 'approved', actual: evidence.approved ? 'approved' : 'not approved', passed: evidence.approved },
      {
        name: 'Deployment completed',
        required: `${evidence.expectedSteps} of ${evidence.expectedSteps} steps`,
        actual: `${completed} of ${evidence.expectedSteps} steps`,
        passed: completed === evidence.expectedSteps,
      },
      {
        name: 'Blocking incidents',
        required: '0',
        actual: failedSteps.length === 0 ? '0' : `${failedSteps.length} (${failedSteps.join(', ')})`,
        passed: failedSteps.length === 0,
      },
      {
        name: 'Validation success rate',
        required: `≥ ${percent(evidence.validationThreshold)}`,
        actual: `${percent(rate)} (${evidence.checks.filter((c) => c.passed).length}/${evidence.checks.length})`,
        passed: rate >= evidence.validationThreshold,
      },
    ],
    at,
    { validationThreshold: evidence.validationThreshold },
  );
}

export interface ReportingEvidence {
  metrics: Array<{ name: string; rule: string; series: MetricSeries | undefined }>;
  completeness: number;
  completenessThreshold: number;
  missingEvidence: string[];
}

export function reportingGate(evidence: ReportingEvidence, at: string): GateResult {
  const criteria: GateCriterion[] = evidence.metrics.map(({ name, rule, series }) => ({
    name: `Metric ${name}`,
    required: `${rule}, ≥ ${MIN_SOAK_SAMPLES} samples`,
    actual: series
      ? `${series.samples} samples, ${series.breaches} breaches${series.last !== undefined ? `, last ${series.last}` : ''}${series.failures ? `, ${series.failures} unreadable` : ''}${series.outages ? `, metrics provider down ${series.outages} time(s)` : ''}`
      : 'no samples',
    passed: (series?.breaches ?? 0) === 0 && (series?.outages ?? 0) === 0,
  }));
  criteria.push({
    name: 'Report completeness',
    required: `≥ ${percent(evidence.completenessThreshold)}`,
    actual: `${percent(evidence.completeness)}${evidence.missingEvidence.length ? `; missing: ${evidence.missingEvidence.join(', ')}` : ''}`,
    passed: evidence.completeness >= evidence.completenessThreshold,
  });
  const inconclusive = evidence.metrics.some(({ series }) => (series?.samples ?? 0) < MIN_SOAK_SAMPLES);
  return result('reporting', criteria, at, { completenessThreshold: evidence.completenessThreshold }, inconclusive);
}
