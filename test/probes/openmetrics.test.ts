import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseOpenMetrics } from '../../src/probes/metrics.js';
import { selectSample } from '../../src/probes/sources/openmetrics.js';

const exposition = [
  '# HELP http_requests_total The total number of HTTP requests.',
  '# TYPE http_requests_total counter',
  'http_requests_total{method="post",code="200"} 1027 1395066363000',
  'http_requests_total{method="post",code="400"}    3 1395066363000',
  '',
  '# Escaping in label values:',
  'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9',
  'metric_without_timestamp_and_labels 12.47',
  'something_weird{problem="division by zero"} +Inf -3982045',
  'rpc_duration_seconds{quantile="0.99",} 76656',
  'error_ratio{service="checkout"} 0.02 # {trace_id="abc"} 0.5',
  '{"checkout.latency.p99", zone="eu"} 0.31',
  'broken{label=unquoted} 1',
  'broken_value 12abc',
  '# EOF',
].join('\n');

describe('parseOpenMetrics', () => {
  const samples = parseOpenMetrics(exposition);

  it('reads names, labels, values and timestamps', () => {
    expect(samples[0]).toEqual({
      name: 'http_requests_total',
      labels: { method: 'post', code: '200' },
      value: 1027,
      timestamp: 1395066363000,
    });
    expect(samples.find((s) => s.name === 'metric_without_timestamp_and_labels')).toEqual({
      name: 'metric_without_timestamp_and_labels',
      labels: {},
      value: 12.47,
    });
  });

  it('unescapes label values', () => {
    const sample = samples.find((s) => s.name === 'msdos_file_access_time_seconds');
    expect(sample?.labels).toEqual({ path: 'C:\\DIR\\FILE.TXT', error: 'Cannot find file:\n"FILE.TXT"' });
  });

  it('reads infinities, a trailing comma, exemplars and quoted UTF-8 names', () => {
    expect(samples.find((s) => s.name === 'something_weird')?.value).toBe(Infinity);
    expect(samples.find((s) => s.name === 'rpc_duration_seconds')?.labels).toEqual({ quantile: '0.99' });
    expect(samples.find((s) => s.name === 'error_ratio')?.value).toBe(0.02);
    expect(samples.find((s) => s.name === 'checkout.latency.p99')).toEqual({
      name: 'checkout.latency.p99',
      labels: { zone: 'eu' },
      value: 0.31,
    });
  });

  it('skips lines that do not parse', () => {
    expect(samples.map((s) => s.name)).not.toContain('broken');
    expect(samples.map((s) => s.name)).not.toContain('broken_value');
    expect(samples).toHaveLength(8);
  });

  it('never throws, whatever the input (property)', () => {
    const fragments = fc.constantFrom('{', '}', '"', '\\', '=', ',', ' ', '\n', '#', 'a', '1', 'e', '+Inf', 'NaN', '.');
    const text = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.array(fragments, { maxLength: 60 }).map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(text, (input) => {
        expect(Array.isArray(parseOpenMetrics(input))).toBe(true);
      }),
      { numRuns: 3_000 },
    );
  });
});

describe('selectSample', () => {
  const samples = parseOpenMetrics(exposition);

  it('selects by name and every given label', () => {
    expect(selectSample(samples, 'http_requests_total', { code: '400' })).toEqual({ value: 3 });
  });

  it('names the selector when nothing matches', () => {
    expect(selectSample(samples, 'http_requests_total', { code: '500' })).toEqual({
      error: 'no sample http_requests_total{code="500"}',
    });
  });

  it('refuses to guess between several matching series', () => {
    expect(selectSample(samples, 'http_requests_total').error).toBe(
      '2 samples match http_requests_total, add labels to pick one: ' +
        'http_requests_total{method="post",code="200"}, http_requests_total{method="post",code="400"}',
    );
  });
});
