import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The benchmark suite itself, at a thousandth of its size: every measure runs for real
// (warroom sessions, a pseudo-terminal, the evidence zip), but nothing is timed here.

const REPO = resolve(import.meta.dirname, '../..');
const ROWS = [
  'deploy step printing',
  'the least any console must do to that output',
  'the whole headless run around that step',
  'peak RSS of warroom, step printing 10 lines',
  'peak RSS of warroom, step printing 1,000 lines',
  'time to first frame of the console',
  'CPU of warroom in a soak window',
  'replay of a',
  'evidence zip of',
];

describe('npm run bench', () => {
  let folder: string;
  let run: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'warroom-bench-test-'));
    run = await new Promise((done) => {
      execFile(
        process.execPath,
        ['scripts/bench/run.mjs', '--scale', '0.001', '--out', join(folder, 'BENCHMARKS.md')],
        { cwd: REPO, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  }, 250_000);
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('runs every measure without an error', () => {
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('error:');
  });

  it('prints a row for every measure with its figure, baseline, ratio, target and result', () => {
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^measure\s+figure\s+baseline\s+ratio\s+target\s+result$/);
    for (const name of ROWS) {
      const line = lines.find((text) => text.startsWith(name));
      expect(line, `no row for "${name}" in:\n${run.stdout}`).toBeDefined();
      expect(line).toMatch(/(pass|FAIL|—)$/);
    }
  });

  it('writes the table, the machine and the scale into the report', () => {
    const report = readFileSync(join(folder, 'BENCHMARKS.md'), 'utf8');
    expect(report).toContain('<!-- bench:begin');
    expect(report).toContain('<!-- bench:end -->');
    expect(report).toMatch(/Measured \d{4}-\d\d-\d\dT[\d:]+Z on .+, \d+ cores, [\d.]+ GiB, Node v\d+/);
    expect(report).toContain('scale 0.001');
    expect(report).toContain('| measure | figure | baseline (same run) | ratio | target | result |');
    const rows = report.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| measure'));
    expect(rows).toHaveLength(ROWS.length);
    // A pipe inside a cell is escaped, so every row keeps its six cells.
    for (const row of rows) expect(row.split(/(?<!\\)\|/).length).toBe(8);
  });
});
