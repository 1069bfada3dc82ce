import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, truncateSync, existsSync } from 'node:fs';
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

export class Journal {
  private fd: number;
  private seq: number;
  private prev: string;
  /** Each line is encoded once, into one reused buffer, then written and hashed from it. */
  private readonly encoder = new LineEncoder();

  private constructor(fd: number, seq: number, prev: string) {
    this.fd = fd;
    this.seq = seq;
    this.prev = prev;
  }

  /** Opens (or creates) a journal and continues its chain after the last complete line. */
  static open(path: string): Journal {
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
    return new Journal(openSync(path, 'a', 0o640), seq, prev);
  }

  /** Appends one event; `durable` waits for the disk before returning (approvals, transitions, gates). */
  append<T>(type: string, data: T, durable = false, at: Date = new Date()): JournalEntry<T> {
    const entry: JournalEntry<T> = { seq: this.seq + 1, ts: at.toISOString(), type, prev: this.prev, data };
    this.encoder.add(JSON.stringify(entry));
    const bytes = this.encoder.take();
    writeFully(this.fd, bytes);
    if (durable) fsyncSync(this.fd);
    this.seq = entry.seq;
    // The hash is of the line's bytes without its newline.
    this.prev = sha256(bytes.subarray(0, -1));
    return entry;
  }

  /** The sequence number of the last line written (0 for an empty journal). */
  get lastSeq(): number {
    return this.seq;
  }

  close(): void {
    fsyncSync(this.fd);
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
