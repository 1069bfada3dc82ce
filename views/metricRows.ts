import { PROVIDER_DOWN_AFTER } from '../machines/rules.js';
import type { SessionContext } from '../machines/types.js';
import { isBreach, thresholdRule } from '../src/probes/thresholds.js';

// Each health metric as the metrics pane shows it: the latest value the session
// has (soak window, else the last canary analysis, else the post-deployment
// snapshot), the rule it is held to, and whether it breaches.

export type MetricStatus = 'ok' | 'breach' | 'down' | 'unreadable' | 'no data';

export interface MetricRow {
  name: string;
  rule: string;
  value?: number;
  unit?: string;
  recent: readonly number[];
  status: MetricStatus;
  samples: number;
  detail?: string;
}

function latestReading(context: SessionContext, name: string): { value?: number; error?: string } | undefined {
  const series = context.metrics[name];
  if (series && (series.samples > 0 || series.failures > 0)) return { value: series.last, error: series.consecutiveFailures > 0 ? series.lastError : undefined };
  const analysed = [...context.analyses].reverse().flatMap((a) => a.samples).find((s) => s.metric === name);
  return analysed ?? context.postDeploymentSnapshot.find((s) => s.metric === name);
}

export function metricRows(context: SessionContext): MetricRow[] {
  return context.plan.health.metrics.map((metric) => {
    const series = context.metrics[metric.name];
    const reading = latestReading(context, metric.name);
    const base = { name: metric.name, rule: thresholdRule(metric), unit: metric.unit, recent: series?.recent ?? [], samples: series?.samples ?? 0 };
    if (series && series.consecutiveFailures >= PROVIDER_DOWN_AFTER) return { ...base, value: series.last, status: 'down', detail: series.lastError };
    if (reading?.error) return { ...base, value: reading.value, status: 'unreadable', detail: reading.error };
    if (reading?.value === undefined) return { ...base, status: 'no data' };
    return { ...base, value: reading.value, status: isBreach(metric, reading.value) ? 'breach' : 'ok' };
  });
}
