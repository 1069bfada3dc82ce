import { escapeControls } from '../safety/sanitize.js';

/** Where a command writes; tests pass their own. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env };
}

/** One line (or a few) of a command's own words, which may quote names and text from a file: no control character passes unescaped. */
export function writeLine(stream: NodeJS.WritableStream, text: string): void {
  stream.write(`${escapeControls(text)}\n`);
}

/** What a failed file-system call means, for the one line that says so. */
const ERRNO_WORDS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a file is in the way',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EIO: 'input/output error',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
};

/** `no space left on the device` for ENOSPC; undefined for a code with no words here. */
export const errnoWords = (code: string | undefined): string | undefined => (code === undefined ? undefined : ERRNO_WORDS[code]);

/** A user-fixable problem found at the edge: printed as one line, never a stack trace. */
export class UsageError extends Error {}

/**
 * Catches write errors on a command's output, which Node raises as an 'error' event that
 * would otherwise crash with a stack trace. Returns what went wrong, once the last write has landed.
 */
export function watchOutput(stream: NodeJS.WritableStream): () => Promise<NodeJS.ErrnoException | undefined> {
  let failure: NodeJS.ErrnoException | undefined;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    failure ??= error;
  });
  // A failed write's error is emitted a tick or more after the write.
  return () => new Promise((done) => setImmediate(() => done(failure)));
}
