import { durationMs } from '../plan/duration.js';
import type { Metric } from '../plan/schema.js';
import { isBreach, thresholdRule } from './thresholds.js';
import type { MetricSample } from './types.js';
import { readCommandMetric } from './sources/command.js';
import { DEFAULT_HTTP_TIMEOUT_MS, httpGet } from './sources/http.js';
import { readOpenMetric } from './sources/openmetrics.js';
import { readPrometheus } from './sources/prometheus.js';
import { peerText, type Reading } from './sources/reading.js';
import { readSystemMetric } from './sources/system.js';

/** The longest error a sample keeps: room for our words and a few quotes of the peer's. */
const ERROR_LIMIT = 1000;

export { parseOpenMetrics, type OpenMetricsSample } from './sources/openmetrics.js';

export interface MetricContext {
  /** Where a command metric runs: the caller resolves the metric's `cwd` against the plan's folder. */
  cwd: string;
  env?: Record<string, string>;
  signal?: AbortSignal;
}

/** A command metric may query a slow CLI (kubectl, aws): more room than an HTTP read. */
const DEFAULT_COMMAND_TIMEOUT_MS = 30_000;

/**
 * Takes one reading of a health metric. Never rejects: a reading that failed carries a
 * one-line error, so the soak window goes on and the gate can count it.
 */
export async function sampleMetric(metric: Metric, ctx: MetricContext): Promise<MetricSample> {
  const at = new Date().toISOString();
  let reading: Reading;
  try {
    reading = await read(metric, ctx);
  } catch (error) {
    reading = { error: error instanceof Error ? error.message : String(error) };
  }
  // However much a peer sent, a sample's error is one line of bounded length: it is journaled every interval.
  if (reading.error !== undefined) return { metric: metric.name, at, error: peerText(reading.error, ERROR_LIMIT) };
  // ±Inf and NaN cannot be compared with a threshold or written to the evidence as JSON.
  if (!Number.isFinite(reading.value)) return { metric: metric.name, at, error: `value is ${reading.value}` };
  return { metric: metric.name, at, value: reading.value };
}

async function read(metric: Metric, ctx: MetricContext): Promise<Reading> {
  switch (metric.source) {
    case 'system':
      return readSystemMetric(metric);
    case 'http': {
      const timeoutMs = durationMs(metric.timeout, DEFAULT_HTTP_TIMEOUT_MS);
      const response = await httpGet(metric.url, { timeoutMs, signal: ctx.signal });
      if (!response.ok) return { error: response.error };
      if (metric.field === 'status') return { value: response.status };
      // The latency of an error page says nothing about the service's health.
      if (response.status >= 400) return { error: `HTTP ${response.status}, latency not counted` };
      return { value: response.latencyMs };
    }
    case 'prometheus':
      return readPrometheus(metric, durationMs(metric.timeout, DEFAULT_HTTP_TIMEOUT_MS), ctx.signal);
    case 'openmetrics':
      return readOpenMetric(metric, durationMs(metric.timeout, DEFAULT_HTTP_TIMEOUT_MS), ctx.signal);
    case 'command':
      return readCommandMetric(metric, ctx, durationMs(metric.timeout, DEFAULT_COMMAND_TIMEOUT_MS));
  }
}

/**
 * Whether a value breaks the metric's max/min, and the rule as people read it
 * (`error_ratio ≤ 0.05`). The rules live in thresholds.ts so the chart, the gates and
 * the report agree.
 */
export function evaluateThreshold(metric: Metric, value: number): { breached: boolean; rule: string } {
  return { breached: isBreach(metric, value), rule: thresholdRule(metric) };
}

