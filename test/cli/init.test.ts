import { execFile } from 'node:child_process';
import { access, constants, lstat, mkdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { initCommand } from '../../src/cli/init.js';
import { validateCommand } from '../../src/cli/validate.js';
import { loadPlan } from '../../src/plan/load.js';
import { captureIo } from '../helpers/io.js';
import { tempDir } from '../plan/plan-files.js';

const run = promisify(execFile);

describe('warroom init', () => {
  it('writes a plan that validates', async () => {
    const io = captureIo(await tempDir());
    expect(await initCommand(['war'], io)).toBe(0);
    expect(io.out()).toContain('created  war/release.yaml\n');
    const check = captureIo(io.cwd);
    expect(await validateCommand(['war/release.yaml'], check)).toBe(0);
    expect(check.out()).toBe('war/release.yaml: valid (3 deploy steps, 3 checks, 3 metrics)\n');
  });

  it('initialises the current folder when no folder is named', async () => {
    const io = captureIo(await tempDir());
    expect(await initCommand([], io)).toBe(0);
    expect(io.out()).toContain('created  release.yaml\n');
    await access(path.join(io.cwd, 'release.yaml'));
  });

  it('explains every top-level key of the plan in a comment', async () => {
    const io = captureIo(await tempDir());
    await initCommand([], io);
    const text = await readFile(path.join(io.cwd, 'release.yaml'), 'utf8');
    const keys = [...text.matchAll(/^#?\s?([a-zA-Z]+):/gm)].map((match) => match[1]);
    for (const key of ['version', 'release', 'announce', 'window', 'stakeholders', 'approvals', 'prerequisites', 'staging', 'freeze', 'dryRun', 'deploy', 'rollback', 'checks', 'health', 'gates', 'notify', 'secrets', 'session']) {
      expect(keys).toContain(key);
      const line = text.split('\n').findIndex((candidate) => candidate.replace(/^#\s?/, '').startsWith(`${key}:`));
      expect(text.split('\n')[line - 1], `comment above ${key}`).toMatch(/^#/);
    }
  });

  it('writes executable example scripts that run and exit 0', async () => {
    const io = captureIo(await tempDir());
    await initCommand([], io);
    const scripts = path.join(io.cwd, 'scripts');
    for (const [script, args] of [['deploy.sh', ['v1', '10']], ['deploy.sh', ['--dry-run', 'v1']], ['rollback.sh', ['v1']], ['smoke.sh', ['staging']]] as const) {
      await access(path.join(scripts, script), constants.X_OK);
      const { stdout } = await run(path.join(scripts, script), [...args], { cwd: io.cwd });
      expect(stdout).not.toBe('');
    }
    const { stdout } = await run(path.join(scripts, 'smoke.sh'), ['--error-rate']);
    expect(Number(stdout.trim())).toBeLessThan(1);
  });

  it('writes every prerequisite artifact the plan lists, fresh enough to pass', async () => {
    const io = captureIo(await tempDir());
    await initCommand([], io);
    const loaded = await loadPlan('release.yaml', { cwd: io.cwd });
    if ('errors' in loaded) throw new Error('expected the template to validate');
    for (const artifact of loaded.plan.prerequisites.artifacts) {
      const file = path.join(io.cwd, artifact.path);
      expect((await stat(file)).isFile()).toBe(true);
      if (artifact.kind === 'json') JSON.parse(await readFile(file, 'utf8'));
      if (artifact.kind === 'zip') expect((await readFile(file)).subarray(0, 4).toString('latin1')).toBe('PK\x05\x06');
    }
  });

  it('refuses to overwrite an existing release.yaml', async () => {
    const io = captureIo(await tempDir());
    await writeFile(path.join(io.cwd, 'release.yaml'), 'version: 1\n');
    expect(await initCommand([], io)).toBe(3);
    expect(io.err()).toBe('release.yaml already exists: warroom init never overwrites a plan\n');
    expect(await readFile(path.join(io.cwd, 'release.yaml'), 'utf8')).toBe('version: 1\n');
  });

  it('keeps scripts that are already there', async () => {
    const io = captureIo(await tempDir());
    await mkdir(path.join(io.cwd, 'scripts'));
    await writeFile(path.join(io.cwd, 'scripts/deploy.sh'), '#!/bin/sh\nour real deploy\n');
    expect(await initCommand([], io)).toBe(0);
    expect(io.out()).toContain('kept     scripts/deploy.sh (already there)\n');
    expect(await readFile(path.join(io.cwd, 'scripts/deploy.sh'), 'utf8')).toBe('#!/bin/sh\nour real deploy\n');
  });

  it('exits 3 with one line when the folder cannot be created', async () => {
    const io = captureIo(await tempDir());
    await writeFile(path.join(io.cwd, 'taken'), '');
    expect(await initCommand(['taken'], io)).toBe(3);
    expect(io.err()).toBe('cannot initialise taken: it is a file, not a folder\n');
    expect(await initCommand(['taken/inside'], io)).toBe(3);
    expect(io.err()).toMatch(/\ncannot initialise taken\/inside: taken\/inside\/\S+: a file is in the way\n$/);
  });

  it('refuses a script that is a symbolic link to nothing, and creates nothing through it', async () => {
    const io = captureIo(await tempDir());
    await mkdir(path.join(io.cwd, 'scripts'));
    await symlink('../elsewhere/deploy.sh', path.join(io.cwd, 'scripts/deploy.sh'));
    expect(await initCommand([], io)).toBe(3);
    expect(io.err()).toBe('cannot initialise .: scripts/deploy.sh is a symbolic link to nothing (../elsewhere/deploy.sh); remove it or create its target\n');
    expect(io.out()).toBe('');
    expect(await readlink(path.join(io.cwd, 'scripts/deploy.sh'))).toBe('../elsewhere/deploy.sh');
    await expect(lstat(path.join(io.cwd, 'elsewhere'))).rejects.toThrow();
    await expect(lstat(path.join(io.cwd, 'release.yaml'))).rejects.toThrow();
  });

  it('refuses a scripts folder that is a symbolic link to nothing', async () => {
    const io = captureIo(await tempDir());
    await symlink('missing', path.join(io.cwd, 'scripts'));
    expect(await initCommand([], io)).toBe(3);
    expect(io.err()).toBe('cannot initialise .: scripts is a symbolic link to nothing (missing); remove it or create its target\n');
    await expect(lstat(path.join(io.cwd, 'missing'))).rejects.toThrow();
  });
});
