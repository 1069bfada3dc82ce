import { peerText, quoted, type Reading } from './reading.js';
import { httpGet } from './http.js';

/** One sample line of a Prometheus text exposition (or OpenMetrics) scrape. */
export interface OpenMetricsSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  timestamp?: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const NUMBER = /^[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|Inf|inf|NaN|nan)$/;

/**
 * Parses the text format: `# HELP`/`# TYPE` lines and comments are skipped, as is any
 * line that does not parse (one bad line must not hide the rest). Never throws.
 */
export function parseOpenMetrics(text: string): OpenMetricsSample[] {
  const samples: OpenMetricsSample[] = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const sample = parseSampleLine(line);
    if (sample !== undefined) samples.push(sample);
  }
  return samples;
}

function parseSampleLine(line: string): OpenMetricsSample | undefined {
  let name = NAME.exec(line)?.[0] ?? '';
  let rest = line.slice(name.length);
  let labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    const parsed = parseLabels(rest);
    if (parsed === undefined) return undefined;
    labels = parsed.labels;
    // Prometheus 3 may quote a UTF-8 metric name inside the braces: {"my.metric", a="b"}
    name = name || parsed.quotedName || '';
    rest = rest.slice(parsed.length);
  }
  if (name === '') return undefined;
  // OpenMetrics exemplars follow ` # `; they are not part of the sample.
  const exemplar = rest.indexOf(' # ');
  const fields = (exemplar === -1 ? rest : rest.slice(0, exemplar)).trim().split(/\s+/);
  const [valueText, timestampText, ...extra] = fields;
  if (valueText === undefined || !NUMBER.test(valueText) || extra.length > 0) return undefined;
  const sample: OpenMetricsSample = { name, labels, value: parseNumber(valueText) };
  if (timestampText !== undefined) {
    if (!NUMBER.test(timestampText)) return undefined;
    sample.timestamp = parseNumber(timestampText);
  }
  return sample;
}

function parseNumber(text: string): number {
  const lower = text.toLowerCase();
  if (lower.endsWith('inf')) return lower.startsWith('-') ? -Infinity : Infinity;
  if (lower === 'nan') return NaN;
  return Number(text);
}

/** `{a="1",b="x\"y"}` starting at text[0]; undefined when malformed. */
function parseLabels(text: string): { labels: Record<string, string>; quotedName?: string; length: number } | undefined {
  const labels: Record<string, string> = {};
  let quotedName: string | undefined;
  let i = 1;
  for (;;) {
    while (text[i] === ' ' || text[i] === ',') i += 1;
    if (text[i] === '}') return { labels, quotedName, length: i + 1 };
    let labelName: string;
    if (text[i] === '"') {
      const quoted = readQuoted(text, i);
      if (quoted === undefined) return undefined;
      i = quoted.end;
      while (text[i] === ' ') i += 1;
      if (text[i] !== '=') {
        quotedName = quoted.value;
        continue;
      }
      labelName = quoted.value;
    } else {
      labelName = LABEL_NAME.exec(text.slice(i))?.[0] ?? '';
      if (labelName === '') return undefined;
      i += labelName.length;
      while (text[i] === ' ') i += 1;
    }
    if (text[i] !== '=') return undefined;
    i += 1;
    while (text[i] === ' ') i += 1;
    const value = readQuoted(text, i);
    if (value === undefined) return undefined;
    labels[labelName] = value.value;
    i = value.end;
  }
}

/** A double-quoted string with the format's escapes: \\, \" and \n. */
function readQuoted(text: string, start: number): { value: string; end: number } | undefined {
  if (text[start] !== '"') return undefined;
  let value = '';
  for (let i = start + 1; i < text.length; i += 1) {
    const char = text[i];
    if (char === '"') return { value, end: i + 1 };
    if (char === '\\') {
      const next = text[i + 1];
      if (next === undefined) return undefined;
      value += next === 'n' ? '\n' : next;
      i += 1;
    } else {
      value += char;
    }
  }
  return undefined;
}

/** `http_requests_total{code="500"}`: how a selection reads in messages. */
export function formatSelector(name: string, labels: Record<string, string> = {}): string {
  const pairs = Object.entries(labels).map(([key, value]) => `${peerText(key, 40)}=${quoted(value)}`);
  return pairs.length === 0 ? name : `${name}{${pairs.join(',')}}`;
}

/** The one sample with this name and all these labels; an error when none or several match. */
export function selectSample(
  samples: OpenMetricsSample[],
  name: string,
  labels: Record<string, string> = {},
): Reading {
  const wanted = Object.entries(labels);
  const matches = samples.filter(
    (sample) => sample.name === name && wanted.every(([key, value]) => sample.labels[key] === value),
  );
  const selector = formatSelector(name, labels);
  const [only] = matches;
  if (only === undefined) return { error: `no sample ${selector}` };
  if (matches.length > 1) {
    const shown = matches.slice(0, 3).map((sample) => formatSelector(sample.name, sample.labels));
    return { error: `${matches.length} samples match ${selector}, add labels to pick one: ${shown.join(', ')}` };
  }
  return { value: only.value };
}

export async function readOpenMetric(
  source: { url: string; metric: string; labels?: Record<string, string> },
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Reading> {
  const response = await httpGet(source.url, { timeoutMs, signal, readBody: true });
  if (!response.ok) return { error: response.error };
  if (response.status !== 200) return { error: `HTTP ${response.status} from the metrics endpoint` };
  return selectSample(parseOpenMetrics(response.body), source.metric, source.labels);
}
