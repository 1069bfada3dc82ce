import { formatDuration } from '../plan/duration.js';
import { basicAuthorization, describeNetworkError } from '../probes/sources/http.js';

// One POST to one webhook. Webhook URLs carry their token in the path or query, so
// nothing here ever puts more of the URL than scheme, host and port into a message.

export interface WebhookEndpoint {
  /** `notify[0] https://hooks.example.com/…`: the plan entry, with no path or token. */
  label: string;
  /** The URL fetch is given: credentials moved into the authorization header. */
  target: string;
  headers: Record<string, string>;
  /** Parts of the URL that must not appear in a message. */
  secrets: string[];
}

export type PostOutcome = { ok: true } | { ok: false; reason: string; retry: boolean };

/** Scheme, host and port, then `/…`: enough to tell webhooks apart, never the token. */
export function redactWebhookUrl(url: URL): string {
  return `${url.protocol}//${url.host}/…`;
}

/** The endpoint for a plan's `notify[index]`, or undefined when it is not an http(s) URL. */
export function parseWebhook(webhook: string, index: number): WebhookEndpoint | undefined {
  let url: URL;
  try {
    url = new URL(webhook);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'warroom' };
  const secrets = [webhook, url.href, `${url.pathname}${url.search}${url.hash}`];
  const authorization = basicAuthorization(url);
  if (authorization !== undefined) {
    headers.authorization = authorization;
    secrets.push(url.username, url.password);
    url.username = '';
    url.password = '';
    secrets.push(url.href);
  }
  return {
    label: `notify[${index}] ${redactWebhookUrl(url)}`,
    target: url.href,
    headers,
    // A bare `/` or a one-letter user name is not a secret, and scrubbing it would mangle messages.
    secrets: secrets.filter((part) => part.length > 2).sort((a, b) => b.length - a.length),
  };
}

/**
 * POST without following redirects (a webhook that redirects is misconfigured, and the
 * body would not follow anyway). 2xx is delivered; 5xx, 408, 429, timeouts and network
 * errors are worth another attempt; any other answer is not.
 */
export async function postJson(endpoint: WebhookEndpoint, body: string, options: { timeoutMs: number; signal: AbortSignal }): Promise<PostOutcome> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  try {
    const response = await fetch(endpoint.target, {
      method: 'POST',
      body,
      headers: endpoint.headers,
      redirect: 'manual',
      signal: AbortSignal.any([timeout, options.signal]),
    });
    await response.body?.cancel().catch(() => {});
    const { status } = response;
    if (status >= 200 && status < 300) return { ok: true };
    if (status >= 300 && status < 400) return { ok: false, reason: `answered HTTP ${status} (redirects are not followed)`, retry: false };
    return { ok: false, reason: `answered HTTP ${status}`, retry: status >= 500 || status === 408 || status === 429 };
  } catch (error) {
    if (options.signal.aborted) return { ok: false, reason: 'abandoned at the end of the session', retry: false };
    if (timeout.aborted) return { ok: false, reason: `no answer within ${formatDuration(options.timeoutMs)}`, retry: true };
    return { ok: false, reason: scrub(describeNetworkError(error), endpoint), retry: true };
  }
}

// Error texts from the network stack may quote the URL they were given.
function scrub(text: string, endpoint: WebhookEndpoint): string {
  return endpoint.secrets.reduce((scrubbed, secret) => scrubbed.split(secret).join('/…'), text);
}
