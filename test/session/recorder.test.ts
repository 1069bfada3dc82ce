import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { Journal, readJournal } from '../../src/journal/journal.js';
import { Recorder } from '../../src/session/recorder.js';

const REPO = join(import.meta.dirname, '../..');

it('journals nothing after the session has closed its journal, and does not crash', () => {
  const dir = mkdtempSync(join(tmpdir(), 'warroom-recorder-'));
  const recorder = new Recorder({ evidenceDir: dir, mask: (text) => text, planFile: 'release.yaml', operator: 'root' });
  recorder.event('session.end', { exitCode: 0 }, true);
  recorder.close();
  // A metric round or an announcement that settles after the end must not reopen the chain.
  expect(() => recorder.event('metric', { metric: 'error_ratio', value: 0.01 })).not.toThrow();
  expect(() => recorder.announce('progress', 'late')).not.toThrow();
  const journal = readJournal(join(dir, 'journal.jsonl'));
  expect(journal.entries.map((e) => e.type)).toEqual(['session.end']);
  expect(readFileSync(join(dir, 'journal.jsonl'), 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
});

it('stops taking lines when the disk refuses one, cuts the half-written line back, says so once, and never throws', () => {
  const dir = mkdtempSync(join(tmpdir(), 'warroom-journal-'));
  const path = join(dir, 'journal.jsonl');
  const before = Journal.open(path);
  for (let i = 0; i < 5; i++) before.append('metric', { i });
  before.close();
  // A child with a 2 KiB file size limit (SIGXFSZ ignored, so the write fails with EFBIG): the third long line crosses it half-way.
  const script = `
    const { Journal } = await import(${JSON.stringify(join(REPO, 'dist/src/journal/journal.js'))});
    const failures = [];
    const journal = Journal.open(${JSON.stringify(path)}, (error) => failures.push(error.code));
    const seqs = [];
    for (let i = 0; i < 8; i++) { journal.append('note', { text: 'x'.repeat(400) }, true); seqs.push(journal.lastSeq); }
    journal.close();
    console.log(JSON.stringify({ failures, seqs, failed: journal.failed?.code }));`;
  const child = spawnSync('bash', ['-c', `trap '' XFSZ; ulimit -f 2; exec '${process.execPath}' --input-type=module -e "$0"`, script], { encoding: 'utf8' });
  expect(child.stderr).toBe('');
  const result = JSON.parse(child.stdout) as { failures: string[]; seqs: number[]; failed: string };
  expect(result.failures).toEqual(['EFBIG']);
  expect(result.failed).toBe('EFBIG');
  // Lines 6 and 7 fit; from the failed one on, nothing more is counted as written.
  expect(result.seqs).toEqual([6, 7, 7, 7, 7, 7, 7, 7]);
  const journal = readJournal(path);
  expect(journal.brokenAt).toBeUndefined();
  expect(journal.entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  expect(readFileSync(path, 'utf8').endsWith('\n')).toBe(true);
});
