import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline, Readable } from 'node:stream';
import { createInflateRaw } from 'node:zlib';

// Reads a zip's central directory in memory, never extracting anything, so a
// prerequisite package can be checked without trusting its contents.

export interface ZipEntry {
  name: string;
  compressedSize: number;
  size: number;
  /** 0 stored, 8 deflate. */
  method: number;
  flags: number;
  /** Unix type and permission bits from the external attributes; 0 when not made on Unix. */
  mode: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_COMMENT = 0xffff;
const MADE_ON_UNIX = 3;
const STORED = 0;
const DEFLATED = 8;
const ZIP64_MARKER = 0xffffffff;

export async function listZipEntries(path: string): Promise<{ entries: ZipEntry[] } | { error: string }> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    if (size < 22) return { error: 'not a zip archive (too short)' };
    const tailLength = Math.min(size, 22 + MAX_COMMENT);
    const tail = Buffer.alloc(tailLength);
    await file.read(tail, 0, tailLength, size - tailLength);
    let eocd = -1;
    for (let i = tailLength - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) return { error: 'not a zip archive (no end of central directory)' };
    const count = tail.readUInt16LE(eocd + 10);
    const directorySize = tail.readUInt32LE(eocd + 12);
    const directoryOffset = tail.readUInt32LE(eocd + 16);
    if (directoryOffset + directorySize > size) return { error: 'corrupt zip archive (central directory out of range)' };
    const directory = Buffer.alloc(directorySize);
    await file.read(directory, 0, directorySize, directoryOffset);
    const entries: ZipEntry[] = [];
    let at = 0;
    for (let n = 0; n < count; n++) {
      if (at + 46 > directory.length || directory.readUInt32LE(at) !== CENTRAL) return { error: `corrupt zip archive (entry ${n + 1})` };
      const nameLength = directory.readUInt16LE(at + 28);
      const extraLength = directory.readUInt16LE(at + 30);
      const commentLength = directory.readUInt16LE(at + 32);
      entries.push({
        name: directory.toString('utf8', at + 46, at + 46 + nameLength),
        compressedSize: directory.readUInt32LE(at + 20),
        size: directory.readUInt32LE(at + 24),
        method: directory.readUInt16LE(at + 10),
        flags: directory.readUInt16LE(at + 8),
        mode: directory.readUInt8(at + 5) === MADE_ON_UNIX ? directory.readUInt32LE(at + 38) >>> 16 : 0,
        localHeaderOffset: directory.readUInt32LE(at + 42),
      });
      at += 46 + nameLength + extraLength + commentLength;
    }
    return { entries };
  } finally {
    await file.close();
  }
}

/** Entry names that would escape an extraction folder. */
export function unsafeEntry(entries: ZipEntry[]): ZipEntry | undefined {
  return entries.find((e) => e.name.startsWith('/') || /^[A-Za-z]:/.test(e.name) || e.name.split(/[\\/]/).includes('..'));
}

/**
 * Streams one entry's content, inflated, straight from the archive: nothing is
 * written to disk and memory stays bounded however large the entry is.
 * Throws when the entry cannot be read (encrypted, zip64, unknown method).
 */
export async function openZipEntry(path: string, entry: ZipEntry): Promise<Readable> {
  if (entry.flags & 1) throw new Error('encrypted entry');
  if ([entry.size, entry.compressedSize, entry.localHeaderOffset].includes(ZIP64_MARKER)) throw new Error('zip64 entry, not supported');
  if (entry.method !== STORED && entry.method !== DEFLATED) throw new Error(`compression method ${entry.method}, not supported`);
  const header = Buffer.alloc(30);
  const file = await open(path, 'r');
  try {
    const { bytesRead } = await file.read(header, 0, header.length, entry.localHeaderOffset);
    if (bytesRead < header.length || header.readUInt32LE(0) !== LOCAL) throw new Error('no local header where the central directory points');
  } finally {
    await file.close();
  }
  // The local header's name and extra field may differ in length from the central directory's.
  const start = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  const raw = entry.compressedSize === 0 ? Readable.from([]) : createReadStream(path, { start, end: start + entry.compressedSize - 1 });
  if (entry.method === STORED) return raw;
  return pipeline(raw, createInflateRaw(), () => {});
}
