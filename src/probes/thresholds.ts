import type { Metric } from '../plan/schema.js';

// Threshold rules are pure so the chart, the gates and the report agree on them.

/** `error_ratio ≤ 0.05`, `free_mb ≥ 200`, or both bounds. */
export function thresholdRule(metric: Pick<Metric, 'name' | 'max' | 'min' | 'unit'>): string {
  const unit = metric.unit ? ` ${metric.unit}` : '';
  const bounds: string[] = [];
  if (metric.min !== undefined) bounds.push(`≥ ${metric.min}${unit}`);
  if (metric.max !== undefined) bounds.push(`≤ ${metric.max}${unit}`);
  return `${metric.name} ${bounds.join(' and ') || '(no threshold)'}`;
}

export function isBreach(metric: Pick<Metric, 'max' | 'min'>, value: number): boolean {
  return (metric.max !== undefined && value > metric.max) || (metric.min !== undefined && value < metric.min);
}
