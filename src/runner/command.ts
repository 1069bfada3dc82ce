import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { formatDuration } from '../plan/duration.js';
import { LineSplitter } from './lines.js';
import type { AsciiBlock, CommandRecord, CommandRequest, OutputStream } from './types.js';

/** Between SIGTERM and SIGKILL to the process group: time for a deploy script to clean up. */
export const KILL_GRACE_MS = 2_000;
/** After the main process exits, how long a daemon it started may keep our pipes open. */
export const PIPE_GRACE_MS = 1_000;
/** setTimeout fires at once for anything longer than this (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

// execa takes ~90 ms to load: not at start-up, where the console's first frame would wait
// for it (SPEC section 12), and not with the first command, which would wait for it instead.
let execaLoading: Promise<typeof import('execa')> | undefined;
const loadExeca = () => (execaLoading ??= import('execa'));

/** Loads what running a command needs ahead of the first one; the drivers call it once the screen is up. */
export function warmUpCommands(): void {
  loadExeca().catch(() => {
    execaLoading = undefined;
  });
}

interface Exit {
  code: number | null;
  signal: string | null;
  /** errno code when the program could not be started (ENOENT, EACCES…). */
  spawnError?: string;
  spawnMessage?: string;
}

/**
 * Runs one command of the plan: argv without a shell, in its own process group, output
 * streamed in lines to req.onLines and never buffered. Always resolves, also when the
 * program is missing, times out or is aborted.
 */
export async function runCommand(req: CommandRequest): Promise<CommandRecord> {
  const started = Date.now();
  let lines = 0;
  let timedOut = false;
  let aborted = false;
  const finish = (exit: Exit): CommandRecord => {
    const record: CommandRecord = {
      name: req.name,
      argv: req.argv,
      cwd: req.cwd,
      startedAt: new Date(started).toISOString(),
      endedAt: new Date().toISOString(),
      durationMs: Date.now() - started,
      exitCode: timedOut || aborted ? null : exit.code,
      signal: exit.signal,
      timedOut,
      aborted,
      log: req.log,
      lines,
    };
    const error = describeFailure(req, exit, timedOut, aborted);
    if (error !== undefined) record.error = error;
    return record;
  };

  const [program, ...args] = req.argv;
  if (program === undefined) return finish({ code: null, signal: null, spawnMessage: 'empty command' });
  if (req.signal?.aborted) {
    aborted = true;
    return finish({ code: null, signal: null });
  }
  // Node reports a missing working directory as ENOENT of the program: tell them apart.
  if (!(await isDirectory(req.cwd))) {
    return finish({ code: null, signal: null, spawnMessage: `working directory not found: ${req.cwd}` });
  }

  const { execa } = await loadExeca();
  const subprocess = execa(program, args, {
    cwd: req.cwd,
    env: { ...process.env, ...req.env },
    extendEnv: false,
    buffer: false,
    stdin: 'ignore',
    detached: true,
    reject: false,
  });
  const { onBlock } = req;
  const sinks = (name: OutputStream) => ({
    onLines: (batch: string[]) => {
      lines += batch.length;
      req.onLines(batch, name);
    },
    onBlock: onBlock
      ? (block: AsciiBlock) => {
          lines += block.count;
          onBlock(block, name);
        }
      : undefined,
  });
  const streams = [readLines(subprocess.stdout, sinks('stdout')), readLines(subprocess.stderr, sinks('stderr'))];

  const group = processGroup(subprocess.pid);
  if (subprocess.pid !== undefined) req.onSpawn?.(subprocess.pid);
  const onAbort = (): void => {
    aborted = true;
    group.terminate();
  };
  req.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => {
    timedOut = true;
    group.terminate();
  }, Math.min(req.timeoutMs, MAX_TIMER_MS));

  // 'exit' fires even when a background child still holds stdout; execa's own promise
  // would wait for the pipes and so is only used to learn why a spawn failed.
  const exit = await new Promise<Exit>((resolve) => {
    subprocess.once('exit', (code, signal) => resolve({ code, signal }));
    void subprocess.then((result) => {
      if (result.exitCode === undefined && result.signal === undefined) {
        resolve({ code: null, signal: null, spawnError: result.code, spawnMessage: result.originalMessage });
      }
    });
  });
  clearTimeout(timer);
  req.signal?.removeEventListener('abort', onAbort);

  const allRead = Promise.all(streams.map((s) => s.done));
  const pipeGrace = delay(PIPE_GRACE_MS);
  await Promise.race([allRead, pipeGrace.promise]);
  pipeGrace.cancel();
  for (const s of streams) s.stop();
  await allRead;
  return finish(exit);
}

/** Feeds a pipe through a LineSplitter; `stop` gives up on a pipe a daemon keeps open. */
function readLines(stream: Readable, sink: { onLines: (lines: string[]) => void; onBlock: ((block: AsciiBlock) => void) | undefined }): { done: Promise<void>; stop: () => void } {
  const splitter = new LineSplitter(sink.onLines, sink.onBlock);
  const done = new Promise<void>((resolve) => {
    stream.on('data', (chunk: Buffer) => splitter.write(chunk));
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', resolve);
  }).then(() => splitter.flush());
  return { done, stop: () => stream.destroy() };
}

function describeFailure(req: CommandRequest, exit: Exit, timedOut: boolean, aborted: boolean): string | undefined {
  const program = req.argv[0] ?? '';
  if (exit.spawnError === 'ENOENT') return `command not found: ${program}`;
  if (exit.spawnError === 'EACCES') return `permission denied: ${program}`;
  if (exit.spawnMessage !== undefined) return exit.spawnMessage.split('\n')[0];
  if (timedOut) return `timed out after ${formatDuration(req.timeoutMs)}`;
  if (aborted) return 'aborted';
  if (exit.signal !== null) return `killed by ${exit.signal}`;
  if (exit.code !== 0) return `exit code ${exit.code}`;
  return undefined;
}

/** SIGTERM to the whole group (grandchildren too), SIGKILL after the grace period. */
function processGroup(pid: number | undefined): { terminate: () => void } {
  let terminating = false;
  const signalGroup = (signal: NodeJS.Signals): void => {
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // ESRCH: the group is already gone.
    }
  };
  return {
    terminate: () => {
      if (terminating) return;
      terminating = true;
      signalGroup('SIGTERM');
      setTimeout(() => signalGroup('SIGKILL'), KILL_GRACE_MS);
    },
  };
}

function delay(ms: number): { promise: Promise<void>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
