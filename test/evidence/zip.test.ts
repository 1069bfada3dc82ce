import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeZip, type ZipEntry, type ZipOptions } from '../../src/evidence/zip.js';
import { inspectZip, listZipEntries, openZipEntry, readCapped } from '../../src/probes/zip.js';

// The evidence zip writer against the real unzip: files bigger than its read buffer,
// incompressible bytes, empty files, UTF-8 names, folders, and zip64 records.

function folderWithFiles(): { dir: string; entries: ZipEntry[]; contents: Map<string, Buffer> } {
  const dir = mkdtempSync(join(tmpdir(), 'warroom-zip-'));
  mkdirSync(join(dir, 'logs'));
  const contents = new Map<string, Buffer>([
    ['logs/flood.log', Buffer.from(Array.from({ length: 40_000 }, (_, i) => `2026-03-02T02:00:00Z INFO line ${i}\n`).join(''))],
    ['logs/random.bin', randomBytes(700 * 1024)],
    ['logs/empty.log', Buffer.alloc(0)],
    ['logs/déploiement-✓.log', Buffer.from('ünïcödé …\n')],
  ]);
  const mtime = new Date('2026-03-02T02:00:00');
  const entries: ZipEntry[] = [{ name: 'logs/', mode: 0o750, mtime }];
  for (const [name, bytes] of contents) {
    writeFileSync(join(dir, name), bytes);
    entries.push({ name, path: join(dir, name), mode: 0o640, mtime });
  }
  return { dir, entries, contents };
}

async function zipOf(entries: ZipEntry[], options: ZipOptions = {}): Promise<string> {
  const path = join(mkdtempSync(join(tmpdir(), 'warroom-zip-out-')), 'out.zip');
  const fd = openSync(path, 'w');
  try {
    await writeZip(fd, entries, options);
  } finally {
    closeSync(fd);
  }
  return path;
}

describe('writeZip', () => {
  for (const [label, options] of [
    ['plain records', {}],
    ['files over 100 KiB stored', { deflateUpTo: 100 * 1024 }],
    ['zip64 records for every file', { zip64From: 0 }],
  ] as Array<[string, ZipOptions]>) {
    it(`writes a zip unzip tests and extracts byte for byte, with modes and UTF-8 names (${label})`, async () => {
      const { entries, contents } = folderWithFiles();
      const zip = await zipOf(entries, options);
      expect(execFileSync('unzip', ['-t', zip], { encoding: 'utf8' })).toContain('No errors detected');
      for (const [name, bytes] of contents) expect(execFileSync('unzip', ['-p', zip, name], { maxBuffer: 64 * 1024 * 1024 }).equals(bytes), name).toBe(true);
      const listing = execFileSync('unzip', ['-Z', zip], { encoding: 'utf8' });
      expect(listing).toMatch(/drwxr-x---.*logs\//);
      expect(listing).toMatch(/-rw-r-----.*logs\/flood\.log/);
      // The reader verify and replay use agrees on the names, in order, and on every byte, zip64 records or not.
      const read = await listZipEntries(zip);
      if (!('entries' in read)) throw new Error(read.error);
      expect(read.entries.map((entry) => entry.name)).toEqual(entries.map((entry) => entry.name));
      for (const entry of read.entries.filter((e) => contents.has(e.name))) {
        expect(entry.size).toBe(contents.get(entry.name)!.length);
        expect((await readCapped(await openZipEntry(zip, entry), 64 * 1024 * 1024)).equals(contents.get(entry.name)!), entry.name).toBe(true);
      }
    });
  }

  it('refuses a zip64 archive whose two end records disagree, and gate 1 refuses zip64 outright', async () => {
    const { entries } = folderWithFiles();
    const zip = await zipOf(entries, { zip64From: 0 });
    expect(await inspectZip(zip)).toEqual({ error: 'zip64 archive, not supported' });
    const bytes = readFileSync(zip);
    // The plain end record's entry count: 0xFFFF says "see the zip64 record"; any other number must be the same.
    bytes.writeUInt16LE(1, bytes.length - 22 + 10);
    writeFileSync(zip, bytes);
    expect(await listZipEntries(zip)).toEqual({ error: 'corrupt zip archive (its end record and zip64 end record disagree)' });
  });

  it('compresses a log as a zip tool would, and stores one over the limit as it is', async () => {
    const { entries, contents } = folderWithFiles();
    const log = entries.filter((entry) => entry.name === 'logs/flood.log');
    const listing = execFileSync('unzip', ['-v', await zipOf(log)], { encoding: 'utf8' });
    const size = Number(/^\s*(\d+)\s+Defl:N\s+(\d+)/m.exec(listing)?.[2]);
    expect(size).toBeLessThan(contents.get('logs/flood.log')!.length / 4);
    const stored = execFileSync('unzip', ['-v', await zipOf(log, { deflateUpTo: 1024 })], { encoding: 'utf8' });
    expect(stored).toMatch(new RegExp(`^\\s*${contents.get('logs/flood.log')!.length}\\s+Stored\\s+${contents.get('logs/flood.log')!.length}\\s`, 'm'));
  });

  it('fails, rather than writing a zip without it, when a file cannot be read', async () => {
    const { entries } = folderWithFiles();
    await expect(zipOf([...entries, { name: 'gone.log', path: '/nonexistent/gone.log', mode: 0o640, mtime: new Date() }])).rejects.toThrow(/ENOENT/);
  });
});
