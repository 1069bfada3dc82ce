import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { readManualValidations } from '../../src/evidence/manual-log.js';
import { captureIo } from '../helpers/io.js';

// `warroom manual`: the protocol's manual fallback, recorded in
// .artifacts/protocol-15/manual-validation-log.md beside the evidence folder.

async function manual(args: string[], cwd: string) {
  const io = captureIo(cwd);
  const code = await main(['manual', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

const workspace = () => mkdtempSync(join(tmpdir(), 'warroom-manual-'));

/** A workspace whose default evidence folder (.artifacts/deployment) exists, as after a session. */
function workspaceWithEvidence(): string {
  const cwd = workspace();
  mkdirSync(join(cwd, '.artifacts/deployment'), { recursive: true });
  return cwd;
}

const LOG = '.artifacts/protocol-15/manual-validation-log.md';
const validation = ['smoke', '--result', 'pass', '--by', 'Sam', '--note', 'curl /healthz returned 200'];

describe('warroom manual', () => {
  it('records two validations and reads them back in order, with the OS login and the name given', async () => {
    const cwd = workspaceWithEvidence();
    const first = await manual(['smoke-healthz', '--result', 'pass', '--by', 'Sam Okafor', '--note', 'curl /healthz returned 200 from the bastion'], cwd);
    expect(first.code).toBe(0);
    const second = await manual(['canary-analysis', '--result', 'fail', '--by', 'Dana Ortiz', '--note', 'Grafana down; error ratio 7 % on the dashboard'], cwd);
    expect(second.code).toBe(0);

    const entries = readManualValidations(join(cwd, '.artifacts/deployment'));
    expect(entries.map(({ step, result, by, note }) => ({ step, result, by, note }))).toEqual([
      { step: 'smoke-healthz', result: 'pass', by: 'Sam Okafor', note: 'curl /healthz returned 200 from the bastion' },
      { step: 'canary-analysis', result: 'fail', by: 'Dana Ortiz', note: 'Grafana down; error ratio 7 % on the dashboard' },
    ]);
    expect(entries.every((e) => e.login === userInfo().username && !Number.isNaN(Date.parse(e.at)))).toBe(true);
    const log = readFileSync(join(cwd, '.artifacts/protocol-15/manual-validation-log.md'), 'utf8');
    expect(log).toMatch(/^# Manual Validation Log \(Protocol 15\)/);
    expect(log.match(/^## /gm)).toHaveLength(2);
  });

  it('writes the log with mode 0640 in the protocol-15 folder beside a chosen evidence folder', async () => {
    const cwd = workspace();
    mkdirSync(join(cwd, 'out/evidence'), { recursive: true });
    const result = await manual(['staging-health', '--result', 'pass', '--by', 'Dana', '--note', 'ran the suite by hand', '--evidence', 'out/evidence'], cwd);
    expect(result.code).toBe(0);
    const path = join(cwd, 'out/protocol-15/manual-validation-log.md');
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect(readManualValidations(join(cwd, 'out/evidence'))).toHaveLength(1);
  });

  it('keeps control characters out of the evidence and survives a note that closes an HTML comment', async () => {
    const cwd = workspaceWithEvidence();
    const note = 'checked\x1b[31m red\x1b[0m\x07 line one\nline two \x1b]0;owned\x07--> <!-- done \x9b2J';
    const result = await manual(['smoke\x1b[2J', '--result', 'pass', '--by', 'Sam\rMallory', '--note', note], cwd);
    expect(result.code).toBe(0);
    const log = readFileSync(join(cwd, '.artifacts/protocol-15/manual-validation-log.md'), 'utf8');
    expect(log).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
    const [entry] = readManualValidations(join(cwd, '.artifacts/deployment'));
    expect(entry).toMatchObject({ step: 'smoke', note: 'checked red line one line two --> <!-- done' });
    expect(entry?.by).not.toMatch(/[\x00-\x1f]/);
  });

  it('refuses a validation without --result, --by or --note with the usage and exit 3, writing nothing', async () => {
    const cwd = workspaceWithEvidence();
    for (const args of [
      ['smoke', '--by', 'Sam', '--note', 'x'],
      ['smoke', '--result', 'maybe', '--by', 'Sam', '--note', 'x'],
      ['smoke', '--result', 'pass', '--note', 'x'],
      ['smoke', '--result', 'pass', '--by', 'Sam'],
      ['--result', 'pass', '--by', 'Sam', '--note', 'x'],
    ]) {
      const result = await manual(args, cwd);
      expect(result.code, args.join(' ')).toBe(3);
      expect(result.err).toContain('usage: warroom manual STEP --result pass|fail --by NAME --note TEXT');
    }
    expect(existsSync(join(cwd, '.artifacts/protocol-15'))).toBe(false);
    expect(readManualValidations(join(cwd, '.artifacts/deployment'))).toEqual([]);
  });

  it('refuses an evidence folder that does not exist with one line and exit 3, creating no folders', async () => {
    const cwd = workspace();
    const result = await manual([...validation, '--evidence', 'missing/deep/.artifacts/deployment'], cwd);
    expect(result.code).toBe(3);
    expect(result.err).toMatch(/^warroom manual: \S+missing\/deep\/\.artifacts\/deployment: no such evidence folder\n$/);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('refuses evidence that is a file with one line and exit 3, writing nothing beside it', async () => {
    const cwd = workspace();
    mkdirSync(join(cwd, 'some'));
    writeFileSync(join(cwd, 'some/journal.jsonl'), '{}\n');
    const result = await manual([...validation, '--evidence', 'some/journal.jsonl'], cwd);
    expect(result.code).toBe(3);
    expect(result.err).toMatch(/^warroom manual: \S+some\/journal\.jsonl: not a folder\n$/);
    expect(readdirSync(join(cwd, 'some'))).toEqual(['journal.jsonl']);
  });

  it('refuses the root folder as evidence: the log beside it would be inside it', async () => {
    const result = await manual([...validation, '--evidence', '/'], workspace());
    expect(result.code).toBe(3);
    expect(result.err.trimEnd().split('\n')).toHaveLength(1);
    expect(result.err).toContain('inside the evidence folder');
    expect(existsSync('/protocol-15')).toBe(false);
  });

  it('refuses evidence reached through a link whose protocol-15 folder would land inside the evidence', async () => {
    const cwd = workspace();
    mkdirSync(join(cwd, 'evidence/sub'), { recursive: true });
    symlinkSync('..', join(cwd, 'evidence/sub/deployment'));
    const result = await manual([...validation, '--evidence', 'evidence/sub/deployment'], cwd);
    expect(result.code).toBe(3);
    expect(result.err).toContain('inside the evidence folder');
    expect(readdirSync(join(cwd, 'evidence/sub'))).toEqual(['deployment']);
  });

  it('creates the protocol-15 folder with mode 0750 beside an existing evidence folder', async () => {
    const cwd = workspaceWithEvidence();
    expect((await manual(validation, cwd)).code).toBe(0);
    expect(statSync(join(cwd, '.artifacts/protocol-15')).mode & 0o777).toBe(0o750);
    expect(readdirSync(join(cwd, '.artifacts/deployment'))).toEqual([]);
  });

  it('refuses a log that is a symlink with one line and exit 3, leaving the link and its target as they were', async () => {
    const cwd = workspaceWithEvidence();
    writeFileSync(join(cwd, 'target'), 'secret');
    mkdirSync(join(cwd, '.artifacts/protocol-15'));
    symlinkSync('../../target', join(cwd, LOG));
    const result = await manual(validation, cwd);
    expect(result.code).toBe(3);
    expect(result.err).toMatch(/^warroom manual: \S+manual-validation-log\.md: a symlink, not followed; nothing recorded\n$/);
    expect(lstatSync(join(cwd, LOG)).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(cwd, 'target'), 'utf8')).toBe('secret');
    expect(readdirSync(join(cwd, '.artifacts/protocol-15'))).toEqual(['manual-validation-log.md']);
  });

  it('refuses a protocol-15 folder that is a symlink, following no link', async () => {
    const cwd = workspaceWithEvidence();
    mkdirSync(join(cwd, 'elsewhere'));
    symlinkSync('../elsewhere', join(cwd, '.artifacts/protocol-15'));
    const result = await manual(validation, cwd);
    expect(result.code).toBe(3);
    expect(result.err).toContain('protocol-15: a symlink, not followed');
    expect(readdirSync(join(cwd, 'elsewhere'))).toEqual([]);
  });

  it('appends to a log holding non-UTF-8 bytes without changing a byte of the earlier entries', async () => {
    const cwd = workspaceWithEvidence();
    expect((await manual(validation, cwd)).code).toBe(0);
    const earlier = Buffer.concat([readFileSync(join(cwd, LOG)), Buffer.from('\nnote from the old tool: caf\xe9 \xff\xfe\n', 'latin1')]);
    writeFileSync(join(cwd, LOG), earlier);
    expect((await manual(['canary', '--result', 'fail', '--by', 'Dana', '--note', 'dashboard red'], cwd)).code).toBe(0);
    const log = readFileSync(join(cwd, LOG));
    expect(log.subarray(0, earlier.length).equals(earlier)).toBe(true);
    expect(log.subarray(earlier.length).toString('utf8')).toMatch(/^\n## \S+ — canary: fail\n/);
    expect(readManualValidations(join(cwd, '.artifacts/deployment')).map((e) => e.step)).toEqual(['smoke', 'canary']);
  });

  it('escapes < > and & in the rendered lines so a name or note cannot hide text, and keeps the exact values in the entry', async () => {
    const cwd = workspaceWithEvidence();
    const by = 'Mallory <!--';
    const note = 'fine --> <!-- warroom:manual-validation {"at":"x","step":"db","result":"pass","by":"CTO","login":"cto","note":"forged"} --> &lt;b&gt;';
    expect((await manual(['smoke <b>', '--result', 'pass', '--by', by, '--note', note], cwd)).code).toBe(0);
    const log = readFileSync(join(cwd, LOG), 'utf8');
    expect(log).toContain(`- Recorded by: Mallory &lt;!-- (OS login ${userInfo().username})`);
    expect(log).toContain('- Note: fine --&gt; &lt;!-- warroom:manual-validation');
    expect(log).toContain('&amp;lt;b&amp;gt;');
    expect(log).toContain('— smoke &lt;b&gt;: pass');
    const humanLines = log.split('\n').filter((line) => !line.startsWith('<!-- warroom:manual-validation '));
    expect(humanLines.join('\n')).not.toMatch(/[<>]/);
    expect(readManualValidations(join(cwd, '.artifacts/deployment'))).toMatchObject([{ step: 'smoke <b>', by, note }]);
  });
});
