import { randomBytes } from 'node:crypto';
import { closeSync, createWriteStream, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { buildManifest, EVIDENCE_ZIP, MANIFEST } from './manifest.js';
import { DIR_MODE, FILE_MODE, writeFileAtomic } from './writer.js';

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

/** Zips `paths` (relative to `root`) in the given order, streamed from disk, into a temp file renamed into place. */
async function writeZipAtomic(zipPath: string, root: string, paths: string[]): Promise<void> {
  // Loaded here, at the session's end: archiver and its dependencies cost ~30 ms at start-up (SPEC section 12, first frame).
  const { default: archiver } = await import('archiver');
  const temp = `${zipPath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const output = createWriteStream(temp, { mode: FILE_MODE });
  const archive = archiver('zip');
  // finalize() resolving is not the file being on disk: only the output's 'close' is.
  const closed = once(output, 'close');
  closed.catch(() => {});
  // A file that vanished mid-way is a warning to archiver; a package missing it is a failure to us.
  const fail = (error: Error): void => void output.destroy(error);
  archive.on('error', fail);
  archive.on('warning', fail);
  archive.pipe(output);
  try {
    const folders = new Set<string>();
    for (const path of paths) {
      for (const folder of parentFolders(path)) {
        if (folders.has(folder)) continue;
        folders.add(folder);
        // An explicit folder entry, so unzip recreates it 0750 rather than with its own default.
        archive.file(join(root, folder), { name: `${folder}/`, mode: DIR_MODE, stats: await lstat(join(root, folder)) });
      }
      const stats = await lstat(join(root, path));
      if (!stats.isFile()) throw new Error(`${path} is no longer a regular file`);
      // Passing stats queues the entry at once; archiver's own stat queue could reorder entries.
      archive.file(join(root, path), { name: path, mode: FILE_MODE, stats });
    }
    await Promise.all([archive.finalize(), closed]);
    const fd = openSync(temp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, zipPath);
  } catch (error) {
    archive.abort();
    output.destroy();
    await closed.catch(() => {});
    rmSync(temp, { force: true });
    throw error;
  }
}

/** `logs/a/b.log` → `logs`, `logs/a`. */
function parentFolders(path: string): string[] {
  const parts = path.split('/').slice(0, -1);
  return parts.map((_, index) => parts.slice(0, index + 1).join('/'));
}
