import { STEP } from '../../../machines/setup.js';
import type { ArtifactName, SessionContext } from '../../../machines/types.js';
import { REPORTING_EVIDENCE, artifactPath, reportCompleteness } from '../files.js';
import type { RenderExtras } from './extras.js';
import { percent, table } from './format.js';

// The protocol's Quality Metrics table, filled with what this session
// measured: never a placeholder, and "not evaluated" only when it is true.

export interface QualityMetric {
  metric: string;
  target: string;
  actual: string;
  /** Measured ratio; undefined when there was nothing to measure. */
  value?: number;
  met?: boolean;
}

export interface IntegrationOutput {
  protocol: 19 | 20 | 22;
  artifact: ArtifactName;
  path: string;
  present: boolean;
}

/** The protocol's Integration Points "Outputs To" Protocols 19, 20 and 22 (rollback-plan.md only if triggered). */
export function integrationOutputs(context: SessionContext, extras: Pick<RenderExtras, 'files'>): IntegrationOutput[] {
  const wanted: Array<[IntegrationOutput['protocol'], ArtifactName]> = [
    [19, 'post-deployment-validation'],
    [19, 'health-log'],
    [20, 'deployment-report'],
    ...(context.rollback ? [[20, 'rollback-plan'] as [20, ArtifactName]] : []),
    [22, 'report'],
    [22, 'retrospective'],
  ];
  const files = new Set(extras.files);
  return wanted.map(([protocol, artifact]) => {
    const path = artifactPath(artifact);
    return { protocol, artifact, path, present: context.evidence.includes(artifact) || files.has(path) };
  });
}

/** Gate 3 evaluations: each retry after a failed launch gate evaluates it again; waive, roll back and abort do not. */
function launchGateRuns(context: SessionContext): { runs: number; passes: number } {
  const retried = context.halts.filter((h) => h.step === STEP.launchGate && h.resolution === 'retry').length;
  const last = context.gates.launch;
  return { runs: retried + (last ? 1 : 0), passes: last?.verdict === 'pass' ? 1 : 0 };
}

export function qualityMetrics(context: SessionContext, extras: Pick<RenderExtras, 'files'>): QualityMetric[] {
  const launch = launchGateRuns(context);
  const gate3: QualityMetric =
    launch.runs === 0
      ? { metric: 'Gate 3 Pass Rate', target: '≥ 98%', actual: 'not evaluated (0 of 0 runs: the session did not reach Gate 3)' }
      : {
          metric: 'Gate 3 Pass Rate',
          target: '≥ 98%',
          actual: `${percent(launch.passes / launch.runs)} (${launch.passes} of ${launch.runs} evaluation(s) passed)`,
          value: launch.passes / launch.runs,
          met: launch.passes / launch.runs >= 0.98,
        };
  const { completeness, missing } = reportCompleteness(context.evidence);
  const total = REPORTING_EVIDENCE.length;
  const outputs = integrationOutputs(context, extras);
  const present = outputs.filter((o) => o.present).length;
  const absent = outputs.filter((o) => !o.present).map((o) => o.path);
  return [
    gate3,
    {
      metric: 'Evidence Completeness',
      target: '100%',
      actual: `${percent(completeness)} (${total - missing.length}/${total} reporting artifacts${missing.length ? `; missing: ${missing.join(', ')}` : ''})`,
      value: completeness,
      met: completeness === 1,
    },
    {
      metric: 'Integration Integrity',
      target: '100%',
      actual: `${percent(present / outputs.length)} (${present}/${outputs.length} Protocol 19/20/22 outputs${absent.length ? `; missing: ${absent.join(', ')}` : ''})`,
      value: present / outputs.length,
      met: present === outputs.length,
    },
  ];
}

export function qualityMetricsTable(metrics: QualityMetric[]): string {
  const status = (m: QualityMetric) => (m.met === undefined ? '➖ not measured' : m.met ? '✅ met' : '❌ not met');
  return table(['Metric', 'Target', 'Actual', 'Status'], metrics.map((m) => [m.metric, m.target, m.actual, status(m)]));
}
