import archiver from 'archiver';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, createWriteStream, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { releasedDemoEvidence } from '../e2e/demo.js';

// A realistic evidence folder from one real headless demo run, copied per test.

/** A realistic evidence folder: one real headless demo release. */
export const demoEvidence = releasedDemoEvidence;

/** A private copy of an evidence folder, so a test can tamper with it. */
export function copyEvidence(evidence: string): string {
  const copy = join(mkdtempSync(join(tmpdir(), 'warroom-evidence-')), 'evidence');
  cpSync(evidence, copy, { recursive: true });
  return copy;
}

/** Every file under a folder, relative with forward slashes, sorted. */
export function filesUnder(folder: string): string[] {
  return (readdirSync(folder, { recursive: true }) as string[])
    .map((path) => path.split('\\').join('/'))
    .filter((path) => statSync(join(folder, path)).isFile())
    .sort();
}

/**
 * Zips a folder as it is, manifest.json included but not recomputed: what someone
 * who edits a file and re-packs the zip by hand would produce.
 */
export async function rezip(folder: string, zipPath: string, options: { store?: boolean } = {}): Promise<string> {
  const output = createWriteStream(zipPath);
  const archive = archiver('zip');
  const closed = once(output, 'close');
  archive.pipe(output);
  for (const path of filesUnder(folder).filter((p) => p !== 'DEPLOYMENT-EVIDENCE.zip')) {
    const entry: archiver.ZipEntryData = { name: path, store: options.store ?? false };
    archive.file(join(folder, path), entry);
  }
  await Promise.all([archive.finalize(), closed]);
  return zipPath;
}

export function unzip(args: string[]): { code: number | null; stdout: string } {
  const result = spawnSync('unzip', args, { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout };
}
