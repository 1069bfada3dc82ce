import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateCommand } from '../../src/cli/validate.js';
import { captureIo } from '../helpers/io.js';
import { planFolder, planWith } from '../plan/plan-files.js';

describe('warroom validate', () => {
  it('prints one summary line and exits 0 for a valid plan', async () => {
    const io = captureIo(await planFolder());
    expect(await validateCommand(['release.yaml'], io)).toBe(0);
    expect(io.out()).toBe('release.yaml: valid (1 deploy step, 1 check, 1 metric)\n');
    expect(io.err()).toBe('');
  });

  it('prints every problem as FILE:LINE:COL on stderr and exits 3', async () => {
    const dir = await planFolder(planWith('strategy: canary', 'strategy: yolo\n  colour: red'));
    const io = captureIo(path.dirname(dir));
    const file = path.join(path.basename(dir), 'release.yaml');
    expect(await validateCommand([file], io)).toBe(3);
    expect(io.err()).toBe(
      `${file}:7:13 release.strategy: unknown strategy: expected canary, blue-green or rolling\n` +
        `${file}:8:3 unknown key "colour" in release\n`,
    );
    expect(io.out()).toBe('');
  });

  it('exits 3 with a usage line when the plan is not named', async () => {
    const io = captureIo(await planFolder());
    expect(await validateCommand([], io)).toBe(3);
    expect(io.err()).toBe('usage: warroom validate PLAN (which plan? e.g. release.yaml)\n');
  });

  it('exits 3 when the plan does not exist', async () => {
    const io = captureIo(await planFolder());
    expect(await validateCommand(['prod.yaml'], io)).toBe(3);
    expect(io.err()).toBe('prod.yaml:1:1 cannot read plan: no such file\n');
  });

  it('exits 3 at once when the plan is a named pipe, not waiting for a writer', async () => {
    const dir = await planFolder();
    execFileSync('mkfifo', [path.join(dir, 'pipe.yaml')]);
    const io = captureIo(dir);
    expect(await validateCommand(['pipe.yaml'], io)).toBe(3);
    expect(io.err()).toBe('pipe.yaml:1:1 cannot read plan: not a regular file (a named pipe)\n');
  }, 2_000);

  it('exits 3 for a deploy step that would write the dry run\'s log', async () => {
    const dir = await planFolder(planWith('- name: canary', '- name: Dry-Run'));
    const io = captureIo(dir);
    expect(await validateCommand(['release.yaml'], io)).toBe(3);
    expect(io.err()).toBe(
      'release.yaml:17:13 step name "Dry-Run" would write logs/dry-run.log, which warroom writes for dryRun (a step name names its log file)\n',
    );
  });
});
