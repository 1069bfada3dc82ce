import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { LineEncoder, writeFully } from '../runner/lines.js';
import type { OutputLines } from '../runner/types.js';

// Evidence files are written whole or not at all (temp file, fsync, rename),
// readable by the owner and group only (SPEC section 10).

export const FILE_MODE = 0o640;
export const DIR_MODE = 0o750;

export function ensureDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: DIR_MODE });
}

export function writeFileAtomic(path: string, content: string | Buffer): void {
  ensureDir(dirname(path));
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(temp, 'w', FILE_MODE);
  try {
    if (typeof content === 'string') writeSync(fd, content);
    else writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}

export class EvidenceDir {
  constructor(readonly root: string) {
    ensureDir(root);
  }

  path(relative: string): string {
    return join(this.root, relative);
  }

  write(relative: string, content: string): void {
    writeFileAtomic(this.path(relative), content);
  }

  /** A step's log grows as output arrives, so it is appended, not replaced. */
  openLog(relative: string): AppendFile {
    ensureDir(dirname(this.path(relative)));
    return new AppendFile(this.path(relative));
  }
}

/**
 * A file written at its end in blocks, synchronously like the journal: a block is on its
 * way to the disk before the next output is read, and no queue of pending writes grows
 * in memory while a step floods. Lines are encoded into one reused buffer.
 */
export class AppendFile {
  private readonly fd: number;
  private readonly encoder = new LineEncoder();
  /** Bytes in the file: where the next block starts. */
  size: number;

  constructor(path: string) {
    this.fd = openSync(path, 'a', FILE_MODE);
    this.size = fstatSync(this.fd).size;
  }

  /** Appends the lines' evidence text, each with its newline, as UTF-8; returns the bytes written, valid until the next append. */
  append(lines: OutputLines): Buffer {
    lines.encodeEvidence(this.encoder);
    const bytes = this.encoder.take();
    writeFully(this.fd, bytes);
    this.size += bytes.length;
    return bytes;
  }

  close(): void {
    closeSync(this.fd);
  }
}
