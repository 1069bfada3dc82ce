import { createHash } from 'node:crypto';
import type { OutputStream } from '../runner/types.js';
import type { JournalEntry } from './journal.js';

// How a step's output goes into the journal (SPEC section 6). The first megabyte a step
// prints is journaled as text, so the journal alone replays an ordinary session. Past
// that, a flood is journaled as references to byte ranges of the step's log, each with
// the range's SHA-256: the chain still vouches for every byte, and the text is written
// and hashed once instead of being copied into the journal as JSON.

/** `output`: lines as text. */
export const OUTPUT = 'output';
/** `output.range`: lines that are in the step's log, at `offset` for `bytes`. */
export const OUTPUT_RANGE = 'output.range';

/** Output a step may journal as text before the rest goes by reference. */
export const INLINE_OUTPUT_BYTES = 1024 * 1024;

export interface OutputBatch {
  step: string;
  stream: OutputStream;
  lines: string[];
}

export interface OutputRange {
  step: string;
  stream: OutputStream;
  /** Evidence-relative path of the log holding the lines. */
  log: string;
  offset: number;
  bytes: number;
  lines: number;
  sha256: string;
}

export const isOutputRange = (entry: JournalEntry): entry is JournalEntry<OutputRange> => entry.type === OUTPUT_RANGE;

/**
 * The lines of a log range: its bytes, cut at each newline (the range ends with one).
 * Invalid UTF-8 cannot occur: the log was written from decoded text.
 */
export function rangeLines(bytes: Buffer): string[] {
  const text = bytes.toString('utf8');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** A range's log must be a log of the evidence folder: a hostile journal cannot point elsewhere. */
export function isLogPath(path: string): boolean {
  return /^logs\/[^/\\]+$/.test(path) && !path.includes('..');
}

/** Whether a range's numbers can be a range at all: a hostile journal may say anything. */
export function isRange(range: OutputRange): boolean {
  return Number.isSafeInteger(range.offset) && range.offset >= 0 && Number.isSafeInteger(range.bytes) && range.bytes > 0 && typeof range.sha256 === 'string';
}

/** Why a range's bytes are not in the log (`log` holds the whole file) as the journal vouched, if they are not. */
function rangeProblem(range: OutputRange, log: Buffer | undefined): string | undefined {
  if (!isRange(range)) return 'not an output range';
  if (log === undefined) return `${range.log} is missing`;
  if (log.length < range.offset + range.bytes) return `${range.log} is shorter than the journal says`;
  const bytes = log.subarray(range.offset, range.offset + range.bytes);
  if (createHash('sha256').update(bytes).digest('hex') !== range.sha256) return `${range.log} does not hold what the journal vouched for`;
  return undefined;
}

/** The logs a journal's output ranges are in (only paths inside `logs/`), each once. */
export function rangeLogs(entries: JournalEntry[]): string[] {
  return [...new Set(entries.filter(isOutputRange).map((entry) => entry.data.log))].filter(isLogPath);
}

/** A journal's events with every output range read from its log (`logs`: as rangeLogs names them): plain `output` events, as the session printed them. */
export function withRangesRead(entries: JournalEntry[], logs: ReadonlyMap<string, Buffer | undefined>): JournalEntry[] {
  return entries.map((entry) => {
    if (!isOutputRange(entry)) return entry;
    const range = entry.data;
    const log = logs.get(range.log);
    const problem = rangeProblem(range, log);
    const text = problem === undefined && log ? rangeLines(log.subarray(range.offset, range.offset + range.bytes)) : [`[${range.lines} lines not shown: ${problem}]`];
    return { ...entry, type: OUTPUT, data: { step: range.step, stream: range.stream, lines: text } satisfies OutputBatch };
  });
}
