import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportCommand } from '../../src/cli/export.js';
import { replayCommand } from '../../src/cli/replay.js';
import { writeZip } from '../../src/evidence/zip.js';
import type { JournalEntry } from '../../src/journal/journal.js';
import { readEntries, recording, replayIo, scratchDir, writeChained } from './recordings.js';

// A recording may come from another host, a training pack, a ticket: whatever it holds,
// replaying or exporting it must not drive the terminal, and a journal warroom could not
// have written is refused in one line (exit 3), not half-replayed or crashed on.

/** C0 controls but tab and newline, DEL and C1 controls: what could move a cursor or start a sequence. */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

type Entry = Omit<JournalEntry, 'seq' | 'prev'>;

/** The clean fixture, re-chained after `change` rewrote some of its events. */
function rewritten(change: (entries: Entry[]) => void): string {
  const entries: Entry[] = readEntries(recording('clean'));
  change(entries);
  const path = join(scratchDir(), 'journal.jsonl');
  writeChained(path, entries);
  return path;
}

const first = (entries: Entry[], type: string): Entry => {
  const entry = entries.find((e) => e.type === type);
  if (!entry) throw new Error(`the fixture has no ${type} event`);
  return entry;
};

describe('a hostile recording', () => {
  const hostile = () =>
    rewritten((entries) => {
      const announcement = first(entries, 'announcement').data as { text: string };
      announcement.text = 'ANN \u001b]52;c;ZWNobw==\u0007 wiped\u001b[2J \u009b31mC1';
      const output = first(entries, 'output').data as { step: string; lines: string[] };
      output.step = 'prereq\u001b[31m';
      output.lines[0] = 'OUT \u001b]0;PWNED\u0007 title\rshown';
    });

  it('replays headless with every control sequence removed and the visible text kept', async () => {
    const path = hostile();
    const io = replayIo(scratchDir());
    expect(await replayCommand([path, '--speed', 'max', '--headless'], io)).toBe(0);
    expect(io.out()).not.toMatch(CONTROL);
    expect(io.err()).toBe('');
    expect(io.out()).toContain('ANN  wiped C1');
    expect(io.out()).toContain('prereq | showntitle');
  });

  it('exports a cast whose frames carry no sequence from the recording', async () => {
    const path = hostile();
    const dir = scratchDir();
    const io = replayIo(dir);
    expect(await exportCommand([path, '--cast', join(dir, 'out.cast')], io)).toBe(0);
    const cast = readFileSync(join(dir, 'out.cast'), 'utf8');
    // The cast draws with its own cursor moves and clears; an OSC, a bell or a C1 control can only come from the recording.
    expect(cast).not.toMatch(/\\u001b\]|\\u0007|\\u009b|\\u001b\[2J/);
    expect(cast).toContain('ANN  wiped C1');
  });
});

describe('a journal warroom could not have written', () => {
  it.each<[string, (entries: Entry[]) => void, string]>([
    ['session.start without its plan', (entries) => delete (first(entries, 'session.start').data as { plan?: unknown }).plan, 'journal.jsonl: line 1: session.start: plan: '],
    ['a plan that is a string', (entries) => ((first(entries, 'session.start').data as { plan: unknown }).plan = 'x'), 'journal.jsonl: line 1: session.start does not record the resolved plan'],
    ['a plan with no deploy steps', (entries) => delete (first(entries, 'session.start').data as { plan: { deploy?: unknown } }).plan.deploy, 'journal.jsonl: line 1: the plan in session.start is not valid: deploy: '],
    ['data that is null', (entries) => (first(entries, 'session.start').data = null), "the journal's chain breaks here (data is not an object)"],
    ['a time past year 9999', (entries) => (entries[3]!.ts = '+275760-09-13T00:00:00.000Z'), `:4: the journal's chain breaks here (ts "+275760-09-13T00:00:00.000Z" is not a time)`],
    ['a transition to a state the chart does not have', (entries) => (first(entries, 'transition').data = { to: 'nowhere.at.all' }), 'line 3: transition event: to: not a state of the release chart'],
    ['output lines that are not a list', (entries) => ((first(entries, 'output').data as { lines: unknown }).lines = 'x'), 'line 5: output event: lines: '],
    ['a check without its result', (entries) => (first(entries, 'check').data = { stage: 'prerequisite' }), 'line 6: check event: result: '],
  ])('%s: replay and export exit 3 with one line', async (_, change, message) => {
    const path = rewritten(change);
    const dir = scratchDir();
    const replay = replayIo(dir);
    expect(await replayCommand([path, '--speed', 'max', '--headless'], replay)).toBe(3);
    expect(replay.out()).toBe('');
    expect(replay.err()).toContain(message);
    expect(replay.err().trim().split('\n')).toHaveLength(1);
    const exported = replayIo(dir);
    expect(await exportCommand([path, '--cast', join(dir, 'out.cast')], exported)).toBe(3);
    expect(exported.err()).toContain(message);
    expect(exported.err().trim().split('\n')).toHaveLength(1);
  });

  it('refuses a zip holding two journals, as unzip and replay would read different ones', async () => {
    const dir = scratchDir();
    const real = recording('clean');
    const other = join(dir, 'other.jsonl');
    writeChained(other, readEntries(real).slice(0, 5));
    const zip = join(dir, 'twice.zip');
    const fd = openSync(zip, 'w');
    const mtime = new Date();
    await writeZip(fd, [
      { name: 'journal.jsonl', path: other, mode: 0o644, mtime },
      { name: 'journal.jsonl', path: real, mode: 0o644, mtime },
    ]);
    closeSync(fd);
    expect(execFileSync('unzip', ['-l', zip], { encoding: 'utf8' })).toMatch(/journal\.jsonl[\s\S]*journal\.jsonl/);
    const io = replayIo(dir);
    expect(await replayCommand([zip, '--speed', 'max', '--headless'], io)).toBe(3);
    expect(io.err()).toBe(`${zip}: journal.jsonl is in this zip 2 times: not a package warroom wrote (run warroom verify)\n`);
    expect(io.out()).toBe('');
  });

  it('keeps what only looks odd: tabs, quotes, accented letters', async () => {
    const path = rewritten((entries) => {
      const output = first(entries, 'output').data as { lines: string[] };
      output.lines[0] = 'col1\tcol2 "quoted" \u00e9t\u00e9';
    });
    const io = replayIo(scratchDir());
    expect(await replayCommand([path, '--speed', 'max', '--headless'], io)).toBe(0);
    expect(io.out()).toContain('col1\tcol2 "quoted" \u00e9t\u00e9');
  });
});

