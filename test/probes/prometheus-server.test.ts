import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionableBreach, addSample, emptySeries, PROVIDER_DOWN_AFTER } from '../../machines/rules.js';
import type { MetricSeries } from '../../machines/types.js';
import { planSchema, type Metric, type Plan } from '../../src/plan/schema.js';
import { evaluateThreshold, sampleMetric } from '../../src/probes/metrics.js';
import type { MetricSample } from '../../src/probes/types.js';
import { startExporter, startPrometheus, waitFor, type Exporter, type PrometheusServer } from './prometheus-server.js';

// The prometheus metric source against the real thing: Prometheus 2.x scraping a
// loopback exporter every second. The binary must be on PATH (CI installs it); without
// it this suite fails in beforeAll rather than skipping.

const JOB = 'warroom-exporter';
/** Startup, first scrape and every wait on a value: generous for a loaded CI machine. */
const WAIT_MS = 60_000;

let exporter: Exporter | undefined;
let prometheus: PrometheusServer | undefined;

beforeAll(async () => {
  exporter = await startExporter({
    'checkout_error_ratio{service="checkout-api"}': 0.02,
    'payments_error_ratio{service="payments-gateway"}': 0.01,
    'checkout_latency_p95_ms{pod="checkout-0"}': 120,
    'checkout_latency_p95_ms{pod="checkout-1"}': 180,
  });
  prometheus = await startPrometheus({ target: exporter.target, job: JOB, readyTimeoutMs: WAIT_MS });
  const server = prometheus;
  // Ready is not scraped: wait until the exporter's series are queryable.
  await waitFor(
    `the first scrape of ${exporter.target} to be queryable`,
    async () => {
      const query = encodeURIComponent(`count({job="${JOB}", __name__=~"checkout_.*|payments_.*"})`);
      const response = await fetch(`${server.url}/api/v1/query?query=${query}`, { signal: AbortSignal.timeout(2_000) });
      const body = (await response.json()) as { data?: { result?: Array<{ value: [number, string] }> } };
      return body.data?.result?.[0]?.value[1] === '4' ? true : undefined;
    },
    { timeoutMs: WAIT_MS, diagnostics: () => `prometheus log:\n${server.log()}` },
  );
}, 2 * WAIT_MS + 10_000);

afterAll(async () => {
  await prometheus?.stop();
  await exporter?.close();
}, 30_000);

/** The plan's health metrics, parsed by the real schema (defaults such as breachesBeforeAction applied). */
function planWith(metrics: Array<Record<string, unknown>>): Plan {
  return planSchema.parse({
    version: 1,
    release: { name: 'checkout-api', tag: 'v2.4.0', environment: 'production', services: ['checkout-api'], strategy: 'canary' },
    stakeholders: [{ name: 'Sam Okafor', role: 'sre', user: 'sam' }],
    approvals: { production: ['sre'] },
    deploy: { steps: [{ name: 'canary-10', run: ['true'] }] },
    rollback: { run: ['true'] },
    health: { soak: '30s', interval: '1s', metrics },
  });
}

function prometheusMetric(name: string, query: string, limits: { max?: number; min?: number }): { plan: Plan; metric: Metric } {
  const plan = planWith([{ name, source: 'prometheus', url: prometheus!.url, query, timeout: '5s', ...limits }]);
  return { plan, metric: plan.health.metrics[0]! };
}

const sample = (metric: Metric) => sampleMetric(metric, { cwd: process.cwd() });

/** Feeds samples through the chart's own bookkeeping, as the soak window does. */
function soak(metric: Metric, samples: MetricSample[]): Record<string, MetricSeries> {
  return { [metric.name]: samples.reduce((series, s) => addSample(series, metric, s), emptySeries()) };
}

describe('prometheus source against a real Prometheus server', () => {
  it('passes a value inside its threshold', async () => {
    const { plan, metric } = prometheusMetric('error_ratio', 'checkout_error_ratio{service="checkout-api"}', { max: 0.05 });
    const reading = await sample(metric);
    expect(reading).toMatchObject({ metric: 'error_ratio', value: 0.02 });
    expect(reading.error).toBeUndefined();
    expect(evaluateThreshold(metric, reading.value!)).toEqual({ breached: false, rule: 'error_ratio ≤ 0.05' });
    const metrics = soak(metric, [reading, reading, reading]);
    expect(metrics.error_ratio).toMatchObject({ samples: 3, breaches: 0, failures: 0 });
    expect(actionableBreach(plan, metrics)).toBeUndefined();
  });

  it('aggregates several series with PromQL and passes against a min and max', async () => {
    const { plan, metric } = prometheusMetric('p95_latency_ms', 'max(checkout_latency_p95_ms)', { min: 1, max: 250 });
    const reading = await sample(metric);
    expect(reading.value).toBe(180);
    expect(actionableBreach(plan, soak(metric, [reading]))).toBeUndefined();
  });

  it('breaches when the scraped gauge climbs above its max', async () => {
    const { plan, metric } = prometheusMetric('payments_error_ratio', 'payments_error_ratio', { max: 0.05 });
    expect((await sample(metric)).value).toBe(0.01);
    exporter!.set('payments_error_ratio{service="payments-gateway"}', 0.31);
    // The next scrape (every second) carries the new value.
    const reading = await waitFor('Prometheus to report the raised gauge', async () => {
      const latest = await sample(metric);
      return latest.value === 0.31 ? latest : undefined;
    }, { timeoutMs: WAIT_MS, intervalMs: 200 });
    expect(evaluateThreshold(metric, reading.value!)).toEqual({ breached: true, rule: 'payments_error_ratio ≤ 0.05' });
    const metrics = soak(metric, [reading]);
    expect(metrics.payments_error_ratio?.breaches).toBe(1);
    expect(actionableBreach(plan, metrics)).toBe('payments_error_ratio = 0.31 breaches its threshold (max 0.05) for 1 sample(s)');
  });

  it('reports a bad PromQL query as an error, never as a zero', async () => {
    const { metric } = prometheusMetric('error_ratio', 'sum(rate(checkout_error_ratio[1m])', { max: 0.05 });
    const reading = await sample(metric);
    expect(reading.value).toBeUndefined();
    expect(reading.error).toMatch(/^prometheus bad_data: .*parse error/);
    const series = soak(metric, [reading]).error_ratio!;
    expect(series).toMatchObject({ samples: 0, failures: 1, breaches: 0 });
    expect(series.last).toBeUndefined();
  });

  it(`counts ${PROVIDER_DOWN_AFTER} unreadable samples in a row as "metrics provider down"`, async () => {
    const { plan, metric } = prometheusMetric('error_ratio', 'sum(rate(checkout_error_ratio[1m])', { max: 0.05 });
    const readings: MetricSample[] = [];
    for (let i = 0; i < PROVIDER_DOWN_AFTER; i += 1) readings.push(await sample(metric));
    expect(actionableBreach(plan, soak(metric, readings.slice(0, -1)))).toBeUndefined();
    const breach = actionableBreach(plan, soak(metric, readings));
    expect(breach).toMatch(/^error_ratio: metrics provider down: prometheus bad_data: .*parse error/);
    expect(soak(metric, readings).error_ratio).toMatchObject({ breaches: 0, outages: 1 });
  });

  it('reports a query that matches no series as "no series"', async () => {
    const query = 'checkout_error_ratio{service="no-such-service"}';
    const { metric } = prometheusMetric('error_ratio', query, { max: 0.05 });
    const reading = await sample(metric);
    expect(reading.value).toBeUndefined();
    expect(reading.error).toBe(`query returned no series: ${query}`);
  });

  it('refuses to guess between several series', async () => {
    const { metric } = prometheusMetric('p95_latency_ms', 'checkout_latency_p95_ms', { max: 250 });
    const reading = await sample(metric);
    expect(reading.value).toBeUndefined();
    expect(reading.error).toMatch(/^query returned 2 series, aggregate it to one \(e\.g\. sum\(\.\.\.\)\): /);
    expect(reading.error).toContain('pod="checkout-0"');
  });
});
