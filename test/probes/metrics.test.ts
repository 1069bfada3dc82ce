import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Metric } from '../../src/plan/schema.js';
import { evaluateThreshold, sampleMetric } from '../../src/probes/metrics.js';
import { createOutputFilter } from '../../src/safety/output.js';
import { refusedUrl, reply, startServer, type TestServer } from '../helpers/servers.js';

/** A GitHub token a careless exporter put in a label value. */
const TOKEN = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';

let dir: string;
let server: TestServer;
const queries: string[] = [];

/** A fake Prometheus /api/v1/query: the answer depends on the query text. */
function prometheusAnswer(query: string): { status: number; body: unknown } {
  const vector = (series: Array<[Record<string, string>, string]>) => ({
    status: 'success',
    data: { resultType: 'vector', result: series.map(([metric, value]) => ({ metric, value: [1714560000.1, value] })) },
  });
  switch (query) {
    case 'error_ratio':
      return { status: 200, body: vector([[{ service: 'checkout' }, '0.02']]) };
    case 'scalar(1)':
      return { status: 200, body: { status: 'success', data: { resultType: 'scalar', result: [1714560000, '1'] } } };
    case 'absent_metric':
      return { status: 200, body: vector([]) };
    case 'by_pod':
      return { status: 200, body: vector([[{ pod: 'a' }, '1'], [{ pod: 'b' }, '2']]) };
    case 'ratio_nan':
      return { status: 200, body: vector([[{}, 'NaN']]) };
    case 'up[5m]':
      return { status: 200, body: { status: 'success', data: { resultType: 'matrix', result: [] } } };
    case 'leaky_labels':
      return { status: 200, body: vector([[{ pod: `\n${TOKEN}` }, '1'], [{ pod: `\t${TOKEN}` }, '2']]) };
    case 'huge_error':
      return { status: 400, body: { status: 'error', errorType: 'bad_data', error: `${TOKEN} ${'Zq, '.repeat(250_000)}` } };
    case 'null_body':
      return { status: 200, body: null };
    case 'null_data':
      return { status: 200, body: { status: 'success', data: null } };
    case 'null_series':
      return { status: 200, body: { status: 'success', data: { resultType: 'vector', result: [null] } } };
    default:
      return {
        status: 400,
        body: { status: 'error', errorType: 'bad_data', error: `1:5: parse error: unexpected "(" in ${query}` },
      };
  }
}

const scrape = [
  '# HELP checkout_errors_ratio Share of failed checkouts.',
  '# TYPE checkout_errors_ratio gauge',
  'checkout_errors_ratio{region="eu",canary="true"} 0.07',
  'checkout_errors_ratio{region="eu",canary="false"} 0.01',
  'checkout_errors_ratio{region="us",canary="false"} 0.02',
].join('\n');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warroom-metrics-'));
  const script = async (name: string, body: string) => {
    await writeFile(join(dir, name), `#!/usr/bin/env bash\n${body}\n`);
    await chmod(join(dir, name), 0o755);
  };
  await script('ratio.sh', 'echo "querying…" >&2\necho 0.5\necho\necho "  0.03  "');
  await script('words.sh', 'echo "ratio is high"');
  await script('failing.sh', 'echo "no credentials" >&2\nexit 4');
  server = await startServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/api/v1/query') {
      const query = url.searchParams.get('query') ?? '';
      queries.push(query);
      const { status, body } = prometheusAnswer(query);
      return reply(status, JSON.stringify(body), 'application/json')(req, res);
    }
    if (url.pathname === '/metrics') return reply(200, scrape, 'text/plain; version=0.0.4')(req, res);
    if (url.pathname === '/healthz') return reply(200, 'ok')(req, res);
    if (url.pathname === '/broken') return reply(500, 'boom')(req, res);
    return reply(404, 'not found')(req, res);
  });
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const ctx = () => ({ cwd: dir });
const prometheus = (query: string, url = server.url): Metric => ({ name: 'error_ratio', source: 'prometheus', url, query, breachesBeforeAction: 1, max: 0.05 });
const openmetrics = (labels?: Record<string, string>, metric = 'checkout_errors_ratio'): Metric => ({
  name: 'canary_errors', source: 'openmetrics', url: `${server.url}/metrics`, metric, labels, breachesBeforeAction: 1,
});
const command = (run: string[]): Metric => ({ name: 'ratio', source: 'command', run, breachesBeforeAction: 1 });

describe('sampleMetric: prometheus', () => {
  it('reads a single-series instant vector', async () => {
    const sample = await sampleMetric(prometheus('error_ratio'), ctx());
    expect(sample).toMatchObject({ metric: 'error_ratio', value: 0.02 });
    expect(sample.error).toBeUndefined();
    expect(Date.parse(sample.at)).not.toBeNaN();
  });

  it('sends the query URL-encoded and accepts a trailing slash on the server URL', async () => {
    const sample = await sampleMetric(prometheus('scalar(1)', `${server.url}/`), ctx());
    expect(sample.value).toBe(1);
    expect(queries).toContain('scalar(1)');
  });

  it("reports Prometheus' own error type and text", async () => {
    const sample = await sampleMetric(prometheus('sum(rate(x[5m])'), ctx());
    expect(sample.error).toBe('prometheus bad_data: 1:5: parse error: unexpected "(" in sum(rate(x[5m])');
    expect(sample.value).toBeUndefined();
  });

  it('fails on an empty result', async () => {
    expect((await sampleMetric(prometheus('absent_metric'), ctx())).error).toBe('query returned no series: absent_metric');
  });

  it('fails on more than one series and shows them', async () => {
    expect((await sampleMetric(prometheus('by_pod'), ctx())).error).toBe(
      'query returned 2 series, aggregate it to one (e.g. sum(...)): {pod="a"}, {pod="b"}',
    );
  });

  it('quotes label values on one line, so a token in one is still masked where the error is journaled', async () => {
    const sample = await sampleMetric(prometheus('leaky_labels'), ctx());
    expect(sample.error).toBe(`query returned 2 series, aggregate it to one (e.g. sum(...)): {pod=" ${TOKEN}"}, {pod=" ${TOKEN}"}`);
    const journaled = createOutputFilter({ values: [], patterns: [] })(sample.error!).evidence;
    expect(journaled).not.toContain(TOKEN.slice(4, 20));
    expect(journaled).toContain('[masked:github-token ghp_…]');
  });

  it("keeps a sample's error short however much the server sends, cutting between words", async () => {
    const sample = await sampleMetric(prometheus('huge_error'), ctx());
    expect(sample.error!.startsWith(`prometheus bad_data: ${TOKEN} Zq, Zq,`)).toBe(true);
    expect(sample.error!.length).toBeLessThan(300);
    expect(sample.error!.endsWith('Zq,…')).toBe(true);
  });

  it.each([
    ['null_body', 'HTTP 200, unexpected Prometheus response'],
    ['null_data', 'HTTP 200, unexpected Prometheus response'],
    ['null_series', 'query returned no series: null_series'],
  ])('reads %s as an unexpected answer, not a crash', async (query, error) => {
    expect((await sampleMetric(prometheus(query), ctx())).error).toBe(error);
  });

  it('fails on a range vector', async () => {
    expect((await sampleMetric(prometheus('up[5m]'), ctx())).error).toMatch(/matrix result, expected an instant vector/);
  });

  it('refuses NaN', async () => {
    expect((await sampleMetric(prometheus('ratio_nan'), ctx())).error).toBe('value is NaN');
  });

  it('fails when the server is not Prometheus', async () => {
    const sample = await sampleMetric(prometheus('error_ratio', `${server.url}/elsewhere`), ctx());
    expect(sample.error).toBe('HTTP 404, not a Prometheus API response');
  });

  it('names a refused connection', async () => {
    const url = await refusedUrl('');
    const sample = await sampleMetric(prometheus('error_ratio', url), ctx());
    expect(sample.error).toMatch(/^connection refused: http:\/\/127\.0\.0\.1:\d+\/api\/v1\/query\?query=error_ratio$/);
  });
});

describe('sampleMetric: openmetrics', () => {
  it('selects the sample by name and labels', async () => {
    expect((await sampleMetric(openmetrics({ region: 'eu', canary: 'true' }), ctx())).value).toBe(0.07);
  });

  it('fails when the labels match several samples', async () => {
    expect((await sampleMetric(openmetrics({ canary: 'false' }), ctx())).error).toMatch(/^2 samples match/);
  });

  it('fails when nothing matches', async () => {
    expect((await sampleMetric(openmetrics({}, 'checkout_latency'), ctx())).error).toBe('no sample checkout_latency');
  });
});

describe('sampleMetric: http', () => {
  const http = (path: string, field: 'latencyMs' | 'status'): Metric => ({
    name: 'api', source: 'http', url: `${server.url}${path}`, field, breachesBeforeAction: 1,
  });

  it('reads the latency of a GET', async () => {
    const sample = await sampleMetric(http('/healthz', 'latencyMs'), ctx());
    expect(sample.value).toBeGreaterThanOrEqual(0);
  });

  it('reads the status', async () => {
    expect((await sampleMetric(http('/broken', 'status'), ctx())).value).toBe(500);
  });

  it('does not count the latency of an error response', async () => {
    expect((await sampleMetric(http('/broken', 'latencyMs'), ctx())).error).toBe('HTTP 500, latency not counted');
  });
});

describe('sampleMetric: command', () => {
  it('reads the last non-empty line of stdout as the value', async () => {
    expect((await sampleMetric(command(['./ratio.sh']), ctx())).value).toBe(0.03);
  });

  it('fails when the output is not a number', async () => {
    expect((await sampleMetric(command(['./words.sh']), ctx())).error).toBe('not a number: "ratio is high"');
  });

  it('fails on a non-zero exit and shows the last error line', async () => {
    expect((await sampleMetric(command(['./failing.sh']), ctx())).error).toBe('exit code 4: "no credentials"');
  });

  it('fails, without rejecting, when the command is missing', async () => {
    expect((await sampleMetric(command(['./absent.sh']), ctx())).error).toBe('command not found: ./absent.sh');
  });
});

describe('sampleMetric: system', () => {
  it.each(['cpu', 'memory', 'load'] as const)('reads %s from the host', async (field) => {
    const sample = await sampleMetric({ name: field, source: 'system', field, breachesBeforeAction: 1 }, ctx());
    expect(sample.error).toBeUndefined();
    expect(sample.value).toBeGreaterThanOrEqual(0);
    if (field !== 'load') expect(sample.value).toBeLessThanOrEqual(100);
  });
});

describe('evaluateThreshold', () => {
  const metric = (limits: { max?: number; min?: number; unit?: string }): Metric => ({
    name: 'error_ratio', source: 'system', field: 'cpu', breachesBeforeAction: 1, ...limits,
  });

  it('breaches above max', () => {
    expect(evaluateThreshold(metric({ max: 0.05 }), 0.07)).toEqual({ breached: true, rule: 'error_ratio ≤ 0.05' });
    expect(evaluateThreshold(metric({ max: 0.05 }), 0.05)).toEqual({ breached: false, rule: 'error_ratio ≤ 0.05' });
  });

  it('breaches below min', () => {
    expect(evaluateThreshold(metric({ min: 10, unit: 'rps' }), 3)).toEqual({ breached: true, rule: 'error_ratio ≥ 10 rps' });
  });

  it('states a range when both are set', () => {
    expect(evaluateThreshold(metric({ min: 1, max: 5 }), 3)).toEqual({ breached: false, rule: 'error_ratio ≥ 1 and ≤ 5' });
    expect(evaluateThreshold(metric({ min: 1, max: 5 }), 6).breached).toBe(true);
  });

  it('never breaches without a threshold', () => {
    expect(evaluateThreshold(metric({}), 1e9)).toEqual({ breached: false, rule: 'error_ratio (no threshold)' });
  });
});
