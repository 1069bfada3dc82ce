import { formatDuration } from '../../plan/duration.js';

/** What an HTTP probe learned: a response, or one line saying why there was none. */
export type HttpOutcome =
  | { ok: true; status: number; latencyMs: number; body: string }
  | { ok: false; error: string };

export interface HttpOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Read the body (metrics); checks only need the status. */
  readBody?: boolean;
}

export const DEFAULT_HTTP_TIMEOUT_MS = 10_000;
/** A scrape larger than this is not a metrics endpoint we should hold in memory. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * GET without following redirects (a health endpoint that redirects to a login page is
 * not healthy), credentials in the URL sent as Basic auth, latency to the response head.
 */
export async function httpGet(url: string, options: HttpOptions): Promise<HttpOutcome> {
  const shown = displayUrl(url);
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  const started = performance.now();
  try {
    const { target, headers } = withBasicAuth(url);
    const response = await fetch(target, { signal, redirect: 'manual', headers });
    const latencyMs = Math.round(performance.now() - started);
    const body = options.readBody ? await readBounded(response) : '';
    if (!options.readBody) await response.body?.cancel();
    if (body === undefined) return { ok: false, error: `response larger than 16 MiB: ${shown}` };
    return { ok: true, status: response.status, latencyMs, body };
  } catch (error) {
    if (timeout.aborted) return { ok: false, error: `timed out after ${formatDuration(options.timeoutMs)}: ${shown}` };
    if (options.signal?.aborted) return { ok: false, error: 'aborted' };
    return { ok: false, error: `${describeNetworkError(error)}: ${shown}` };
  }
}

/** The URL for messages and evidence: never with its password. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === '' && parsed.password === '') return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.href;
  } catch {
    return url;
  }
}

/** fetch refuses URLs with credentials: the Authorization header curl would send, or undefined without any. */
export function basicAuthorization(url: URL): string | undefined {
  if (url.username === '' && url.password === '') return undefined;
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return `Basic ${Buffer.from(credentials).toString('base64')}`;
}

function withBasicAuth(url: string): { target: string; headers: Record<string, string> } {
  const headers: Record<string, string> = { 'user-agent': 'warroom', accept: 'text/plain, application/json, */*' };
  const parsed = new URL(url);
  const authorization = basicAuthorization(parsed);
  if (authorization === undefined) return { target: url, headers };
  headers.authorization = authorization;
  parsed.username = '';
  parsed.password = '';
  return { target: parsed.href, headers };
}

async function readBounded(response: Response): Promise<string | undefined> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES) {
      await response.body.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  UND_ERR_SOCKET: 'connection closed by the server',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found (DNS lookup failed)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_HEADERS_TIMEOUT: 'no response headers in time',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS certificate chain is self-signed',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate cannot be verified',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not match the host',
};

/** fetch says only "fetch failed"; the reason is in its cause (or the cause's errors). */
export function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause ?? error;
  const nested = (cause as { errors?: unknown[] }).errors?.[0];
  const code = (cause as { code?: string }).code ?? (nested as { code?: string } | undefined)?.code;
  if (code !== undefined && NETWORK_ERRORS[code] !== undefined) return NETWORK_ERRORS[code];
  const message = cause instanceof Error ? cause.message : String(cause);
  return (code !== undefined ? `${code}: ${message}` : message).split('\n')[0] ?? 'request failed';
}
