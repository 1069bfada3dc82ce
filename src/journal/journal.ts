import { createHash } from 'node:crypto';
import { closeSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, truncateSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { LineEncoder, writeFully } from '../runner/lines.js';

// journal.jsonl: one JSON object a line, append-only, each line carrying the
// SHA-256 of the previous line's exact bytes, so any edit breaks the chain.

export const GENESIS = '0'.repeat(64);

export interface JournalEntry<T = unknown> {
  seq: number;
  ts: string;
  type: string;
  prev: string;
  data: T;
}

export const sha256 = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex');

/** Told once when a line could not be written (a full disk, a file size limit, EIO). */
export type JournalFailure = (error: Error) => void;

/**
 * Takes the journal file for a new session, creating it empty: false when it is already
 * there, the evidence of another session (finished, or running from another state folder).
 * Exclusive creation, so of two runs started at once exactly one gets it.
 */
export function claimJournal(path: string): boolean {
  mkdirSync(dirname(path), { recursive: true, mode: 0o750 });
  try {
    closeSync(openSync(path, 'wx', 0o640));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

export class Journal {
  private fd: number;
  private seq: number;
  private prev: string;
  /** Each line is encoded once, into one reused buffer, then written and hashed from it. */
  private readonly encoder = new LineEncoder();
  /** Bytes of whole lines in the file: where a line that failed half-way is cut back to. */
  private size: number;
  /** Set by the first line that could not be written; nothing is written after it. */
  private failure: Error | undefined;

  private constructor(fd: number, seq: number, prev: string, private readonly onFailure?: JournalFailure) {
    this.fd = fd;
    this.seq = seq;
    this.prev = prev;
    this.size = fstatSync(fd).size;
  }

  /**
   * Opens (or creates) a journal and continues its chain after the last complete line.
   * A line that cannot be written does not throw: the journal stops where its last whole
   * line is, and `onFailure` hears why (the session then stops, resumable).
   */
  static open(path: string, onFailure?: JournalFailure): Journal {
    mkdirSync(dirname(path), { recursive: true, mode: 0o750 });
    let seq = 0;
    let prev = GENESIS;
    if (existsSync(path)) {
      const lines = readFileSync(path, 'utf8').split('\n').filter((line) => line !== '');
      const last = lines.at(-1);
      if (last !== undefined) {
        seq = (JSON.parse(last) as JournalEntry).seq;
        prev = sha256(last);
      }
    }
    return new Journal(openSync(path, 'a', 0o640), seq, prev, onFailure);
  }

  /**
   * Appends one event; `durable` waits for the disk before returning (approvals, transitions, gates).
   * Once a line has failed, later ones are not written (see `failed`).
   */
  append<T>(type: string, data: T, durable = false, at: Date = new Date()): JournalEntry<T> {
    const entry: JournalEntry<T> = { seq: this.seq + 1, ts: at.toISOString(), type, prev: this.prev, data };
    if (this.failure !== undefined) return entry;
    this.encoder.add(JSON.stringify(entry));
    const bytes = this.encoder.take();
    try {
      writeFully(this.fd, bytes);
      if (durable) fsyncSync(this.fd);
    } catch (error) {
      this.fail(error as Error);
      return entry;
    }
    this.size += bytes.length;
    this.seq = entry.seq;
    // The hash is of the line's bytes without its newline.
    this.prev = sha256(bytes.subarray(0, -1));
    return entry;
  }

  /** The sequence number of the last line written (0 for an empty journal). */
  get lastSeq(): number {
    return this.seq;
  }

  /** Why the journal stopped taking lines, if it did. */
  get failed(): Error | undefined {
    return this.failure;
  }

  private fail(error: Error): void {
    this.failure = error;
    try {
      // Half a line would break the chain for whoever reads it next: cut back to the last whole line.
      ftruncateSync(this.fd, this.size);
    } catch {
      // Resume cuts a torn last line too (dropTornTail).
    }
    this.onFailure?.(error);
  }

  close(): void {
    try {
      fsyncSync(this.fd);
    } catch (error) {
      if (this.failure === undefined) this.fail(error as Error);
    }
    closeSync(this.fd);
  }
}

/**
 * A process killed mid-write leaves a last line without its newline. That
 * line was never acknowledged to anyone, so it is cut off (and its bytes
 * counted) before the chain continues; every complete line stays as it was.
 */
export function dropTornTail(path: string): number {
  const bytes = readFileSync(path);
  if (bytes.length === 0 || bytes[bytes.length - 1] === 0x0a) return 0;
  const keep = bytes.lastIndexOf(0x0a) + 1;
  truncateSync(path, keep);
  return bytes.length - keep;
}

/** Reads a journal back; the first line whose chain breaks is named, 1-based. */
export function readJournal(path: string): { entries: JournalEntry[]; brokenAt?: { line: number; reason: string } } {
  const lines = readFileSync(path, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const entries: JournalEntry[] = [];
  let prev = GENESIS;
  for (const [index, line] of lines.entries()) {
    let entry: JournalEntry;
    try {
      entry = JSON.parse(line) as JournalEntry;
    } catch {
      return { entries, brokenAt: { line: index + 1, reason: 'not a JSON object' } };
    }
    if (entry.prev !== prev) return { entries, brokenAt: { line: index + 1, reason: 'prev does not match the previous line' } };
    if (entry.seq !== index + 1) return { entries, brokenAt: { line: index + 1, reason: `seq ${entry.seq}, expected ${index + 1}` } };
    entries.push(entry);
    prev = sha256(line);
  }
  return { entries };
}
