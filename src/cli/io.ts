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
