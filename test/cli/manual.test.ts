import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
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

describe('warroom manual', () => {
  it('records two validations and reads them back in order, with the OS login and the name given', async () => {
    const cwd = workspace();
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
    const result = await manual(['staging-health', '--result', 'pass', '--by', 'Dana', '--note', 'ran the suite by hand', '--evidence', 'out/evidence'], cwd);
    expect(result.code).toBe(0);
    const path = join(cwd, 'out/protocol-15/manual-validation-log.md');
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect(readManualValidations(join(cwd, 'out/evidence'))).toHaveLength(1);
  });

  it('keeps control characters out of the evidence and survives a note that closes an HTML comment', async () => {
    const cwd = workspace();
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
    const cwd = workspace();
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
});
