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

/**
 * Whole lines of plain ASCII, still the bytes they were read as: a flood's chunks pass
 * through the filter and into the log without becoming strings. `ends[i]` is the offset
 * of the `\n` that ends line `i`; the block ends with one.
 */
export interface AsciiBlock {
  bytes: Buffer;
  ends: Int32Array;
  count: number;
}

/** Receives the lines a LineSplitter hands on as bytes (see AsciiBlock), in order with the LineSink's. */
export type BlockSink = (block: AsciiBlock, stream: OutputStream) => void;

/** Filtered output lines on their way to the log, the journal and the screen, as text or as bytes. */
export interface OutputLines {
  readonly count: number;
  /** Each line's evidence text (masked, no control sequences). */
  evidence(): readonly string[];
  /** Each line's console text (colours may remain). */
  terminal(): readonly string[];
  /** Every line's evidence text as UTF-8, each followed by `\n`. */
  encodeEvidence(into: ByteSink): void;
  /** Every line's console text as UTF-8 after `prefix`, each followed by `\n`. */
  encodeTerminal(into: ByteSink, prefix: string): void;
}

/** Where encoded lines go (LineEncoder). */
export interface ByteSink {
  add(text: string, prefix?: string): void;
  addAll(texts: readonly string[], prefix?: string, apart?: readonly number[]): void;
  addBytes(bytes: Buffer): void;
  addLines(block: AsciiBlock, from: number, to: number, prefix?: string): void;
}

export interface CommandRequest {
  name: string;
  argv: string[];
  cwd: string;
  timeoutMs: number;
  env?: Record<string, string>;
  /** Evidence-relative log path recorded in the CommandRecord. */
  log: string;
  onLines: LineSink;
  /** When given, plain ASCII lines of a flood come here as bytes instead of to onLines. */
  onBlock?: BlockSink;
  /** Aborting kills the whole process group. */
  signal?: AbortSignal;
  /** Told the process group id once the program has started. */
  onSpawn?: (pgid: number) => void;
}
