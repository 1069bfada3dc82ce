import { open } from 'node:fs/promises';

// Reads a zip's central directory in memory, never extracting anything, so a
// prerequisite package can be checked without trusting its contents.

export interface ZipEntry {
  name: string;
  compressedSize: number;
  size: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const MAX_COMMENT = 0xffff;

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
