import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { replayCommand } from '../../src/cli/replay.js';
import type { JournalEntry } from '../../src/journal/journal.js';
import type { Plan } from '../../src/plan/schema.js';
import { printedLines } from '../../src/replay/headless.js';
import { runDemo } from '../e2e/demo.js';
import { readEntries, recording, replayIo, scratchDir, writeChained } from './recordings.js';

// Headless replay prints what the live headless run printed: announcements and
// `step | line` output, in the journal's order, and nothing is run to do it.

let live: { stdout: string; evidence: string; dir: string };

beforeAll(async () => {
  const run = await runDemo();
  if (run.code !== 0) throw new Error(`the demo did not release (exit ${run.code}): ${run.stderr}`);
  live = run;
}, 120_000);

const announcements = (text: string) => text.split('\n').filter((line) => line.startsWith('['));
const outputLines = (text: string) => text.split('\n').filter((line) => / \| /.test(line) && !line.startsWith('['));

describe('warroom replay --headless', () => {
  it('prints the announcements and step output of a live headless run, the same lines in the same order', async () => {
    const io = replayIo(live.dir);
    expect(await replayCommand([live.evidence, '--speed', 'max', '--headless'], io)).toBe(0);
    expect(io.err()).toBe('');
    expect(announcements(io.out()).length).toBeGreaterThan(10);
    expect(announcements(io.out())).toEqual(announcements(live.stdout));
    expect(outputLines(io.out()).length).toBeGreaterThan(20);
    expect(outputLines(io.out())).toEqual(outputLines(live.stdout));
    // The closing summary too: the replay is the live run's transcript, line for line.
    expect(io.out()).toBe(live.stdout);
  });

  it('reads journal.jsonl straight from the evidence zip, and from the journal file itself, alike', async () => {
    const fromFolder = replayIo(live.dir);
    await replayCommand([live.evidence, '--speed', 'max', '--headless'], fromFolder);
    const fromZip = replayIo(live.dir);
    expect(await replayCommand([join(live.evidence, 'DEPLOYMENT-EVIDENCE.zip'), '--speed=max', '--headless'], fromZip)).toBe(0);
    const fromJournal = replayIo(live.dir);
    expect(await replayCommand([join(live.evidence, 'journal.jsonl'), '--speed=max', '--headless'], fromJournal)).toBe(0);
    expect(fromZip.out()).toBe(fromFolder.out());
    expect(fromJournal.out()).toBe(fromFolder.out());
  });

  it('waits the journal gaps divided by the speed', async () => {
    const dir = scratchDir();
    const path = join(dir, 'short.jsonl');
    // The clean recording's first 20 lines span a second or more of the live run.
    const entries = readEntries(recording('clean')).slice(0, 20);
    writeChained(path, entries);
    const span = [...printedLines(entries)].at(-1)!.at;
    expect(span).toBeGreaterThan(500);
    const started = performance.now();
    expect(await replayCommand([path, '--speed', '4', '--headless'], replayIo(dir))).toBe(0);
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(span / 4 - 20);
    expect(took).toBeLessThan(span);
  });

  it('replays a one-hour recording at --speed max', async () => {
    // The clean recording with its soak window stretched to an hour of samples, one a second, re-chained.
    const entries = readEntries(recording('clean'));
    const soakAt = entries.findIndex((e) => e.type === 'transition' && (e.data as { to: string }).to === 'stabilisation.soak');
    const soakEnd = entries.findIndex((e, i) => i > soakAt && e.type === 'announcement' && /PHASE 4\]/.test((e.data as { text: string }).text));
    const start = Date.parse(entries[soakAt]!.ts);
    const hour = 3_600_000;
    const at = (ms: number) => new Date(ms).toISOString();
    const samples = entries.slice(soakAt + 1, soakEnd).filter((e) => e.type === 'metric');
    const soak = Array.from({ length: 3_600 }, (_, second) =>
      samples.slice(0, 2).map((e) => ({ ...e, ts: at(start + second * 1_000 + 500), data: { ...(e.data as object), at: at(start + second * 1_000) } })),
    ).flat();
    const after = entries.slice(soakEnd).map((e) => ({ ...e, ts: at(Date.parse(e.ts) - Date.parse(entries[soakEnd]!.ts) + start + hour) }));
    const session = structuredClone(entries[0]!) as JournalEntry<{ plan: Plan }>;
    session.data.plan.health.soak = '1h';
    const dir = scratchDir();
    const path = join(dir, 'one-hour.jsonl');
    writeChained(path, [session, ...entries.slice(1, soakAt + 1), ...soak, ...after]);
    expect(Date.parse(readEntries(path).at(-1)!.ts) - Date.parse(entries[0]!.ts)).toBeGreaterThan(hour);

    const long = replayIo(dir);
    expect(await replayCommand([path, '--speed', 'max', '--headless'], long)).toBe(0);
    const original = replayIo(dir);
    await replayCommand([recording('clean'), '--speed', 'max', '--headless'], original);
    expect(long.out()).toBe(original.out());
  });
});

describe('a journal whose chain is broken', () => {
  function tampered(): { dir: string; path: string } {
    const dir = scratchDir();
    const path = join(dir, 'journal.jsonl');
    const lines = readFileSync(recording('clean'), 'utf8').split('\n');
    // Line 40 edited in place: its own bytes change, so line 41's prev no longer matches.
    lines[39] = lines[39]!.replace(/"ts":"[^"]+"/, '"ts":"2020-01-01T00:00:00.000Z"');
    writeFileSync(path, lines.join('\n'));
    return { dir, path };
  }

  it('is refused, naming the file and the line where it breaks, exit 3', async () => {
    const { dir, path } = tampered();
    const io = replayIo(dir);
    expect(await replayCommand([path, '--headless', '--speed', 'max'], io)).toBe(3);
    expect(io.out()).toBe('');
    expect(io.err()).toBe(`${path}:41: the journal's chain breaks here (prev does not match the previous line); replay refused (run warroom verify, or --force to replay what is there)\n`);
  });

  it('is replayed with --force, with the break still named', async () => {
    const { dir, path } = tampered();
    const io = replayIo(dir);
    expect(await replayCommand([path, '--headless', '--speed', 'max', '--force'], io)).toBe(0);
    expect(io.err()).toContain(`${path}:41: the journal's chain breaks here`);
    expect(io.err()).toContain('replaying anyway (--force)');
    expect(io.out()).toContain('[WARROOM | PROTOCOL COMPLETE]');
  });
});
