import { durationMs } from '../plan/duration.js';
import { isHttpCheck, type Check } from '../plan/schema.js';
import { runCommand } from '../runner/command.js';
import type { CheckResult } from './types.js';
import { DEFAULT_HTTP_TIMEOUT_MS, httpGet } from './sources/http.js';

export interface CheckContext {
  /** Where a run check runs: the caller resolves the check's `cwd` against the plan's folder. */
  cwd: string;
  env?: Record<string, string>;
  /** Receives every output line of a run check, a chunk's lines at a time. */
  log: (lines: readonly string[]) => void;
  /** Evidence-relative log path recorded with a run check. */
  logPath?: string;
  /** Used when the check sets no timeout of its own. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A run check may take as long as a command (schema default: 10m). */
const DEFAULT_RUN_TIMEOUT_MS = 10 * 60_000;

/** Runs one readiness, staging or smoke check. Never rejects: a failure is a result. */
export async function runCheck(check: Check, ctx: CheckContext): Promise<CheckResult> {
  return isHttpCheck(check) ? runHttpCheck(check, ctx) : runCommandCheck(check, ctx);
}

async function runCommandCheck(check: Exclude<Check, { http: unknown }>, ctx: CheckContext): Promise<CheckResult> {
  const record = await runCommand({
    name: check.name,
    argv: check.run,
    cwd: ctx.cwd,
    timeoutMs: durationMs(check.timeout, ctx.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS),
    env: ctx.env,
    log: ctx.logPath ?? '',
    onLines: (lines) => ctx.log(lines),
    signal: ctx.signal,
  });
  const result: CheckResult = {
    name: check.name,
    kind: 'run',
    passed: record.exitCode === 0 && record.error === undefined,
    detail: record.error ?? `exit ${record.exitCode ?? 0}`,
    startedAt: record.startedAt,
    durationMs: record.durationMs,
    exitCode: record.exitCode,
  };
  if (ctx.logPath !== undefined) result.log = ctx.logPath;
  return result;
}

async function runHttpCheck(check: Extract<Check, { http: unknown }>, ctx: CheckContext): Promise<CheckResult> {
  const { url, maxLatencyMs } = check.http;
  const expectStatus = check.http.expectStatus ?? 200;
  const started = new Date();
  const outcome = await httpGet(url, {
    timeoutMs: durationMs(check.http.timeout, ctx.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS),
    signal: ctx.signal,
  });
  const result: CheckResult = {
    name: check.name,
    kind: 'http',
    passed: false,
    detail: '',
    startedAt: started.toISOString(),
    durationMs: Date.now() - started.getTime(),
  };
  if (!outcome.ok) return { ...result, detail: outcome.error };
  const { status, latencyMs } = outcome;
  const answered = { ...result, status, latencyMs };
  if (status !== expectStatus) return { ...answered, detail: `HTTP ${status} (expected ${expectStatus})` };
  if (maxLatencyMs !== undefined && latencyMs > maxLatencyMs) {
    return { ...answered, detail: `slow: ${latencyMs} ms > ${maxLatencyMs} ms` };
  }
  return { ...answered, passed: true, detail: `HTTP ${status} in ${latencyMs} ms` };
}
