import { Writable } from 'node:stream';
import type { CliIo } from '../../src/cli/io.js';

/** A CliIo whose stdout and stderr collect into strings, for calling commands directly. */
export interface CapturedIo extends CliIo {
  out(): string;
  err(): string;
}

export function captureIo(cwd: string, env: NodeJS.ProcessEnv = {}): CapturedIo {
  const stdout = collector();
  const stderr = collector();
  return { stdout: stdout.stream, stderr: stderr.stream, cwd, env, out: stdout.text, err: stderr.text };
}

function collector(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}
