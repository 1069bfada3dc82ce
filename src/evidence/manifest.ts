import { createHash } from 'node:crypto';
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { z } from 'zod';

// manifest.json: the SHA-256 and size of every evidence file, so anyone can
// tell later whether the package still holds what the session wrote (SPEC section 6).

export const MANIFEST = 'manifest.json';
export const EVIDENCE_ZIP = 'DEPLOYMENT-EVIDENCE.zip';

export const manifestSchema = z.object({
  files: z.array(
    z.object({
      path: z.string().min(1),
      sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits'),
      bytes: z.number().int().nonnegative(),
    }),
  ),
});
export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestFile = Manifest['files'][number];

/** Not evidence: the manifest itself, the zip that holds it, and what an interrupted atomic write left behind. */
export function isPackagingFile(path: string): boolean {
  return path === MANIFEST || path === EVIDENCE_ZIP || path.endsWith('.tmp');
}

export interface EvidenceListing {
  /** Regular files, relative with forward slashes, sorted. */
  files: string[];
  /** Symlinks, sockets, fifos: never followed, so a link cannot pull a file from outside the folder into the package. */
  others: string[];
}

/** Everything under the evidence folder except the packaging files, without following symlinks. */
export async function listEvidence(root: string): Promise<EvidenceListing> {
  const listing: EvidenceListing = { files: [], others: [] };
  const walk = async (folder: string, prefix: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = `${prefix}${entry.name}`;
      if (entry.isDirectory()) await walk(join(folder, entry.name), `${path}/`);
      else if (isPackagingFile(path)) continue;
      else if (entry.isFile()) listing.files.push(path);
      else listing.others.push(path);
    }
  };
  await walk(root, '');
  // Code-unit order, not locale order: the same folder gives the same manifest on every host.
  listing.files.sort();
  listing.others.sort();
  return listing;
}

/**
 * Hashes a stream chunk by chunk: step logs can be hundreds of megabytes. Past `limit`
 * bytes it stops reading and says so (`over`): a zip entry that inflates without end is
 * not read to its end.
 */
export async function digest(stream: Readable, limit = Number.POSITIVE_INFINITY): Promise<{ sha256: string; bytes: number; over?: true }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > limit) {
      stream.destroy();
      return { sha256: '', bytes, over: true };
    }
    hash.update(chunk);
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** Hashes a file read into one reused buffer: a stream's fresh buffer per chunk would wait for the garbage collector. */
async function digestFile(path: string, buffer: Buffer): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  const file = await open(path, 'r');
  try {
    for (let read = (await file.read(buffer, 0, buffer.length, null)).bytesRead; read > 0; read = (await file.read(buffer, 0, buffer.length, null)).bytesRead) {
      hash.update(buffer.subarray(0, read));
      bytes += read;
    }
  } finally {
    await file.close();
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** The manifest of an evidence folder as it is on disk now; symlinks are left out (verify names them as added). */
export async function buildManifest(evidenceDir: string): Promise<Manifest> {
  const { files } = await listEvidence(evidenceDir);
  const manifest: Manifest = { files: [] };
  const buffer = Buffer.allocUnsafeSlow(256 * 1024);
  for (const path of files) manifest.files.push({ path, ...(await digestFile(join(evidenceDir, path), buffer)) });
  return manifest;
}
