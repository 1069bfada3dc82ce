import { closeSync, existsSync, mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { warroomFromSource } from './source-cli.js';

// Standard output that fails: a reader that went away ends quietly, a full disk is one line.

describe('warroom writing to an output that fails', () => {
  it('finishes quietly when the reader of its output went away, as under head -1', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'warroom-pipe-'));
    const result = await warroomFromSource(['init', 'war'], { cwd, stdout: 'closed' });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(existsSync(join(cwd, 'war/release.yaml'))).toBe(true);
  });

  it.skipIf(!existsSync('/dev/full'))('says in one line that the output could not be written when the disk is full', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'warroom-full-'));
    const full = openSync('/dev/full', 'w');
    try {
      const result = await warroomFromSource(['schema'], { cwd, stdout: full });
      expect(result.stderr).toBe('warroom: cannot write the output: no space left on the device (ENOSPC)\n');
      expect(result.code).toBe(3);
    } finally {
      closeSync(full);
    }
  });
});
