import { peerText, quoted, type Reading } from './reading.js';
import { httpGet } from './http.js';

interface QueryResponse {
  status?: string;
  errorType?: string;
  error?: string;
  data?: { resultType?: string; result?: unknown };
}

interface Series {
  metric?: Record<string, string>;
  value?: [number, string];
}

/** An instant query against the HTTP API (`/api/v1/query`): one series or a scalar. */
export async function readPrometheus(
  source: { url: string; query: string },
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Reading> {
  const endpoint = `${source.url.replace(/\/+$/, '')}/api/v1/query?query=${encodeURIComponent(source.query)}`;
  const response = await httpGet(endpoint, { timeoutMs, signal, readBody: true });
  if (!response.ok) return { error: response.error };
  let body: QueryResponse;
  try {
    body = JSON.parse(response.body) as QueryResponse;
  } catch {
    // Prometheus answers errors as JSON too; anything else is not a Prometheus API.
    return { error: `HTTP ${response.status}, not a Prometheus API response` };
  }
  if (body === null || typeof body !== 'object') return { error: `HTTP ${response.status}, unexpected Prometheus response` };
  if (body.status === 'error') {
    return { error: `prometheus ${peerText(String(body.errorType ?? 'error'), 40)}: ${peerText(String(body.error ?? 'no reason given'))}` };
  }
  if (body.status !== 'success' || body.data === null || typeof body.data !== 'object') {
    return { error: `HTTP ${response.status}, unexpected Prometheus response` };
  }
  return readResult(body.data.resultType, body.data.result, source.query);
}

function readResult(resultType: string | undefined, result: unknown, query: string): Reading {
  if (resultType === 'scalar') return parseSampleValue(result);
  if (resultType !== 'vector') {
    return { error: `query returned a ${resultType === undefined ? 'missing' : peerText(String(resultType), 40)} result, expected an instant vector or scalar` };
  }
  const series = Array.isArray(result) ? (result as Array<Series | null>).filter((item): item is Series => item !== null && typeof item === 'object') : [];
  const [only] = series;
  if (only === undefined) return { error: `query returned no series: ${query}` };
  if (series.length > 1) {
    const shown = series.slice(0, 3).map((item) => formatLabels(item.metric ?? {}));
    return { error: `query returned ${series.length} series, aggregate it to one (e.g. sum(...)): ${shown.join(', ')}` };
  }
  return parseSampleValue(only.value);
}

/** `[1714560000.123, "0.02"]`; Prometheus sends NaN and ±Inf as strings too. */
function parseSampleValue(pair: unknown): Reading {
  const text = Array.isArray(pair) ? pair[1] : undefined;
  if (typeof text !== 'string') return { error: 'query result has no sample value' };
  if (text === '+Inf' || text === 'Inf') return { value: Infinity };
  if (text === '-Inf') return { value: -Infinity };
  if (text === 'NaN') return { value: NaN };
  const value = Number(text);
  return text.trim() === '' || Number.isNaN(value) ? { error: `not a number: ${quoted(text)}` } : { value };
}

function formatLabels(labels: Record<string, string>): string {
  return `{${Object.entries(labels)
    .map(([key, value]) => `${peerText(key, 40)}=${quoted(String(value))}`)
    .join(',')}}`;
}

