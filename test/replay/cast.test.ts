import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportCommand } from '../../src/cli/export.js';
import { writeEvidencePackage } from '../../src/evidence/package.js';
import { captureIo } from '../helpers/io.js';
import { recording, scratchDir } from './recordings.js';

// `warroom export --cast`: the console as it looked, 80x24, timed frames and
// markers, in a file the real asciinema reads.

function readCast(path: string): { header: Record<string, unknown>; events: Array<[number, string, string]> } {
  const [header, ...events] = readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as unknown);
  return { header: header as Record<string, unknown>, events: events as Array<[number, string, string]> };
}

/** `asciinema cat` insists on a terminal (/dev/tty): util-linux `script` gives it one. */
function asciinemaCat(path: string): string {
  return execFileSync('script', ['-qec', `asciinema cat '${path.replace(/'/g, `'\\''`)}'`, '/dev/null'], { encoding: 'utf8', timeout: 30_000 });
}

const ANSI = /\u001B\[[0-9;?]*[A-Za-z]/g;
const screenText = (data: string) => data.replace(ANSI, '').replace(/\r/g, '');

describe('warroom export --cast', () => {
  it('writes an asciicast v2 file of the console at 80x24 that asciinema cat plays', async () => {
    const dir = scratchDir();
    const out = join(dir, 'clean.cast');
    const io = captureIo(dir);
    expect(await exportCommand([recording('clean'), '--cast', out], io)).toBe(0);
    expect(io.out()).toMatch(/clean\.cast: asciicast v2, 80x24, \d+ frames, \d+ markers, [\d.]+ s\n/);

    const { header, events } = readCast(out);
    expect(header).toMatchObject({ version: 2, width: 80, height: 24, title: 'warroom: checkout-api v2.4.0 (production)' });
    expect(header.timestamp).toBe(Math.floor(Date.parse(JSON.parse(readFileSync(recording('clean'), 'utf8').split('\n')[0]!).ts) / 1000));

    const times = events.map((e) => e[0]);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const frames = events.filter((e) => e[1] === 'o');
    expect(frames.length).toBeGreaterThan(20);
    for (const [, , data] of frames) {
      const lines = screenText(data).split('\n');
      expect(lines.length).toBeLessThanOrEqual(24);
      for (const line of lines) expect([...line].length).toBeLessThanOrEqual(80);
    }
    expect(screenText(frames[0]![2])).toContain('Phase 1/4 Readiness');
    expect(screenText(frames.at(-1)![2])).toContain('Released checkout-api v2.4.0 to production');

    const markers = events.filter((e) => e[1] === 'm').map((e) => e[2]);
    expect(markers).toEqual([
      'Phase 1 start',
      'Readiness Confirmation Gate: pass',
      'Phase 2 start',
      'Change freeze acknowledgements requested',
      'Approval & Change Freeze Gate: pass',
      'Production approval requested',
      'Phase 3 start',
      'Production Launch Gate: pass',
      'Phase 4 start',
      'Stabilization & Reporting Gate: pass',
      'Ended: released',
    ]);

    const played = screenText(asciinemaCat(out));
    expect(played).toContain('WARROOM checkout-api v2.4.0');
    expect(played).toContain('Released checkout-api v2.4.0 to production');
  });

  it('marks the failed gate, the rollback and the ending of a failed release', async () => {
    const dir = scratchDir();
    const out = join(dir, 'failing-smoke.cast');
    expect(await exportCommand([recording('failing-smoke'), '--cast', out], captureIo(dir))).toBe(0);
    const markers = readCast(out).events.filter((e) => e[1] === 'm').map((e) => e[2]);
    expect(markers).toContain('Production Launch Gate: fail');
    expect(markers).toContain('Rollback');
    expect(markers.at(-1)).toBe('Ended: rolled-back');
    asciinemaCat(out);
  });

  it('writes asciicast v3 with --v3: a term object and intervals between events', async () => {
    const dir = scratchDir();
    const out = join(dir, 'clean.v3.cast');
    expect(await exportCommand([recording('clean'), '--cast', out, '--v3'], captureIo(dir))).toBe(0);
    const { header, events } = readCast(out);
    expect(header).toMatchObject({ version: 3, term: { cols: 80, rows: 24 } });
    expect(events.every(([interval]) => interval >= 0)).toBe(true);
    const v2 = join(dir, 'clean.v2.cast');
    await exportCommand([recording('clean'), '--cast', v2], captureIo(dir));
    const total = events.reduce((sum, [interval]) => sum + interval, 0);
    expect(total).toBeCloseTo(readCast(v2).events.at(-1)![0], 2);
  });

  it('exits 3 without --cast, naming what is missing', async () => {
    const io = captureIo(scratchDir());
    expect(await exportCommand([recording('clean')], io)).toBe(3);
    expect(io.err()).toContain('--cast OUT');
  });

  it('refuses to write the cast over the journal it reads, and leaves the journal as it was', async () => {
    const dir = scratchDir();
    mkdirSync(join(dir, 'ex'));
    copyFileSync(recording('clean'), join(dir, 'ex/journal.jsonl'));
    const before = readFileSync(join(dir, 'ex/journal.jsonl'));
    symlinkSync('journal.jsonl', join(dir, 'ex/link.jsonl'));
    for (const out of ['ex/journal.jsonl', 'ex/../ex/journal.jsonl', 'ex/link.jsonl']) {
      const io = captureIo(dir);
      expect(await exportCommand(['ex/journal.jsonl', '--cast', out], io)).toBe(3);
      expect(io.err()).toBe(`warroom export: refusing to write ${out}: it is the recording being read\n`);
      expect(io.out()).toBe('');
    }
    expect(readFileSync(join(dir, 'ex/journal.jsonl'))).toEqual(before);
  });

  it('refuses to write the cast into the evidence folder it reads, or over the evidence zip', async () => {
    const dir = scratchDir();
    const evidence = join(dir, 'ex');
    mkdirSync(evidence);
    copyFileSync(recording('clean'), join(evidence, 'journal.jsonl'));
    await writeEvidencePackage(evidence);
    symlinkSync('ex', join(dir, 'alias'));
    const listing = readdirSync(evidence).sort();
    const refusals: Array<[string, string, string]> = [
      ['ex', 'ex/new.cast', 'it is inside the evidence folder being read'],
      ['ex', 'alias/sub/new.cast', 'it is inside the evidence folder being read'],
      ['ex', 'ex', 'it is the recording being read'],
      ['ex/journal.jsonl', 'ex/new.cast', 'it is inside the evidence folder being read'],
      ['ex/DEPLOYMENT-EVIDENCE.zip', 'alias/DEPLOYMENT-EVIDENCE.zip', 'it is the recording being read'],
    ];
    for (const [target, out, reason] of refusals) {
      const io = captureIo(dir);
      expect(await exportCommand([target, '--cast', out], io)).toBe(3);
      expect(io.err()).toBe(`warroom export: refusing to write ${out}: ${reason}\n`);
    }
    expect(readdirSync(evidence).sort()).toEqual(listing);
    expect(await exportCommand(['ex/DEPLOYMENT-EVIDENCE.zip', '--cast', 'beside.cast'], captureIo(dir))).toBe(0);
  });

  it('leaves no temp file behind when the cast cannot be written', async () => {
    const dir = scratchDir();
    mkdirSync(join(dir, 'taken'));
    const io = captureIo(dir);
    expect(await exportCommand([recording('clean'), '--cast', 'taken'], io)).toBe(3);
    expect(io.err()).toMatch(/^warroom export: cannot write taken \(E[A-Z]+\)\n$/);
    expect(readdirSync(dir)).toEqual(['taken']);
  });

  it('says in one line that a JSONL file with no journal events in it is not a recording, even with --force', async () => {
    const dir = scratchDir();
    mkdirSync(join(dir, 'ex'));
    const notEvents = '{"version":2,"width":80,"height":24}\n[0.1,"o","hello"]\n[0.2,"m","Phase 1 start"]\n';
    writeFileSync(join(dir, 'ex/journal.jsonl'), notEvents);
    const folder = captureIo(dir);
    expect(await exportCommand(['ex', '--cast', 'out.cast', '--force'], folder)).toBe(3);
    expect(folder.err()).toBe('ex: no journal events in journal.jsonl (3 lines)\n');
    const file = captureIo(dir);
    expect(await exportCommand(['ex/journal.jsonl', '--cast', 'out.cast', '--force'], file)).toBe(3);
    expect(file.err()).toBe('ex/journal.jsonl: no journal events in it (3 lines)\n');
  });
});
