import { StringDecoder } from 'node:string_decoder';

/**
 * Longest line kept in memory, in UTF-16 code units (64 Ki). A longer line is emitted
 * in pieces so a command printing megabytes without a newline cannot exhaust memory.
 */
export const MAX_LINE_LENGTH = 64 * 1024;

const LF = '\n';
const CR = 0x0d;

/**
 * Turns a byte stream into lines: UTF-8 decoded (a character split across chunks
 * survives, invalid bytes become U+FFFD), without `\n` or `\r\n`. A bare `\r` stays in
 * the line: sanitising resolves it the way a terminal would. The lines a chunk completes
 * are handed on together, so a flood costs one call per chunk, not one per line.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';
  private batch: string[] = [];

  constructor(private readonly onLines: (lines: string[]) => void) {}

  write(chunk: Buffer): void {
    this.consume(this.decoder.write(chunk));
    this.emitBatch();
  }

  /** End of stream: emits the last line even without a newline. Safe to call twice. */
  flush(): void {
    this.consume(this.decoder.end());
    if (this.partial !== '') {
      const line = this.partial.charCodeAt(this.partial.length - 1) === CR ? this.partial.slice(0, -1) : this.partial;
      this.partial = '';
      this.emitLine(line);
    }
    this.emitBatch();
  }

  private emitBatch(): void {
    if (this.batch.length === 0) return;
    const lines = this.batch;
    this.batch = [];
    this.onLines(lines);
  }

  private consume(text: string): void {
    if (text === '') return;
    const buffered = this.partial + text;
    let start = 0;
    let newline = buffered.indexOf(LF);
    while (newline !== -1) {
      const end = newline > start && buffered.charCodeAt(newline - 1) === CR ? newline - 1 : newline;
      this.emitLine(buffered.slice(start, end));
      start = newline + 1;
      newline = buffered.indexOf(LF, start);
    }
    this.partial = start === 0 ? buffered : buffered.slice(start);
    this.emitOverlongPieces();
  }

  /**
   * Emits full pieces of a pending line that is already too long. A trailing `\r` is not
   * counted (it may be half of `\r\n`), so pieces are cut exactly where they would be
   * if the whole line had arrived in one chunk.
   */
  private emitOverlongPieces(): void {
    const pendingCr = this.partial.charCodeAt(this.partial.length - 1) === CR ? 1 : 0;
    let start = 0;
    while (this.partial.length - pendingCr - start > MAX_LINE_LENGTH) {
      const end = pieceEnd(this.partial, start);
      this.batch.push(this.partial.slice(start, end));
      start = end;
    }
    if (start > 0) this.partial = this.partial.slice(start);
  }

  private emitLine(line: string): void {
    let start = 0;
    while (line.length - start > MAX_LINE_LENGTH) {
      const end = pieceEnd(line, start);
      this.batch.push(line.slice(start, end));
      start = end;
    }
    this.batch.push(start === 0 ? line : line.slice(start));
  }
}

/** Cut after MAX_LINE_LENGTH code units, but never between the halves of a surrogate pair. */
function pieceEnd(text: string, start: number): number {
  const end = start + MAX_LINE_LENGTH;
  const last = text.charCodeAt(end - 1);
  return last >= 0xd800 && last <= 0xdbff ? end - 1 : end;
}

const BATCH_BYTES = 64 * 1024;

/**
 * Lines for a stream that may be flooded (a step printing a million lines): written in
 * blocks rather than one write each, and never held longer than the current turn of
 * the event loop.
 */
export function batchedLines<S extends NodeJS.WritableStream>(stream: S): { stream: S; write(line: string): void; flush(): void } {
  let pending = '';
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending === '') return;
    const text = pending;
    pending = '';
    stream.write(text);
  };
  return {
    stream,
    write: (line) => {
      pending += `${line}\n`;
      if (pending.length >= BATCH_BYTES) flush();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}
