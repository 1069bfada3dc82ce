import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
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

// The format's numbers, for this reader and for the evidence zip's writer (src/evidence/zip.ts).
export const EOCD = 0x06054b50;
export const CENTRAL = 0x02014b50;
export const LOCAL = 0x04034b50;
const MAX_COMMENT = 0xffff;
export const MADE_ON_UNIX = 3;
export const STORED = 0;
export const DEFLATED = 8;
export const ZIP64_MARKER = 0xffffffff;
export const ZIP64_END = 0x06064b50;
export const ZIP64_LOCATOR = 0x07064b50;

/**
 * Caps on a prerequisite zip (SPEC section 10). Gate 1 reads only the central
 * directory, so these judge what the archive declares, before anyone unpacks it.
 */
export interface ZipLimits {
  /** The archive file itself, checked with stat before a byte is read. */
  maxArchiveBytes: number;
  maxEntries: number;
  /** Sum of every entry's declared uncompressed size: a zip bomb declares far more than it weighs. */
  maxTotalUncompressedBytes: number;
  /** Uncompressed to compressed, for entries larger than ratioCheckedAboveBytes. */
  maxCompressionRatio: number;
  ratioCheckedAboveBytes: number;
}

export const MAX_ZIP_ARCHIVE_BYTES = 512 * 1024 * 1024;
export const MAX_ZIP_ENTRIES = 10_000;
export const MAX_ZIP_UNCOMPRESSED_BYTES = 2 * 1024 * 1024 * 1024;
// Deflate tops out near 1032:1, so only a run of one repeated byte gets past 1000:1.
export const MAX_ZIP_COMPRESSION_RATIO = 1000;
export const ZIP_RATIO_CHECKED_ABOVE_BYTES = 1024 * 1024;

export const ZIP_LIMITS: ZipLimits = {
  maxArchiveBytes: MAX_ZIP_ARCHIVE_BYTES,
  maxEntries: MAX_ZIP_ENTRIES,
  maxTotalUncompressedBytes: MAX_ZIP_UNCOMPRESSED_BYTES,
  maxCompressionRatio: MAX_ZIP_COMPRESSION_RATIO,
  ratioCheckedAboveBytes: ZIP_RATIO_CHECKED_ABOVE_BYTES,
};

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

export async function listZipEntries(path: string): Promise<{ entries: ZipEntry[] } | { error: string }> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    return await readCentralDirectory(file, size, { zip64: true });
  } finally {
    await file.close();
  }
}

/**
 * Gate 1's look at a prerequisite zip: its size, its entry count, then every
 * entry's name, type and declared sizes, all from the central directory. The
 * first problem found is returned, naming the entry when it is about one.
 */
export async function inspectZip(path: string, limits: ZipLimits = ZIP_LIMITS): Promise<{ entries: ZipEntry[] } | { error: string }> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    if (size > limits.maxArchiveBytes) return { error: `archive is ${formatBytes(size)}, over the cap of ${formatBytes(limits.maxArchiveBytes)}` };
    const listing = await readCentralDirectory(file, size, { maxEntries: limits.maxEntries });
    if ('error' in listing) return listing;
    let declared = 0;
    for (const entry of listing.entries) {
      const problem = entryProblem(entry, limits);
      if (problem) return { error: `entry ${quoteName(entry.name)}: ${problem}` };
      declared += entry.size;
    }
    if (declared > limits.maxTotalUncompressedBytes) {
      return { error: `entries declare ${formatBytes(declared)} uncompressed in total, over the cap of ${formatBytes(limits.maxTotalUncompressedBytes)}` };
    }
    return listing;
  } finally {
    await file.close();
  }
}

/**
 * `zip64`: read zip64 end records and sizes (warroom's own evidence zips use them past
 * 3.75 GiB). Gate 1 does not: an artifact that needs them is over its caps anyway.
 */
async function readCentralDirectory(file: FileHandle, size: number, { maxEntries = Infinity, zip64 = false } = {}): Promise<{ entries: ZipEntry[] } | { error: string }> {
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
  let count = tail.readUInt16LE(eocd + 10);
  let directorySize = tail.readUInt32LE(eocd + 12);
  let directoryOffset = tail.readUInt32LE(eocd + 16);
  // A zip64 archive keeps the real values in its zip64 end record.
  if (eocd >= 20 && tail.readUInt32LE(eocd - 20) === ZIP64_LOCATOR) {
    if (!zip64) return { error: 'zip64 archive, not supported' };
    const record = Buffer.alloc(56);
    const recordOffset = Number(tail.readBigUInt64LE(eocd - 20 + 8));
    const { bytesRead } = recordOffset + record.length <= size ? await file.read(record, 0, record.length, recordOffset) : { bytesRead: 0 };
    if (bytesRead < record.length || record.readUInt32LE(0) !== ZIP64_END) return { error: 'corrupt zip archive (no zip64 end of central directory where its locator points)' };
    const wide = [Number(record.readBigUInt64LE(32)), Number(record.readBigUInt64LE(40)), Number(record.readBigUInt64LE(48))];
    // Where the two end records disagree, tools that read one or the other would see different archives.
    if ([[count, 0xffff], [directorySize, ZIP64_MARKER], [directoryOffset, ZIP64_MARKER]].some(([narrow, marker], i) => narrow !== marker && narrow !== wide[i])) {
      return { error: 'corrupt zip archive (its end record and zip64 end record disagree)' };
    }
    [count, directorySize, directoryOffset] = wide as [number, number, number];
  }
  if (count > maxEntries) return { error: `archive lists ${count} entries, over the cap of ${maxEntries}` };
  if (directoryOffset + directorySize > size) return { error: 'corrupt zip archive (central directory out of range)' };
  if (directorySize > MAX_DIRECTORY_BYTES) return { error: `central directory of ${formatBytes(directorySize)}, over the cap of ${formatBytes(MAX_DIRECTORY_BYTES)}` };
  const directory = Buffer.alloc(directorySize);
  await file.read(directory, 0, directorySize, directoryOffset);
  const entries: ZipEntry[] = [];
  let at = 0;
  for (let n = 0; n < count; n++) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== CENTRAL) return { error: `corrupt zip archive (entry ${n + 1})` };
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    if (at + 46 + nameLength + extraLength > directory.length) return { error: `corrupt zip archive (entry ${n + 1})` };
    const sizes = zip64 ? wideSizes(directory, at, nameLength, extraLength) : narrowSizes(directory, at);
    if (sizes === undefined) return { error: `corrupt zip archive (entry ${n + 1}: zip64 sizes missing)` };
    entries.push({
      name: directory.toString('utf8', at + 46, at + 46 + nameLength),
      ...sizes,
      method: directory.readUInt16LE(at + 10),
      flags: directory.readUInt16LE(at + 8),
      mode: directory.readUInt8(at + 5) === MADE_ON_UNIX ? directory.readUInt32LE(at + 38) >>> 16 : 0,
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  // Records past the declared count would be invisible here yet unpacked by tools that read the directory to its end.
  if (at !== directory.length) return { error: `corrupt zip archive (central directory does not end after its ${count} entries)` };
  return { entries };
}

/** No evidence package or prerequisite comes near this: a directory claiming more is not read into memory. */
const MAX_DIRECTORY_BYTES = 64 * 1024 * 1024;
const ZIP64_EXTRA = 0x0001;

/**
 * An entry's sizes and offset from its central directory record: a field at 0xFFFFFFFF
 * is in the record's zip64 extra field instead, 8 bytes each, in this order.
 */
function narrowSizes(directory: Buffer, at: number): Pick<ZipEntry, 'size' | 'compressedSize' | 'localHeaderOffset'> {
  return { size: directory.readUInt32LE(at + 24), compressedSize: directory.readUInt32LE(at + 20), localHeaderOffset: directory.readUInt32LE(at + 42) };
}

function wideSizes(directory: Buffer, at: number, nameLength: number, extraLength: number): Pick<ZipEntry, 'size' | 'compressedSize' | 'localHeaderOffset'> | undefined {
  const narrow = narrowSizes(directory, at);
  const wide = (Object.keys(narrow) as Array<keyof typeof narrow>).filter((key) => narrow[key] === ZIP64_MARKER);
  if (wide.length === 0) return narrow;
  const end = at + 46 + nameLength + extraLength;
  for (let field = at + 46 + nameLength; field + 4 <= end; field += 4 + directory.readUInt16LE(field + 2)) {
    if (directory.readUInt16LE(field) !== ZIP64_EXTRA) continue;
    if (directory.readUInt16LE(field + 2) < 8 * wide.length || field + 4 + 8 * wide.length > end) return undefined;
    wide.forEach((key, i) => (narrow[key] = Number(directory.readBigUInt64LE(field + 4 + 8 * i))));
    return narrow;
  }
  return undefined;
}

function entryProblem(entry: ZipEntry, limits: ZipLimits): string | undefined {
  if (/[\u0000-\u001f\u007f-\u009f]/.test(entry.name)) return 'control character in the name';
  if (/^[\\/]|^[A-Za-z]:/.test(entry.name)) return 'absolute path';
  if (entry.name.split(/[\\/]/).includes('..')) return 'path with ".." (would land outside the folder it is unpacked into)';
  if (entry.name.includes('\\')) return 'backslash in the name (a Windows separator)';
  const type = entry.mode & S_IFMT;
  if (type === S_IFLNK) return 'symbolic link';
  if (type !== 0 && type !== S_IFREG && type !== S_IFDIR) return `not a regular file or folder (Unix type 0o${type.toString(8)})`;
  if ([entry.size, entry.compressedSize, entry.localHeaderOffset].includes(ZIP64_MARKER)) return 'zip64 sizes, not supported';
  if (entry.size > limits.ratioCheckedAboveBytes && entry.size > entry.compressedSize * limits.maxCompressionRatio) {
    const ratio = entry.compressedSize === 0 ? 'an unbounded ratio' : `a ratio of ${Math.floor(entry.size / entry.compressedSize)}:1`;
    return `declares ${formatBytes(entry.size)} from ${formatBytes(entry.compressedSize)} compressed, ${ratio}, over the cap of ${limits.maxCompressionRatio}:1`;
  }
  return undefined;
}

/** An entry name as the operator may see it: quoted, with control and invisible characters escaped, never raw. */
export function quoteName(name: string): string {
  return JSON.stringify(name).replace(/[\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Exact bytes, with a binary unit beside them once they are large enough to need one. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${bytes} bytes (${Number(value.toFixed(1))} ${units[unit]})`;
}

/** Entry names that would escape an extraction folder. */
export function unsafeEntry<T extends Pick<ZipEntry, 'name'>>(entries: T[]): T | undefined {
  return entries.find((e) => e.name.startsWith('/') || /^[A-Za-z]:/.test(e.name) || e.name.split(/[\\/]/).includes('..'));
}

/**
 * Streams one entry's content, inflated, straight from the archive: nothing is
 * written to disk and memory stays bounded however large the entry is.
 * Throws when the entry cannot be read (encrypted, unknown method).
 */
export async function openZipEntry(path: string, entry: ZipEntry): Promise<Readable> {
  if (entry.flags & 1) throw new Error('encrypted entry');
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

/** Reads a stream (an entry, a small file) whole, refusing more than `cap` bytes. */
export async function readCapped(stream: Readable, cap: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > cap) {
      stream.destroy();
      throw new Error(`larger than ${cap} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
