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
