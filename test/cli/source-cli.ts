import { spawn, type StdioOptions } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

// The CLI from source (through tsx) in a child process: for what only a real process
// shows (a closed pipe, a full disk, another user), without rebuilding dist/.

const MAIN = pathToFileURL(resolve(import.meta.dirname, '../../src/cli/main.ts')).href;
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface SourceRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `warroom ARGS` in `cwd`; `stdout` may be a file descriptor, or 'closed' for a reader that went away at once. */
export function warroomFromSource(args: string[], options: { cwd: string; stdout?: number | 'closed'; user?: string; env?: Record<string, string> }): Promise<SourceRun> {
  const script = `const { main } = await import(${JSON.stringify(MAIN)}); process.exitCode = await main(process.argv.slice(1));`;
  const node = [process.execPath, '--import', TSX, '--input-type=module', '-e', script, ...args];
  const [command, ...rest] = options.user ? ['runuser', '-u', options.user, '--', ...node] : node;
  const stdio: StdioOptions = ['ignore', typeof options.stdout === 'number' ? options.stdout : 'pipe', 'pipe'];
  const child = spawn(command!, rest, { cwd: options.cwd, stdio, env: { PATH: process.env.PATH ?? '', ...options.env } });
  if (options.stdout === 'closed') child.stdout?.destroy();
  let stdout = '';
  let stderr = '';
  if (options.stdout === undefined) child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done) => child.on('close', (code) => done({ code, stdout, stderr })));
}
