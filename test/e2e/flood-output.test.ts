import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readJournal, type JournalEntry } from '../../src/journal/journal.js';
import { INLINE_OUTPUT_BYTES, type OutputBatch, type OutputRange } from '../../src/journal/output.js';
import { warroom, type CliResult } from './demo.js';

// A step that floods: past its first megabyte, its output is journaled as references to
// byte ranges of its log (SPEC section 6). The chain must still vouch for every byte,
// verify must catch a changed byte, and a replay must print what the live run printed.

const LINES = 40_000;
const TOKEN = `ghp_${'Fl00dTestT0ken'.repeat(3)}`;
const STEP = 'flood';

/** Line i of the flood: ~60 bytes, a fake token every 997th line, a colour code every 1009th. */
const FLOOD = `for (let i = 0; i < ${LINES}; i++) {
  const extra = i % 997 === 0 ? ' token ${TOKEN}' : i % 1009 === 0 ? ' \\x1b[31mred\\x1b[0m' : '';
  process.stdout.write('2026-03-02T02:00:00Z INFO  flood line ' + i + ' of the deploy step' + extra + '\\n');
}`;

let dir: string;
let evidence: string;
let live: CliResult;
let entries: JournalEntry[];

const stepLines = (stdout: string) => stdout.split('\n').filter((line) => line.startsWith(`${STEP} | `));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'warroom-flood-'));
  evidence = join(dir, 'evidence');
  writeFileSync(
    join(dir, 'release.yaml'),
    [
      'version: 1',
      'release: {name: flood-api, tag: v1.0.0, environment: production, services: [flood-api], strategy: canary}',
      'stakeholders:',
      '  - {name: Sam Okafor, role: sre, user: sam}',
      'approvals: {production: [sre]}',
      'deploy:',
      '  steps:',
      `    - {name: ${STEP}, run: [node, flood.js], timeout: 2m}`,
      'rollback: {run: ["true"]}',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'flood.js'), FLOOD);
  writeFileSync(
    join(dir, 'approvals.json'),
    JSON.stringify([{ for: 'production', role: 'sre', name: 'Sam Okafor', user: 'sam', decision: 'approve', at: '2026-03-02T01:55:00Z', reason: 'flood test' }]),
  );
  live = await warroom(['run', join(dir, 'release.yaml'), '--headless', '--approvals', join(dir, 'approvals.json'), '--evidence', evidence]);
  const journal = readJournal(join(evidence, 'journal.jsonl'));
  expect(journal.brokenAt).toBeUndefined();
  entries = journal.entries;
}, 120_000);

describe('a step that floods its output', () => {
  it('journals its first megabyte as text and the rest by reference to its log, with nothing unmasked anywhere', () => {
    expect(live.code).toBe(0);
    expect(stepLines(live.stdout)).toHaveLength(LINES);
    const inline = entries.filter((entry) => entry.type === 'output').map((entry) => entry.data as OutputBatch);
    const ranges = entries.filter((entry) => entry.type === 'output.range').map((entry) => entry.data as OutputRange);
    expect(ranges.length).toBeGreaterThan(0);
    const inlineBytes = inline.flatMap((batch) => batch.lines).reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0);
    expect(inlineBytes).toBeGreaterThanOrEqual(INLINE_OUTPUT_BYTES);
    expect(inlineBytes).toBeLessThan(INLINE_OUTPUT_BYTES + 256 * 1024);
    expect(inline.flatMap((batch) => batch.lines).length + ranges.reduce((sum, range) => sum + range.lines, 0)).toBe(LINES);
    // The ranges tile the rest of the log, in order.
    const log = readFileSync(join(evidence, `logs/${STEP}.log`));
    expect(ranges[0]!.offset).toBe(inlineBytes);
    for (const [i, range] of ranges.entries()) if (i > 0) expect(range.offset).toBe(ranges[i - 1]!.offset + ranges[i - 1]!.bytes);
    expect(ranges.at(-1)!.offset + ranges.at(-1)!.bytes).toBe(log.length);
    for (const text of [live.stdout, log.toString('utf8'), readFileSync(join(evidence, 'journal.jsonl'), 'utf8')]) {
      expect(text).not.toContain(TOKEN);
      expect(text).toContain('[masked:github-token ghp_…]');
    }
    expect(log.toString('utf8')).not.toContain('\x1b');
  });

  it('verifies intact, and a replay of the evidence prints exactly what the live run printed', async () => {
    const verify = await warroom(['verify', evidence]);
    expect(verify.stdout).toContain('intact');
    expect(verify.code).toBe(0);
    const replay = await warroom(['replay', evidence, '--headless', '--speed', 'max']);
    expect(replay.code).toBe(0);
    expect(stepLines(replay.stdout)).toEqual(stepLines(live.stdout).map((line) => line.replace(/\x1b\[[0-9;]*m/g, '')));
  });

  it('says which lines a journal alone cannot show, and verify names the journal line a changed log byte breaks', async () => {
    const alone = mkdtempSync(join(tmpdir(), 'warroom-flood-journal-'));
    copyFileSync(join(evidence, 'journal.jsonl'), join(alone, 'journal.jsonl'));
    const replay = await warroom(['replay', join(alone, 'journal.jsonl'), '--headless', '--speed', 'max']);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toMatch(new RegExp(`${STEP} \\| \\[\\d+ lines not shown: logs/${STEP}\\.log is missing\\]`));

    const tampered = join(mkdtempSync(join(tmpdir(), 'warroom-flood-tampered-')), 'evidence');
    mkdirSync(join(tampered, 'logs'), { recursive: true });
    for (const name of ['journal.jsonl', 'manifest.json']) copyFileSync(join(evidence, name), join(tampered, name));
    const log = readFileSync(join(evidence, `logs/${STEP}.log`));
    const at = log.lastIndexOf('flood line');
    log.write('FLOOD', at);
    writeFileSync(join(tampered, `logs/${STEP}.log`), log);
    const verify = await warroom(['verify', tampered]);
    expect(verify.code).not.toBe(0);
    const lastRange = entries.filter((entry) => entry.type === 'output.range').at(-1)!;
    expect(verify.stdout + verify.stderr).toContain(`journal.jsonl line ${lastRange.seq}: output at`);
    expect(verify.stdout + verify.stderr).toContain(`logs/${STEP}.log does not hold what the journal vouched for`);
  });

  it('stops the step and halts with the reason when its log cannot be written (a full disk), without a stack trace', async () => {
    const full = join(mkdtempSync(join(tmpdir(), 'warroom-flood-full-')), 'evidence');
    mkdirSync(join(full, 'logs'), { recursive: true });
    // Every write to /dev/full fails with ENOSPC, as on a full disk.
    symlinkSync('/dev/full', join(full, `logs/${STEP}.log`));
    const run = await warroom(['run', join(dir, 'release.yaml'), '--headless', '--approvals', join(dir, 'approvals.json'), '--evidence', full]);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(`Failed at Deployment step. Reason: ${STEP} failed: cannot write logs/${STEP}.log: ENOSPC`);
    const journal = readJournal(join(full, 'journal.jsonl'));
    expect(journal.brokenAt).toBeUndefined();
    const end = journal.entries.find((entry) => entry.type === 'command.end' && (entry.data as { name: string }).name === STEP)!;
    expect(end.data).toMatchObject({ exitCode: null, error: expect.stringContaining('ENOSPC') });
  });
});
