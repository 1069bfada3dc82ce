import type { JournalEntry } from '../journal/journal.js';
import { HeadlessPrinter } from './printed.js';
import { entryTimes, sleep, type Speed } from './timing.js';

// `warroom replay --headless`: the lines the live headless run printed, in the
// journal's order, at the journal's pace divided by the speed.

export interface TimedLine {
  /** Milliseconds since the recording began. */
  at: number;
  text: string;
  /** Journal line (seq) the text comes from. */
  seq: number;
}

/**
 * Every printed line with the moment it was printed. Output is journaled in
 * batches, so a batch's lines are spread over the time since the previous
 * event, as they came from the running command.
 */
export function* printedLines(entries: readonly JournalEntry[], times: readonly number[] = entryTimes(entries)): Generator<TimedLine> {
  const printer = new HeadlessPrinter();
  for (const [index, entry] of entries.entries()) {
    const lines = printer.linesOf(entry);
    if (lines.length === 0) continue;
    const at = times[index]!;
    const from = entry.type === 'output' && index > 0 ? times[index - 1]! : at;
    for (const [k, text] of lines.entries()) yield { at: from + ((at - from) * (k + 1)) / lines.length, text, seq: entry.seq };
  }
}

export interface HeadlessReplayOptions {
  speed: Speed;
  write: (text: string) => void;
  /** Stops playing (Ctrl+C). */
  signal?: AbortSignal;
}

const CHUNK = 64 * 1024;

/**
 * Writes the lines on the recording's clock: each line waits until its moment,
 * measured from when playing began, so slow writes do not add up to drift.
 */
export class HeadlessPlayer {
  private readonly lines: Generator<TimedLine>;
  private next: IteratorResult<TimedLine> | undefined;
  private started: number | undefined;
  /** Recording time already played, where the clock resumes after a pause. */
  private offset = 0;
  private lastAt = 0;

  constructor(entries: readonly JournalEntry[], private readonly options: HeadlessReplayOptions) {
    this.lines = printedLines(entries);
  }

  /** Plays every line from the journal up to and including line `seq` (all of them when undefined). */
  async playThrough(seq = Infinity): Promise<void> {
    const { speed, write, signal } = this.options;
    let buffer = '';
    const flush = () => {
      if (buffer) write(buffer);
      buffer = '';
    };
    for (;;) {
      this.next ??= this.lines.next();
      if (this.next.done || this.next.value.seq > seq || signal?.aborted) break;
      const line = this.next.value;
      this.next = undefined;
      this.lastAt = line.at;
      if (speed !== 'max') {
        this.started ??= performance.now() - this.offset / speed;
        const wait = this.started + line.at / speed - performance.now();
        if (wait > 0) {
          flush();
          await sleep(wait, signal);
        }
      }
      buffer += `${line.text}\n`;
      if (buffer.length >= CHUNK || speed !== 'max') flush();
    }
    flush();
  }

  /** After a pause (a trainee thinking), the clock resumes from the last line played. */
  pause(): void {
    this.offset = this.lastAt;
    this.started = undefined;
  }
}

/** Plays the whole recording. */
export function playHeadless(entries: readonly JournalEntry[], options: HeadlessReplayOptions): Promise<void> {
  return new HeadlessPlayer(entries, options).playThrough();
}
