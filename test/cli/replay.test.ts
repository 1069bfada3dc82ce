import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replayCommand } from '../../src/cli/replay.js';
import { recording, replayIo, scratchDir } from '../replay/recordings.js';

// `warroom replay`'s bad input: one line on stderr and exit 3, nothing replayed.

describe('warroom replay: bad input', () => {
  it.each([
    [[], 'which recording?'],
    [['a.jsonl', 'b.jsonl'], 'one recording at a time'],
    [['REC', '--speed', 'fast'], '--speed fast: expected a number above 0 (e.g. 2, 0.5) or max'],
    [['REC', '--speed', '0'], '--speed 0: expected a number above 0'],
    [['REC', '--expected', 'x.json'], '--expected goes with --train'],
    [['REC', '--loop'], "Unknown option '--loop'"],
  ])('%j exits 3: %s', async (args, message) => {
    const io = replayIo(scratchDir());
    expect(await replayCommand(args.map((a) => (a === 'REC' ? recording('clean') : a)), io)).toBe(3);
    expect(io.err()).toContain(message);
    expect(io.out()).toBe('');
  });

  it('names a recording that does not exist', async () => {
    const dir = scratchDir();
    const io = replayIo(dir);
    expect(await replayCommand(['missing.jsonl', '--headless'], io)).toBe(3);
    expect(io.err()).toBe('missing.jsonl: no such file or folder\n');
  });

  it('refuses a folder that holds no journal, and a file that is not a journal', async () => {
    const dir = scratchDir();
    const folder = replayIo(dir);
    expect(await replayCommand(['.', '--headless'], folder)).toBe(3);
    expect(folder.err()).toBe('.: no journal.jsonl in this folder: not an evidence folder\n');
    writeFileSync(join(dir, 'notes.txt'), 'release went fine\n');
    const text = replayIo(dir);
    expect(await replayCommand(['notes.txt', '--headless'], text)).toBe(3);
    expect(text.err()).toBe(`${join(dir, 'notes.txt')}:1: the journal's chain breaks here (not a JSON object); replay refused (run warroom verify, or --force to replay what is there)\n`);
  });

  it('training without annotations beside the recording says where it looked', async () => {
    const dir = scratchDir();
    writeFileSync(join(dir, 'lone.jsonl'), readFileSync(recording('clean')));
    const io = replayIo(dir);
    expect(await replayCommand(['lone.jsonl', '--train', '--headless'], io)).toBe(3);
    expect(io.err()).toBe(`${join(dir, 'lone.expected.json')}: no annotations for this recording (training needs NAME.expected.json beside it, or --expected FILE)\n`);
  });
});
