import { closeSync, createWriteStream, fsyncSync, mkdirSync, openSync, renameSync, writeSync, type WriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

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
  openLog(relative: string): WriteStream {
    ensureDir(dirname(this.path(relative)));
    return createWriteStream(this.path(relative), { flags: 'a', mode: FILE_MODE });
  }
}
