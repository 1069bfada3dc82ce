import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { demoCopy } from '../e2e/demo.js';
import { captureIo } from '../helpers/io.js';

// Bad input to `warroom run`: one located line per problem, exit 3, nothing run.

async function run(args: string[], cwd: string) {
  const io = captureIo(cwd, { PATH: process.env.PATH ?? '' });
  const code = await main(['run', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

describe('warroom run with bad input', () => {
  it('reports a plan that does not exist', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'warroom-bad-'));
    const result = await run(['nope.yaml', '--headless'], dir);
    expect(result.code).toBe(3);
    expect(result.err).toMatch(/^nope\.yaml:1:1 /);
    expect(result.out).toBe('');
  });

  it('reports a plan that is not YAML with its position', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'warroom-bad-'));
    writeFileSync(join(dir, 'release.yaml'), 'version: 1\nrelease: [unclosed\n');
    const result = await run(['release.yaml', '--headless'], dir);
    expect(result.code).toBe(3);
    expect(result.err).toMatch(/^release\.yaml:\d+:\d+ /m);
    expect(result.err).not.toMatch(/at .*\.js:\d+/);
  });

  it('reports an approvals file that is not JSON', async () => {
    const dir = demoCopy();
    writeFileSync(join(dir, 'bad.json'), '[{"for": "production",,}]');
    const result = await run(['release.yaml', '--headless', '--approvals', 'bad.json'], dir);
    expect(result.code).toBe(3);
    expect(result.err).toMatch(/^bad\.json:1:\d+ /);
  });

  it('reports an approvals file that names a role the plan does not ask for', async () => {
    const dir = demoCopy();
    const approvals = JSON.parse(readFileSync(join(dir, 'approvals.json'), 'utf8'));
    approvals[0].role = 'cto';
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(approvals, null, 2));
    const result = await run(['release.yaml', '--headless', '--approvals', 'bad.json'], dir);
    expect(result.code).toBe(3);
    expect(result.err).toMatch(/^bad\.json:\d+:\d+ .*cto/);
  });

  it('refuses an unknown option', async () => {
    const dir = demoCopy();
    const result = await run(['release.yaml', '--headles'], dir);
    expect(result.code).toBe(3);
    expect(result.err).toContain('--headles');
  });

  it('refuses an unknown command', async () => {
    const io = captureIo(tmpdir());
    expect(await main(['deploy'], io)).toBe(3);
    expect(io.err()).toBe('warroom: unknown command "deploy" (see warroom --help)\n');
  });
});
