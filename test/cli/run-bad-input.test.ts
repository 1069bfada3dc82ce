import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { demoCopy, REPO } from '../e2e/demo.js';
import { captureIo } from '../helpers/io.js';
import { warroomFromSource } from './source-cli.js';

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

  it("refuses an evidence folder that already holds a session's journal, leaving it as it was", async () => {
    const dir = demoCopy();
    const earlier = readFileSync(join(REPO, 'fixtures/recordings/clean.jsonl'));
    mkdirSync(join(dir, 'evidence'));
    writeFileSync(join(dir, 'evidence/journal.jsonl'), earlier);
    const result = await run(['release.yaml', '--headless', '--approvals', 'approvals.json', '--evidence', 'evidence', '--state', 'state'], dir);
    expect(result.code).toBe(3);
    expect(result.err).toBe(
      "warroom: evidence already holds a session's journal.jsonl: give this release its own --evidence folder, or move that evidence away (to continue that session: warroom resume)\n",
    );
    expect(result.out).toBe('');
    expect(readFileSync(join(dir, 'evidence/journal.jsonl')).equals(earlier)).toBe(true);
    // No session was started: nothing for `warroom resume` to pick up.
    expect(readdirSync(join(dir, 'state')).filter((name) => !name.endsWith('.lock'))).toEqual([]);
  });

  it('lets exactly one of two runs started at once into one evidence folder go on, each with its own state', async () => {
    const dir = demoCopy();
    const args = (state: string) => ['run', 'release.yaml', '--headless', '--approvals', 'approvals.json', '--evidence', 'evidence', '--state', state];
    const env = { DEMO_RUN_DIR: join(dir, '.run') };
    const [first, second] = await Promise.all([warroomFromSource(args('state-a'), { cwd: dir, env }), warroomFromSource(args('state-b'), { cwd: dir, env })]);
    const codes = [first.code, second.code].sort();
    expect(codes).toEqual([0, 3]);
    const refused = first.code === 3 ? first : second;
    expect(refused.stderr).toContain("already holds a session's journal.jsonl");
    const verify = await warroomFromSource(['verify', 'evidence'], { cwd: dir });
    expect(verify.stdout).toMatch(/^intact: /);
    expect(verify.code).toBe(0);
  }, 120_000);

  it('reports an approvals file nested too deeply for anyone to have meant it, with its position', async () => {
    const dir = demoCopy();
    writeFileSync(join(dir, 'deep.json'), `${'['.repeat(200_000)}${']'.repeat(200_000)}\n`);
    const result = await run(['release.yaml', '--headless', '--approvals', 'deep.json'], dir);
    expect(result.code).toBe(3);
    expect(result.err).toMatch(/^deep\.json:1:\d+ [^\n]*nested deeper than \d+ levels[^\n]*\n$/);
    expect(result.out).toBe('');
  });

  it('refuses an evidence folder that is a file, saying so', async () => {
    const dir = demoCopy();
    writeFileSync(join(dir, 'evidence'), '');
    const result = await run(['release.yaml', '--headless', '--evidence', 'evidence'], dir);
    expect(result.code).toBe(3);
    expect(result.err).toBe('warroom: cannot write the evidence folder evidence: it is a file, not a folder\n');
  });

  it('refuses a state folder that is a file, or lies under one, saying so', async () => {
    const dir = demoCopy();
    writeFileSync(join(dir, 'state'), '');
    const file = await run(['release.yaml', '--headless', '--state', 'state'], dir);
    expect(file.code).toBe(3);
    expect(file.err).toBe('warroom: cannot write the state folder state: it is a file, not a folder\n');
    const under = await run(['release.yaml', '--headless', '--state', 'state/inside'], dir);
    expect(under.code).toBe(3);
    expect(under.err).toBe('warroom: cannot write the state folder state/inside: a file is in the way\n');
  });

  // Root writes anywhere: only another user meets a folder it may not write.
  it.skipIf(process.getuid?.() !== 0 || !existsSync('/usr/sbin/runuser'))('refuses evidence and state folders it may not write before anything runs', async () => {
    const dir = demoCopy();
    chmodSync(dirname(dir), 0o755);
    const open = join(dir, 'open');
    const closed = join(dir, 'closed');
    mkdirSync(open, { mode: 0o777 });
    mkdirSync(closed, { mode: 0o555 });
    chmodSync(open, 0o777);
    const evidence = await warroomFromSource(['run', 'release.yaml', '--headless', '--evidence', 'closed', '--state', 'open'], { cwd: dir, user: 'nobody' });
    expect(evidence.stderr).toBe('warroom: cannot write the evidence folder closed: permission denied\n');
    expect(evidence.code).toBe(3);
    const state = await warroomFromSource(['run', 'release.yaml', '--headless', '--evidence', 'open', '--state', 'closed'], { cwd: dir, user: 'nobody' });
    expect(state.stderr).toBe('warroom: cannot write the state folder closed: permission denied\n');
    expect(state.code).toBe(3);
    expect(readdirSync(open)).toEqual([]);
    expect(evidence.stdout + state.stdout).toBe('');
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
