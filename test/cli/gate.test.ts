import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { releasedDemoEvidence } from '../e2e/demo.js';
import { captureIo } from '../helpers/io.js';

// `warroom gate` as CI calls it: exit 0 on pass, 1 when the evidence misses a
// threshold, 3 on bad input. Run `npm run build` first (the demo runs the built CLI).

let released: string;

beforeAll(async () => {
  released = await releasedDemoEvidence();
}, 120_000);

async function gate(args: string[], cwd = tmpdir()) {
  const io = captureIo(cwd);
  const code = await main(['gate', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

/** A copy of the released evidence under `<tmp>/.artifacts/deployment`, changed by `edit`. */
function editedEvidence(edit: (dir: string) => void = () => {}): { root: string; dir: string } {
  const root = mkdtempSync(join(tmpdir(), 'warroom-gate-cli-'));
  const dir = join(root, '.artifacts/deployment');
  cpSync(released, dir, { recursive: true });
  edit(dir);
  return { root, dir };
}

const editJson = (dir: string, file: string, change: (value: { [key: string]: any }) => void) => {
  const value = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  change(value);
  writeFileSync(join(dir, file), JSON.stringify(value, null, 2));
};

describe('warroom gate', () => {
  it.each(['readiness', 'freeze', 'launch', 'reporting'])('passes the %s gate on a released demo and exits 0', async (name) => {
    const result = await gate([name, '--evidence', released]);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const lines = result.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Gate [1-4]: .+ Gate — evidence /);
    expect(lines.filter((l) => l.startsWith('✔ ')).length).toBeGreaterThan(0);
    expect(lines.some((l) => l.startsWith('✘ '))).toBe(false);
    expect(lines.some((l) => l.startsWith('threshold '))).toBe(true);
    expect(lines.at(-1)).toBe('verdict: pass');
  });

  it('reads .artifacts/deployment in the current folder by default and names where thresholds come from', async () => {
    const { root } = editedEvidence();
    const result = await gate(['launch'], root);
    expect(result.code).toBe(0);
    expect(result.out).toContain('✔ Validation success rate: required ≥ 95.0%, actual 100% (2/2)');
    expect(result.out).toContain('threshold validationThreshold: 95% (protocol default)');
  });

  it('fails the readiness gate (exit 1) when a checklist item fails', async () => {
    const { dir } = editedEvidence((d) => editJson(d, 'deployment-readiness-checklist.json', (c) => (c.items[0].status = 'fail')));
    const result = await gate(['readiness', '--evidence', dir]);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/^✘ Checklist completion: required 100%, actual 93\.3% \(14\/15\); open: /m);
    expect(result.out.trimEnd().split('\n').at(-1)).toBe('verdict: fail');
  });

  it('fails the freeze gate (exit 1) when an acknowledgement is missing from the journal', async () => {
    const { dir } = editedEvidence((d) => {
      const lines = readFileSync(join(d, 'journal.jsonl'), 'utf8').split('\n');
      const ack = lines.findIndex((l) => l.includes('"type":"answer"') && l.includes('"ACKNOWLEDGE"'));
      lines.splice(ack, 1);
      writeFileSync(join(d, 'journal.jsonl'), lines.join('\n'));
    });
    const result = await gate(['freeze', '--evidence', dir]);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/^✘ Freeze acknowledgements: required 100% of required stakeholders, actual 66\.7%; outstanding: sre$/m);
  });

  it('fails the launch gate (exit 1) when a smoke check did not pass', async () => {
    const { dir } = editedEvidence((d) => editJson(d, 'post-deployment-validation.json', (v) => (v.checks[0].passed = false)));
    const result = await gate(['launch', '--evidence', dir]);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/^✘ Validation success rate: required ≥ 95\.0%, actual 50\.0% \(1\/2\)$/m);
  });

  it('fails the reporting gate (exit 1) when report completeness drops below 95 %', async () => {
    const { dir } = editedEvidence((d) => {
      rmSync(join(d, 'retrospective-inputs.json'));
      rmSync(join(d, 'DEPLOYMENT-REPORT.md'));
    });
    const result = await gate(['reporting', '--evidence', dir]);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/^✘ Report completeness: required ≥ 95\.0%, actual 84\.6%; missing: DEPLOYMENT-REPORT\.md, retrospective-inputs\.json$/m);
  });

  it('refuses an unknown gate with one line and exit 3', async () => {
    const result = await gate(['smoke', '--evidence', released]);
    expect(result.code).toBe(3);
    expect(result.out).toBe('');
    expect(result.err.trimEnd().split('\n')).toHaveLength(1);
    expect(result.err).toContain('unknown gate "smoke"');
  });

  it('refuses an empty evidence folder with one line and exit 3, never a stack trace', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'warroom-gate-empty-'));
    const result = await gate(['launch', '--evidence', empty]);
    expect(result.code).toBe(3);
    expect(result.err).toBe('warroom gate launch: journal.jsonl: missing (the session\'s journal holds the plan and its answers)\n');
    expect(result.err).not.toMatch(/at .*\.js:\d+/);
  });

  it('refuses a missing gate name and an unknown option with exit 3', async () => {
    expect((await gate([])).code).toBe(3);
    expect((await gate(['launch', '--threshold', '0.5'])).code).toBe(3);
  });
});
