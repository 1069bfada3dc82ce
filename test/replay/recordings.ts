import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { GENESIS, sha256, type JournalEntry } from '../../src/journal/journal.js';
import type { ReplayIo } from '../../src/cli/replay.js';
import { captureIo, type CapturedIo } from '../helpers/io.js';
import { REPO } from '../e2e/demo.js';

// The fixture recordings (fixtures/recordings/, made by scripts/record-fixtures.mjs)
// and journals rewritten from them, re-chained as the session would have written them.

export const RECORDINGS = join(REPO, 'fixtures/recordings');
export const FIXTURES = ['clean', 'failing-smoke', 'soak-breach', 'waiver', 'reject-approval'] as const;
export const recording = (name: (typeof FIXTURES)[number]): string => join(RECORDINGS, `${name}.jsonl`);

export function readEntries(path: string): JournalEntry[] {
  return readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as JournalEntry);
}

/** Writes entries as a journal: seq renumbered, each `prev` the SHA-256 of the line before. */
export function writeChained(path: string, entries: Array<Omit<JournalEntry, 'seq' | 'prev'>>): void {
  let prev = GENESIS;
  const lines = entries.map((entry, i) => {
    const line = JSON.stringify({ seq: i + 1, ts: entry.ts, type: entry.type, prev, data: entry.data });
    prev = sha256(line);
    return line;
  });
  writeFileSync(path, `${lines.join('\n')}\n`);
}

export const scratchDir = (): string => mkdtempSync(join(tmpdir(), 'warroom-replay-'));

/** A CliIo for replayCommand with the trainee's answers on standard input. */
export function replayIo(cwd: string, answers = ''): CapturedIo & ReplayIo {
  return { ...captureIo(cwd), stdin: Readable.from([answers]) };
}
