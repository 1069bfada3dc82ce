import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArtifactSpec } from '../../src/plan/schema.js';
import { checkArtifact, type ArtifactLimits } from '../../src/probes/readiness.js';
import { formatBytes, listZipEntries } from '../../src/probes/zip.js';
import { REPO } from '../e2e/demo.js';
import { declareSize, writeZip, type ZipSpecEntry } from './hostile-zip.js';

// Gate 1 on prerequisite artifacts built to hurt: each must fail as one readiness
// item whose detail names the problem, and nothing may be unpacked anywhere.

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'warroom-hostile-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let cases = 0;
/** A fresh folder per case, so "only what the test wrote" is easy to check. */
function caseDir(): string {
  const dir = join(root, `case-${++cases}`);
  mkdirSync(dir);
  return dir;
}

async function check(dir: string, path: string, kind: ArtifactSpec['kind'], limits: Partial<ArtifactLimits> = {}, expected?: Record<string, unknown>) {
  const spec = { path, kind, ...(expected ? { expect: expected } : {}) } as ArtifactSpec;
  return checkArtifact(spec, dir, Date.now(), limits);
}

/** Gate 1 read the archive in place: the folder holds exactly the files the test wrote, and nothing landed beside it. */
function expectNothingExtracted(dir: string, written: string[]): void {
  expect(readdirSync(dir, { recursive: true }).sort()).toEqual([...written].sort());
  expect(readdirSync(root).every((name) => /^case-\d+$/.test(name))).toBe(true);
}

async function zipFailure(entries: ZipSpecEntry[], limits: Partial<ArtifactLimits> = {}): Promise<string> {
  const dir = caseDir();
  writeZip(join(dir, 'package.zip'), entries);
  const item = await check(dir, 'package.zip', 'zip', limits);
  expect(item.status).toBe('fail');
  expectNothingExtracted(dir, ['package.zip']);
  return item.detail;
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('a prerequisite zip in Gate 1', () => {
  it('passes a normal package with a folder, files and the demo fixture zips', async () => {
    const dir = caseDir();
    const path = writeZip(join(dir, 'package.zip'), [
      { name: 'docs/', mode: 0o40755 },
      { name: 'docs/README.md', text: '# Package\n' },
      { name: 'readiness-checklist.json', text: '{"completion": 1}\n', deflate: true },
    ]);
    expect(await check(dir, 'package.zip', 'zip')).toEqual({
      id: 'artifact:package.zip',
      kind: 'artifact',
      name: 'package.zip',
      status: 'pass',
      detail: 'zip, 3 entries',
      sha256: sha256(path),
    });
    const fixture = await check(join(REPO, 'fixtures/demo'), 'artifacts/PRE-DEPLOYMENT-PACKAGE.zip', 'zip');
    expect(fixture).toMatchObject({ status: 'pass', detail: 'zip, 5 entries' });
    expectNothingExtracted(dir, ['package.zip']);
  });

  it('fails a ../ entry, naming it, with the archive still hashed', async () => {
    const dir = caseDir();
    const path = writeZip(join(dir, 'package.zip'), [
      { name: 'README.md', text: 'fine\n' },
      { name: '../escape', text: 'outside\n' },
    ]);
    expect(await check(dir, 'package.zip', 'zip')).toEqual({
      id: 'artifact:package.zip',
      kind: 'artifact',
      name: 'package.zip',
      status: 'fail',
      detail: 'entry "../escape": path with ".." (would land outside the folder it is unpacked into)',
      sha256: sha256(path),
    });
    expectNothingExtracted(dir, ['package.zip']);
    expect(readdirSync(tmpdir())).not.toContain('escape');
  });

  it('fails a .. hidden in the middle of a path', async () => {
    expect(await zipFailure([{ name: 'docs/../../escape', text: 'x' }])).toBe('entry "docs/../../escape": path with ".." (would land outside the folder it is unpacked into)');
  });

  it('fails an absolute entry', async () => {
    expect(await zipFailure([{ name: '/etc/cron.d/warroom', text: '* * * * * root true\n' }])).toBe('entry "/etc/cron.d/warroom": absolute path');
  });

  it('fails a Windows drive path as absolute', async () => {
    expect(await zipFailure([{ name: 'C:/Windows/evil.dll', text: 'x' }])).toBe('entry "C:/Windows/evil.dll": absolute path');
  });

  it('fails a symlink entry, naming it', async () => {
    expect(await zipFailure([{ name: 'docs/passwd', text: '/etc/passwd', mode: 0o120777 }])).toBe('entry "docs/passwd": symbolic link');
  });

  it('fails a device or fifo entry', async () => {
    expect(await zipFailure([{ name: 'pipe', mode: 0o10644 }])).toBe('entry "pipe": not a regular file or folder (Unix type 0o10000)');
  });

  it('fails a backslash in a name, shown escaped', async () => {
    expect(await zipFailure([{ name: 'scripts\\deploy.sh', text: 'x' }])).toBe('entry "scripts\\\\deploy.sh": backslash in the name (a Windows separator)');
  });

  it('fails a NUL byte in a name, shown escaped', async () => {
    expect(await zipFailure([{ name: 'deploy.sh\u0000.txt', text: 'x' }])).toBe('entry "deploy.sh\\u0000.txt": control character in the name');
  });

  it('fails a terminal escape in a name without printing it raw', async () => {
    const detail = await zipFailure([{ name: 'notes\u001b]0;owned\u0007\u009b2J.md', text: 'x' }]);
    expect(detail).toBe('entry "notes\\u001b]0;owned\\u0007\\u009b2J.md": control character in the name');
    expect(detail).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });

  it('fails more entries than the default cap of 10000, before reading the directory', async () => {
    const entries = Array.from({ length: 10_001 }, (_, n) => ({ name: `f/${n}` }));
    expect(await zipFailure(entries)).toBe('archive lists 10001 entries, over the cap of 10000');
  });

  it('fails an archive larger than its cap from its size alone', async () => {
    const dir = caseDir();
    const path = writeZip(join(dir, 'package.zip'), [{ name: 'big.txt', text: 'x'.repeat(4096) }]);
    const size = statSync(path).size;
    expect(await check(dir, 'package.zip', 'zip', { maxArchiveBytes: 1000 })).toEqual({
      id: 'artifact:package.zip',
      kind: 'artifact',
      name: 'package.zip',
      status: 'fail',
      detail: `too large for a zip artifact: ${formatBytes(size)}, over the cap of 1000 bytes`,
    });
    expectNothingExtracted(dir, ['package.zip']);
  });

  it('fails a highly compressed entry over the ratio cap, with its numbers', async () => {
    const dir = caseDir();
    const path = writeZip(join(dir, 'package.zip'), [{ name: 'zeros.bin', zeros: 2 * 1024 * 1024, deflate: true }]);
    const listing = await listZipEntries(path);
    if ('error' in listing) throw new Error(listing.error);
    const compressed = listing.entries[0]!.compressedSize;
    const item = await check(dir, 'package.zip', 'zip', { maxCompressionRatio: 100 });
    expect(item.detail).toBe(
      `entry "zeros.bin": declares 2097152 bytes (2 MiB) from ${formatBytes(compressed)} compressed, a ratio of ${Math.floor(2097152 / compressed)}:1, over the cap of 100:1`,
    );
    expectNothingExtracted(dir, ['package.zip']);
  });

  it('fails an entry whose directory record claims 3 GiB from a few bytes (default caps)', async () => {
    const dir = caseDir();
    const path = writeZip(join(dir, 'package.zip'), [{ name: 'bomb.bin', text: '0123456789' }]);
    declareSize(path, 'bomb.bin', 3 * 1024 ** 3);
    expect((await check(dir, 'package.zip', 'zip')).detail).toBe(
      'entry "bomb.bin": declares 3221225472 bytes (3 GiB) from 10 bytes compressed, a ratio of 322122547:1, over the cap of 1000:1',
    );
    expectNothingExtracted(dir, ['package.zip']);
  });

  it('fails entries whose declared sizes add up past the total cap', async () => {
    const megabyte = { zeros: 1024 * 1024, deflate: true };
    const detail = await zipFailure([{ name: 'a.bin', ...megabyte }, { name: 'b.bin', ...megabyte }, { name: 'c.bin', ...megabyte }], {
      maxTotalUncompressedBytes: 2 * 1024 * 1024,
    });
    expect(detail).toBe('entries declare 3145728 bytes (3 MiB) uncompressed in total, over the cap of 2097152 bytes (2 MiB)');
  });
});

describe('a prerequisite JSON artifact in Gate 1', () => {
  async function jsonItem(content: string | Buffer, limits: Partial<ArtifactLimits> = {}, expected?: Record<string, unknown>) {
    const dir = caseDir();
    writeFileSync(join(dir, 'report.json'), content);
    const item = await check(dir, 'report.json', 'json', limits, expected);
    expectNothingExtracted(dir, ['report.json']);
    return item;
  }

  it('passes a normal report and checks its expectations', async () => {
    expect(await jsonItem('{"decision": "go", "drill": {"result": "passed"}}', {}, { decision: 'go', 'drill.result': 'passed' })).toMatchObject({
      status: 'pass',
      detail: 'json, 2 expectation(s) met',
    });
  });

  it('refuses a 100000-deep array cleanly instead of overflowing the stack', async () => {
    const item = await jsonItem('['.repeat(100_000) + ']'.repeat(100_000));
    expect(item).toMatchObject({ status: 'fail', detail: 'nested deeper than 64 levels' });
    expect(item.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('accepts 64 levels of nesting and refuses 65', async () => {
    expect(await jsonItem('{"a":'.repeat(63) + '[1]' + '}'.repeat(63))).toMatchObject({ status: 'pass' });
    expect(await jsonItem('{"a":'.repeat(64) + '[1]' + '}'.repeat(64))).toMatchObject({ status: 'fail', detail: 'nested deeper than 64 levels' });
  });

  it('does not count brackets inside strings, escaped quotes included', async () => {
    const note = '\\"' + '[{'.repeat(200);
    expect(await jsonItem(`{"decision": "go", "note": "${note}"}`, {}, { decision: 'go' })).toMatchObject({ status: 'pass' });
  });

  it('refuses a file over the default 5 MiB cap without reading it', async () => {
    expect(await jsonItem(Buffer.alloc(5 * 1024 * 1024 + 1, 0x20))).toEqual({
      id: 'artifact:report.json',
      kind: 'artifact',
      name: 'report.json',
      status: 'fail',
      detail: 'too large for a JSON artifact: 5242881 bytes (5 MiB), over the cap of 5242880 bytes (5 MiB)',
    });
  });

  it('refuses a file over a lowered cap', async () => {
    expect((await jsonItem(`{"padding": "${'x'.repeat(200)}"}`, { maxJsonBytes: 100 })).detail).toBe(
      'too large for a JSON artifact: 215 bytes, over the cap of 100 bytes',
    );
  });

  it('refuses bytes that are not UTF-8, naming the offset', async () => {
    const prefix = Buffer.from('{"decision": "go');
    const item = await jsonItem(Buffer.concat([prefix, Buffer.from([0xff, 0xfe]), Buffer.from('"}')]));
    expect(item).toMatchObject({ status: 'fail', detail: `not valid UTF-8 (byte ${prefix.length})` });
  });

  it('refuses a UTF-8 sequence cut short and an encoded surrogate', async () => {
    expect((await jsonItem(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe2, 0x82, 0x22, 0x7d]))).detail).toBe('not valid UTF-8 (byte 6)');
    expect((await jsonItem(Buffer.from([0x5b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x5d]))).detail).toBe('not valid UTF-8 (byte 2)');
  });

  it('passes multi-byte UTF-8 text', async () => {
    expect(await jsonItem('{"owner": "Priya Raman — Zürich ✓ 🚀"}')).toMatchObject({ status: 'pass', detail: 'json' });
  });
});

describe('a prerequisite markdown artifact in Gate 1', () => {
  it('is read as a stream: whitespace alone is empty, text is not', async () => {
    const dir = caseDir();
    writeFileSync(join(dir, 'blank.md'), ' \n\t\u00a0\n'.repeat(50_000));
    writeFileSync(join(dir, 'checklist.md'), ' \n'.repeat(100_000) + '# Checklist\n');
    expect(await check(dir, 'blank.md', 'markdown')).toMatchObject({ status: 'fail', detail: 'empty' });
    expect(await check(dir, 'checklist.md', 'markdown')).toMatchObject({ status: 'pass', detail: 'markdown, 200012 bytes', sha256: sha256(join(dir, 'checklist.md')) });
  });
});
