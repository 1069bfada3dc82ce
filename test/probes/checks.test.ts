import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Check } from '../../src/plan/schema.js';
import { runCheck } from '../../src/probes/checks.js';
import { refusedUrl, reply, startServer, type TestServer } from '../helpers/servers.js';

let dir: string;
let server: TestServer;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warroom-checks-'));
  await mkdir(join(dir, 'scripts'));
  await writeFile(join(dir, 'scripts', 'probe.sh'), '#!/usr/bin/env bash\necho "checking $SERVICE"\nexit "${1:-0}"\n');
  await chmod(join(dir, 'scripts', 'probe.sh'), 0o755);
  server = await startServer((req, res) => {
    if (req.url === '/healthz') return reply(200, 'ok')(req, res);
    if (req.url === '/down') return reply(503, 'unavailable')(req, res);
    if (req.url === '/redirect') {
      res.writeHead(302, { location: '/healthz' });
      return res.end();
    }
    if (req.url === '/slow') return setTimeout(() => reply(200, 'ok')(req, res), 300);
    if (req.url === '/auth') return reply(req.headers.authorization === `Basic ${btoa('ops:pw')}` ? 200 : 401)(req, res);
    return reply(404)(req, res);
  });
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function context(lines: string[] = []) {
  return { cwd: dir, env: { SERVICE: 'checkout' }, log: (batch: readonly string[]) => lines.push(...batch) };
}

const httpCheck = (url: string, extra: Partial<{ expectStatus: number; maxLatencyMs: number; timeout: string }> = {}): Check => ({
  name: 'health',
  http: { url, expectStatus: 200, ...extra },
});

describe('runCheck: run checks', () => {
  it('passes on exit 0 and logs the output', async () => {
    const lines: string[] = [];
    const result = await runCheck({ name: 'probe', run: ['./scripts/probe.sh'] }, { ...context(lines), logPath: 'logs/probe.log' });
    expect(result).toMatchObject({ name: 'probe', kind: 'run', passed: true, detail: 'exit 0', exitCode: 0, log: 'logs/probe.log' });
    expect(lines).toEqual(['checking checkout']);
  });

  it('fails with the exit code', async () => {
    const result = await runCheck({ name: 'probe', run: ['./scripts/probe.sh', '2'] }, context());
    expect(result).toMatchObject({ passed: false, detail: 'exit code 2', exitCode: 2 });
  });

  it('runs in the working directory the caller resolved', async () => {
    const result = await runCheck({ name: 'probe', run: ['./probe.sh'], cwd: 'scripts' }, { ...context(), cwd: join(dir, 'scripts') });
    expect(result.passed).toBe(true);
  });

  it('fails with a clear reason when the script is missing', async () => {
    const result = await runCheck({ name: 'probe', run: ['./scripts/missing.sh'] }, context());
    expect(result).toMatchObject({ passed: false, detail: 'command not found: ./scripts/missing.sh', exitCode: null });
  });

  it('fails when the check times out', async () => {
    const result = await runCheck({ name: 'probe', run: ['sleep', '30'], timeout: '200ms' }, context());
    expect(result).toMatchObject({ passed: false, detail: 'timed out after 200ms' });
  });
});

describe('runCheck: http checks', () => {
  it('passes on the expected status and reports the latency', async () => {
    const result = await runCheck(httpCheck(`${server.url}/healthz`), context());
    expect(result).toMatchObject({ kind: 'http', passed: true, status: 200 });
    expect(result.detail).toMatch(/^HTTP 200 in \d+ ms$/);
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('fails on another status', async () => {
    const result = await runCheck(httpCheck(`${server.url}/down`), context());
    expect(result).toMatchObject({ passed: false, status: 503, detail: 'HTTP 503 (expected 200)' });
  });

  it('accepts the status the plan expects', async () => {
    const result = await runCheck(httpCheck(`${server.url}/down`, { expectStatus: 503 }), context());
    expect(result.passed).toBe(true);
  });

  it('does not follow redirects', async () => {
    const result = await runCheck(httpCheck(`${server.url}/redirect`), context());
    expect(result).toMatchObject({ passed: false, detail: 'HTTP 302 (expected 200)' });
  });

  it('fails when slower than maxLatencyMs', async () => {
    const result = await runCheck(httpCheck(`${server.url}/slow`, { maxLatencyMs: 50 }), context());
    expect(result.passed).toBe(false);
    expect(result.detail).toMatch(/^slow: \d+ ms > 50 ms$/);
  });

  it('fails when the endpoint does not answer within the timeout', async () => {
    const result = await runCheck(httpCheck(`${server.url}/slow`, { timeout: '50ms' }), context());
    expect(result).toMatchObject({ passed: false, detail: `timed out after 50ms: ${server.url}/slow` });
  });

  it('names a refused connection and the URL', async () => {
    const url = await refusedUrl();
    const result = await runCheck(httpCheck(url), context());
    expect(result).toMatchObject({ passed: false, detail: `connection refused: ${url}` });
  });

  it('sends URL credentials as basic auth and never shows the password', async () => {
    const authed = server.url.replace('http://', 'http://ops:pw@');
    expect((await runCheck(httpCheck(`${authed}/auth`), context())).passed).toBe(true);
    const refused = (await refusedUrl()).replace('http://', 'http://ops:pw@');
    const result = await runCheck(httpCheck(refused), context());
    expect(result.detail).toMatch(/^connection refused: http:\/\/127\.0\.0\.1:\d+\/healthz$/);
  });

  it('stops when the session aborts', async () => {
    const result = await runCheck(httpCheck(`${server.url}/slow`), { ...context(), signal: AbortSignal.timeout(30) });
    expect(result).toMatchObject({ passed: false, detail: 'aborted' });
  });
});
