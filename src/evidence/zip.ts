import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { writeFully } from '../runner/lines.js';
import { crc32, createDeflateRaw } from 'node:zlib';
import { CENTRAL, DEFLATED, EOCD, LOCAL, MADE_ON_UNIX, STORED, ZIP64_END, ZIP64_LOCATOR, ZIP64_MARKER } from '../probes/zip.js';

// The evidence zip, written by warroom itself: one file read at a time into one reused
// buffer, deflated, and written with plain synchronous writes, each local header patched
// with its sizes once they are known. A general zip library reads every file through a
// stream of fresh buffers, and after a flood of output those buffers (hundreds of
// megabytes of them, waiting for the garbage collector) were the session's memory peak.
// For the same reason a file over 16 MiB (a flood's log) is stored, not deflated: zlib
// hands back every piece of its output in a fresh buffer, a quarter of the file's size
// in all, which the collector only frees long after the session ends.

export interface ZipEntry {
  /** The name inside the zip, with forward slashes; a folder's ends with `/`. */
  name: string;
  /** The file to read; absent for a folder. */
  path?: string;
  /** Unix permission bits. */
  mode: number;
  mtime: Date;
}

export interface ZipOptions {
  /** Entries at least this big get zip64 sizes (ZIP's 32-bit fields stop at 4 GiB). */
  zip64From?: number;
  /** Files bigger than this are stored rather than deflated. */
  deflateUpTo?: number;
}

const CHUNK = 256 * 1024;
const MAX_32 = ZIP64_MARKER;
const MAX_16 = 0xffff;
/** Deflate can grow incompressible data a little: an entry this close to 4 GiB gets zip64 sizes. */
const ZIP64_FROM = 0xf000_0000;
const DEFLATE_UP_TO = 16 * 1024 * 1024;
const UTF8_NAMES = 0x0800;

interface Written {
  entry: ZipEntry;
  method: number;
  name: Buffer;
  crc: number;
  size: number;
  compressed: number;
  offset: number;
  zip64: boolean;
}

/** Writes `entries` in order into the zip file `fd`; throws if a file cannot be read. */
export async function writeZip(fd: number, entries: ZipEntry[], options: ZipOptions = {}): Promise<void> {
  const zip64From = options.zip64From ?? ZIP64_FROM;
  const deflateUpTo = options.deflateUpTo ?? DEFLATE_UP_TO;
  const out = new Output(fd);
  const buffer = Buffer.allocUnsafeSlow(CHUNK);
  const written: Written[] = [];
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const file = entry.path === undefined ? undefined : openSync(entry.path, 'r');
    try {
      const size = file === undefined ? 0 : fstatSync(file).size;
      const method = file === undefined || size > deflateUpTo ? STORED : DEFLATED;
      // The size read may differ from the size seen: an entry that may reach 4 GiB reserves zip64 fields from the start.
      const item: Written = { entry, method, name, crc: 0, size: 0, compressed: 0, offset: out.position, zip64: file !== undefined && size >= zip64From };
      out.write(localHeader(item));
      if (file !== undefined && method === DEFLATED) await deflateFile(file, buffer, out, item);
      if (file !== undefined && method === STORED) storeFile(file, buffer, out, item);
      out.patch(item.offset + 14, sizesOfLocalHeader(item));
      written.push(item);
    } finally {
      if (file !== undefined) closeSync(file);
    }
  }
  const directoryStart = out.position;
  for (const item of written) out.write(centralHeader(item));
  out.write(directoryEnd(written.length, directoryStart, out.position - directoryStart, out.position, zip64From));
}

/** Reads the file a chunk at a time into `buffer`, feeding each to deflate only after the previous one is done with. */
async function deflateFile(file: number, buffer: Buffer, out: Output, item: Written): Promise<void> {
  const deflate = createDeflateRaw({ level: 6 });
  deflate.on('data', (chunk: Buffer) => {
    out.write(chunk);
    item.compressed += chunk.length;
  });
  const ended = new Promise<void>((resolve, reject) => {
    deflate.once('end', resolve);
    deflate.once('error', reject);
  });
  for (let read = readSync(file, buffer, 0, CHUNK, null); read > 0; read = readSync(file, buffer, 0, CHUNK, null)) {
    const chunk = buffer.subarray(0, read);
    item.crc = crc32(chunk, item.crc);
    item.size += read;
    await new Promise<void>((resolve, reject) => deflate.write(chunk, (error) => (error ? reject(error) : resolve())));
  }
  deflate.end();
  await ended;
}

/** Copies the file as it is, a chunk at a time through `buffer`. */
function storeFile(file: number, buffer: Buffer, out: Output, item: Written): void {
  for (let read = readSync(file, buffer, 0, CHUNK, null); read > 0; read = readSync(file, buffer, 0, CHUNK, null)) {
    const chunk = buffer.subarray(0, read);
    item.crc = crc32(chunk, item.crc);
    item.size += read;
    item.compressed += read;
    out.write(chunk);
  }
}

/** Synchronous writes at the end of the zip, and patches before it. */
class Output {
  position = 0;

  constructor(private readonly fd: number) {}

  write(bytes: Buffer): void {
    writeFully(this.fd, bytes, this.position);
    this.position += bytes.length;
  }

  patch(at: number, bytes: Buffer): void {
    writeFully(this.fd, bytes, at);
  }
}

/** MS-DOS time and date, as zip keeps them (local time, two-second steps). */
function dosTime(date: Date): { time: number; date: number } {
  const year = Math.min(Math.max(date.getFullYear(), 1980), 2107);
  return {
    time: (date.getHours() << 11) | (date.getMinutes() << 5) | Math.floor(date.getSeconds() / 2),
    date: ((year - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate(),
  };
}

const versionOf = (item: Written) => (item.zip64 ? 45 : 20);

function localHeader(item: Written): Buffer {
  const extra = item.zip64 ? 20 : 0;
  const header = Buffer.alloc(30 + item.name.length + extra);
  const { time, date } = dosTime(item.entry.mtime);
  header.writeUInt32LE(LOCAL, 0);
  header.writeUInt16LE(versionOf(item), 4);
  header.writeUInt16LE(UTF8_NAMES, 6);
  header.writeUInt16LE(item.method, 8);
  header.writeUInt16LE(time, 10);
  header.writeUInt16LE(date, 12);
  // 14: crc, 18: compressed size, 22: size, patched once known.
  header.writeUInt16LE(item.name.length, 26);
  header.writeUInt16LE(extra, 28);
  item.name.copy(header, 30);
  if (item.zip64) {
    header.writeUInt16LE(0x0001, 30 + item.name.length);
    header.writeUInt16LE(16, 32 + item.name.length);
  }
  return header;
}

/** crc, compressed size and size for the local header (at its offset 14), and the zip64 extra after the name. */
function sizesOfLocalHeader(item: Written): Buffer {
  const patch = Buffer.alloc(16 + item.name.length + (item.zip64 ? 20 : 0));
  patch.writeUInt32LE(item.crc >>> 0, 0);
  patch.writeUInt32LE(item.zip64 ? MAX_32 : item.compressed, 4);
  patch.writeUInt32LE(item.zip64 ? MAX_32 : item.size, 8);
  patch.writeUInt16LE(item.name.length, 12);
  patch.writeUInt16LE(item.zip64 ? 20 : 0, 14);
  item.name.copy(patch, 16);
  if (item.zip64) {
    const at = 16 + item.name.length;
    patch.writeUInt16LE(0x0001, at);
    patch.writeUInt16LE(16, at + 2);
    patch.writeBigUInt64LE(BigInt(item.size), at + 4);
    patch.writeBigUInt64LE(BigInt(item.compressed), at + 12);
  }
  return patch;
}

function centralHeader(item: Written): Buffer {
  // zip64 fields, in the order the format wants them, for each value too big for 32 bits.
  const wide = [item.zip64 ? item.size : undefined, item.zip64 ? item.compressed : undefined, item.offset >= MAX_32 ? item.offset : undefined].filter(
    (value): value is number => value !== undefined,
  );
  const extra = wide.length === 0 ? 0 : 4 + 8 * wide.length;
  const header = Buffer.alloc(46 + item.name.length + extra);
  const { time, date } = dosTime(item.entry.mtime);
  const folder = item.entry.path === undefined;
  header.writeUInt32LE(CENTRAL, 0);
  header.writeUInt16LE((MADE_ON_UNIX << 8) | 45, 4);
  header.writeUInt16LE(wide.length > 0 ? 45 : 20, 6);
  header.writeUInt16LE(UTF8_NAMES, 8);
  header.writeUInt16LE(item.method, 10);
  header.writeUInt16LE(time, 12);
  header.writeUInt16LE(date, 14);
  header.writeUInt32LE(item.crc >>> 0, 16);
  header.writeUInt32LE(item.zip64 ? MAX_32 : item.compressed, 20);
  header.writeUInt32LE(item.zip64 ? MAX_32 : item.size, 24);
  header.writeUInt16LE(item.name.length, 28);
  header.writeUInt16LE(extra, 30);
  // 32: comment length, 34: disk, 36: internal attributes, all 0.
  const type = folder ? 0o040000 : 0o100000;
  header.writeUInt32LE((((type | item.entry.mode) << 16) | (folder ? 0x10 : 0)) >>> 0, 38);
  header.writeUInt32LE(Math.min(item.offset, MAX_32), 42);
  item.name.copy(header, 46);
  if (extra > 0) {
    const at = 46 + item.name.length;
    header.writeUInt16LE(0x0001, at);
    header.writeUInt16LE(8 * wide.length, at + 2);
    wide.forEach((value, i) => header.writeBigUInt64LE(BigInt(value), at + 4 + 8 * i));
  }
  return header;
}

/** The end of central directory record, after zip64's own end record and locator when anything outgrew 32 bits. */
function directoryEnd(count: number, start: number, size: number, position: number, zip64From: number): Buffer {
  const zip64 = count >= MAX_16 || start >= Math.min(MAX_32, zip64From) || size >= MAX_32;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(EOCD, 0);
  end.writeUInt16LE(zip64 ? MAX_16 : count, 8);
  end.writeUInt16LE(zip64 ? MAX_16 : count, 10);
  end.writeUInt32LE(zip64 ? MAX_32 : size, 12);
  end.writeUInt32LE(zip64 ? MAX_32 : start, 16);
  if (!zip64) return end;
  const record = Buffer.alloc(56);
  record.writeUInt32LE(ZIP64_END, 0);
  record.writeBigUInt64LE(44n, 4);
  record.writeUInt16LE((MADE_ON_UNIX << 8) | 45, 12);
  record.writeUInt16LE(45, 14);
  record.writeBigUInt64LE(BigInt(count), 24);
  record.writeBigUInt64LE(BigInt(count), 32);
  record.writeBigUInt64LE(BigInt(size), 40);
  record.writeBigUInt64LE(BigInt(start), 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(ZIP64_LOCATOR, 0);
  locator.writeBigUInt64LE(BigInt(position), 8);
  locator.writeUInt32LE(1, 16);
  return Buffer.concat([record, locator, end]);
}
