import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildManifest } from '../../src/evidence/manifest.js';
import { writeEvidencePackage } from '../../src/evidence/package.js';
import { listZipEntries } from '../../src/probes/zip.js';
import { copyEvidence, demoEvidence, filesUnder, unzip } from './demo-evidence.js';

let evidence: string;

beforeAll(async () => {
  evidence = await demoEvidence();
}, 120_000);

describe('the evidence package', () => {
  it('lists every evidence file in manifest.json with its SHA-256 and size, sorted', async () => {
    const folder = copyEvidence(evidence);
    const { files } = await writeEvidencePackage(folder);
    const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8'));
    const expected = filesUnder(folder).filter((path) => !['manifest.json', 'DEPLOYMENT-EVIDENCE.zip'].includes(path));
    expect(manifest.files.map((file: { path: string }) => file.path)).toEqual(expected);
    expect(files).toBe(expected.length);
    expect(expected).toEqual(expect.arrayContaining(['journal.jsonl', 'logs/canary-10.log', 'gates/launch.json', 'DEPLOYMENT-REPORT.md']));
    for (const file of manifest.files) {
      const bytes = readFileSync(join(folder, file.path));
      expect(file, file.path).toEqual({ path: file.path, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length });
    }
  });

  it('writes manifest.json as pretty JSON with a trailing newline, hashes sha256sum agrees with', async () => {
    const folder = copyEvidence(evidence);
    await writeEvidencePackage(folder);
    const text = readFileSync(join(folder, 'manifest.json'), 'utf8');
    expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
    const log = JSON.parse(text).files.find((file: { path: string }) => file.path === 'logs/canary-10.log');
    expect(execFileSync('sha256sum', ['logs/canary-10.log'], { cwd: folder, encoding: 'utf8' })).toBe(`${log.sha256}  logs/canary-10.log\n`);
  });

  it('leaves out leftover temp files and symlinks', async () => {
    const folder = copyEvidence(evidence);
    writeFileSync(join(folder, 'gates/launch.json.123.abcd.tmp'), 'half-written');
    symlinkSync('/etc/hostname', join(folder, 'logs/outside.log'));
    const paths = (await buildManifest(folder)).files.map((file) => file.path);
    expect(paths.some((path) => path.endsWith('.tmp'))).toBe(false);
    expect(paths).not.toContain('logs/outside.log');
  });

  it('writes a zip that unzip -t accepts, manifest.json first and then the files in manifest order', async () => {
    const folder = copyEvidence(evidence);
    const { zipPath } = await writeEvidencePackage(folder);
    const test = unzip(['-t', zipPath]);
    expect(test.code).toBe(0);
    expect(test.stdout).toContain('No errors detected');
    expect(unzip(['-l', zipPath]).stdout).toMatch(/\bmanifest\.json\n/);
    const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8'));
    const names = unzip(['-Z1', zipPath]).stdout.trim().split('\n');
    expect(names.filter((name) => !name.endsWith('/'))).toEqual(['manifest.json', ...manifest.files.map((file: { path: string }) => file.path)]);
    expect(names).toEqual(expect.arrayContaining(['gates/', 'logs/']));
    expect(names.indexOf('logs/')).toBeLessThan(names.indexOf('logs/canary-10.log'));
  });

  it('creates the zip and manifest.json 0640, with entries 0640 and folders 0750 inside', async () => {
    const folder = copyEvidence(evidence);
    const { zipPath, manifestPath } = await writeEvidencePackage(folder);
    expect(statSync(zipPath).mode & 0o777).toBe(0o640);
    expect(statSync(manifestPath).mode & 0o777).toBe(0o640);
    const listing = await listZipEntries(zipPath);
    if ('error' in listing) throw new Error(listing.error);
    for (const entry of listing.entries) expect(entry.mode, entry.name).toBe(entry.name.endsWith('/') ? 0o40750 : 0o100640);

    const extracted = mkdtempSync(join(tmpdir(), 'warroom-unzipped-'));
    expect(unzip(['-q', zipPath, '-d', extracted]).code).toBe(0);
    expect(statSync(join(extracted, 'logs/canary-10.log')).mode & 0o777).toBe(0o640);
    expect(statSync(join(extracted, 'manifest.json')).mode & 0o777).toBe(0o640);
    expect(statSync(join(extracted, 'logs')).mode & 0o777).toBe(0o750);
  });

  it('replaces the package when written again and leaves no temp file behind', async () => {
    const folder = copyEvidence(evidence);
    await writeEvidencePackage(folder);
    writeFileSync(join(folder, 'late-note.md'), 'written after the first package\n');
    const again = await writeEvidencePackage(folder);
    expect(unzip(['-Z1', again.zipPath]).stdout.split('\n')).toContain('late-note.md');
    expect(readdirSync(folder).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
