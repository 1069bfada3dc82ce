import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { buildManifest, EVIDENCE_ZIP, MANIFEST } from './manifest.js';
import { DIR_MODE, FILE_MODE, writeFileAtomic } from './writer.js';
import { writeZip, type ZipEntry } from './zip.js';

// The evidence package: manifest.json, then DEPLOYMENT-EVIDENCE.zip holding it
// and every file it lists, so the package can leave the bastion as one file.

export interface EvidencePackage {
  files: number;
  zipPath: string;
  manifestPath: string;
}

export async function writeEvidencePackage(evidenceDir: string): Promise<EvidencePackage> {
  const manifest = await buildManifest(evidenceDir);
  const manifestPath = join(evidenceDir, MANIFEST);
  writeFileAtomic(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  const zipPath = join(evidenceDir, EVIDENCE_ZIP);
  // manifest.json first, so whoever opens the zip meets the index before the files.
  await writeZipAtomic(zipPath, evidenceDir, [MANIFEST, ...manifest.files.map((file) => file.path)]);
  return { files: manifest.files.length, zipPath, manifestPath };
}

/** Zips `paths` (relative to `root`) in the given order into a temp file renamed into place. */
async function writeZipAtomic(zipPath: string, root: string, paths: string[]): Promise<void> {
  const entries: ZipEntry[] = [];
  const folders = new Set<string>();
  for (const path of paths) {
    for (const folder of parentFolders(path)) {
      if (folders.has(folder)) continue;
      folders.add(folder);
      // An explicit folder entry, so unzip recreates it 0750 rather than with its own default.
      entries.push({ name: `${folder}/`, mode: DIR_MODE, mtime: (await lstat(join(root, folder))).mtime });
    }
    const stats = await lstat(join(root, path));
    if (!stats.isFile()) throw new Error(`${path} is no longer a regular file`);
    entries.push({ name: path, path: join(root, path), mode: FILE_MODE, mtime: stats.mtime });
  }
  const temp = `${zipPath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(temp, 'w', FILE_MODE);
  try {
    await writeZip(fd, entries);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temp, zipPath);
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
}

/** `logs/a/b.log` → `logs`, `logs/a`. */
function parentFolders(path: string): string[] {
  const parts = path.split('/').slice(0, -1);
  return parts.map((_, index) => parts.slice(0, index + 1).join('/'));
}
