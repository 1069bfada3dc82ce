/** What warroom records for every command it runs (production-deployment-report.json). */
export interface CommandRecord {
  /** Step name as it appears in the log file name and the headless prefix. */
  name: string;
  argv: string[];
  cwd: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  /** null when the process never started or was killed by a signal. */
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  aborted: boolean;
  /** One line: why it failed (not found, timed out, exit 3…); absent on success. */
  error?: string;
  /** Evidence-relative path of the step's log, e.g. logs/deploy-canary.log */
  log: string;
  lines: number;
}

export type OutputStream = 'stdout' | 'stderr';

/** Receives every complete output line of a command, already decoded (UTF-8, no newline), a chunk's lines at a time. */
export type LineSink = (lines: readonly string[], stream: OutputStream) => void;

export interface CommandRequest {
  name: string;
  argv: string[];
  cwd: string;
  timeoutMs: number;
  env?: Record<string, string>;
  /** Evidence-relative log path recorded in the CommandRecord. */
  log: string;
  onLines: LineSink;
  /** Aborting kills the whole process group. */
  signal?: AbortSignal;
  /** Told the process group id once the program has started. */
  onSpawn?: (pgid: number) => void;
}
