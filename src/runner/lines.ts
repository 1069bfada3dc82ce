import { isAscii } from 'node:buffer';
import { fstatSync, writeSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { LinePrefixer } from './prefixed-lines.js';
import type { AsciiBlock, ByteSink, OutputLines } from './types.js';

/**
 * Longest line kept in memory, in UTF-16 code units (64 Ki). A longer line is emitted
 * in pieces so a command printing megabytes without a newline cannot exhaust memory.
 */
export const MAX_LINE_LENGTH = 64 * 1024;

const LF = '\n';
const LF_BYTE = 0x0a;
const CR = 0x0d;
/** A chunk shorter than this is not worth a block: its lines go the string way. */
export const BLOCK_FROM = 4 * 1024;

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

  /**
   * With `onBlock`, the whole lines inside a chunk of plain ASCII (at least `blockFrom`
   * bytes) are handed on as bytes; the lines around them, in order, as strings.
   */
  constructor(
    private readonly onLines: (lines: string[]) => void,
    private readonly onBlock?: (block: AsciiBlock) => void,
    private readonly blockFrom = BLOCK_FROM,
  ) {}

  write(chunk: Buffer): void {
    if (this.onBlock !== undefined && chunk.length >= this.blockFrom && this.writeBlock(chunk, this.onBlock)) return;
    this.consume(this.decoder.write(chunk));
    this.emitBatch();
  }

  /** False, having done nothing, when the chunk has no whole ASCII lines after its first line end. */
  private writeBlock(chunk: Buffer, onBlock: (block: AsciiBlock) => void): boolean {
    const first = chunk.indexOf(LF_BYTE);
    const last = chunk.lastIndexOf(LF_BYTE);
    if (first === last) return false;
    const middle = chunk.subarray(first + 1, last + 1);
    const block = isAscii(middle) ? asciiBlock(middle) : undefined;
    if (block === undefined) return false;
    // The chunk's first line completes the one pending from before: it goes the string way, ahead of the block.
    this.consume(this.decoder.write(chunk.subarray(0, first + 1)));
    this.emitBatch();
    onBlock(block);
    this.consume(this.decoder.write(chunk.subarray(last + 1)));
    this.emitBatch();
    return true;
  }

  /** End of stream: emits the last line even without a newline. Safe to call twice. */
  flush(): void {
    this.consume(this.decoder.end());
    if (this.partial !== '') {
      const line = withoutCr(this.partial);
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
    let newline = text.indexOf(LF);
    if (newline === -1) {
      this.partial += text;
      this.emitOverlongPieces();
      return;
    }
    // The pending part joins only the chunk's first line, not the whole chunk: a flood's
    // chunks are sliced into lines where they lie instead of being copied first.
    const first = this.partial + text.slice(0, newline);
    this.emitLine(withoutCr(first));
    let start = newline + 1;
    newline = text.indexOf(LF, start);
    while (newline !== -1) {
      const end = newline > start && text.charCodeAt(newline - 1) === CR ? newline - 1 : newline;
      this.emitLine(text.slice(start, end));
      start = newline + 1;
      newline = text.indexOf(LF, start);
    }
    this.partial = text.slice(start);
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

/** A line without the `\r` of a `\r\n` line end (a bare `\r` inside it stays). */
export function withoutCr(line: string): string {
  return line.charCodeAt(line.length - 1) === CR ? line.slice(0, -1) : line;
}

/** Offset of line `i`'s first byte in a block (the block's length for i = count). */
export function lineStart(block: AsciiBlock, i: number): number {
  return i === 0 ? 0 : block.ends[i - 1]! + 1;
}

let lineEnds = new Int32Array(4096);

/** The block's line ends; undefined when a line is longer than MAX_LINE_LENGTH (the string way cuts it in pieces). */
function asciiBlock(bytes: Buffer): AsciiBlock | undefined {
  let count = 0;
  let start = 0;
  for (let end = bytes.indexOf(LF_BYTE); end !== -1; end = bytes.indexOf(LF_BYTE, start)) {
    if (end - start > MAX_LINE_LENGTH) return undefined;
    if (count === lineEnds.length) {
      const larger = new Int32Array(lineEnds.length * 2);
      larger.set(lineEnds);
      lineEnds = larger;
    }
    lineEnds[count++] = end;
    start = end + 1;
  }
  return { bytes, ends: lineEnds.slice(0, count), count };
}

/** How far back from MAX_LINE_LENGTH a piece may end early, to keep a token whole. */
const CUT_WINDOW = 4096;
/** Where a JSON member or a list item ends: `,` `;` `}` `]` `)` `>`. */
const ITEM_END = new Set([0x2c, 0x3b, 0x7d, 0x5d, 0x29, 0x3e]);

/**
 * Where the piece of an overlong line that starts at `start` ends. Masking works a piece
 * at a time, so the cut avoids splitting a token or a `name: value`: after the last item
 * end (a JSON blob's `,`) in the last CUT_WINDOW code units, else after the last space or
 * tab there that does not follow a `:` or `=`, else at MAX_LINE_LENGTH itself, but never
 * between the halves of a surrogate pair. It reads only the piece, so the cut is the same
 * however the line arrived.
 */
function pieceEnd(text: string, start: number): number {
  const limit = start + MAX_LINE_LENGTH;
  const from = limit - CUT_WINDOW;
  let item = -1;
  let space = -1;
  // The last character before the blanks at hand, read forwards once.
  let before = 0;
  for (let at = from - 1; at >= start; at -= 1) {
    before = text.charCodeAt(at);
    if (!isBlank(before)) break;
  }
  for (let i = from; i < limit; i += 1) {
    const code = text.charCodeAt(i);
    if (ITEM_END.has(code)) item = i + 1;
    if (!isBlank(code)) before = code;
    else if (before !== 0x3a && before !== 0x3d) space = i + 1;
  }
  if (item !== -1) return item;
  if (space !== -1) return space;
  const last = text.charCodeAt(limit - 1);
  return last >= 0xd800 && last <= 0xdbff ? limit - 1 : limit;
}

const isBlank = (code: number) => code === 0x20 || code === 0x09;

const BLOCK_BYTES = 64 * 1024;
/** One for the process: only the headless print prefixes blocks, and it is made when a flood first needs it. */
let prefixer: LinePrefixer | undefined;

/**
 * Lines encoded as UTF-8 into one reused buffer, each after an optional prefix and before
 * a newline. Line by line, so a masked line's `…` (or any character past Latin-1) does
 * not turn a whole block of text into the slow two-byte kind before it is encoded.
 */
export class LineEncoder implements ByteSink {
  private buffer = Buffer.allocUnsafeSlow(BLOCK_BYTES * 2);
  /** Bytes encoded since the last take(). */
  used = 0;

  add(text: string, prefix = ''): void {
    // UTF-8 takes at most 3 bytes for each UTF-16 code unit.
    this.makeRoom((prefix.length + text.length) * 3 + 1);
    if (prefix !== '') this.used += this.buffer.write(prefix, this.used);
    this.used += this.buffer.write(text, this.used);
    this.buffer[this.used++] = 0x0a;
  }

  /** Lines [from, to) of an ASCII block, each after `prefix`: copied as they were read. */
  addLines(block: AsciiBlock, from: number, to: number, prefix = ''): void {
    const start = lineStart(block, from);
    if (prefix === '') this.addBytes(block.bytes.subarray(start, lineStart(block, to)));
    else this.addBytes((prefixer ??= new LinePrefixer()).lines(block, from, to, start, prefix));
  }

  /** Bytes already encoded (lines with their newlines), as they are. */
  addBytes(bytes: Buffer): void {
    this.makeRoom(bytes.length);
    this.used += bytes.copy(this.buffer, this.used);
  }

  private makeRoom(room: number): void {
    if (this.used + room <= this.buffer.length) return;
    const larger = Buffer.allocUnsafeSlow(2 ** Math.ceil(Math.log2(this.used + room)));
    this.buffer.copy(larger, 0, 0, this.used);
    this.buffer = larger;
  }

  /**
   * Many lines: the runs between the `apart` indices (ascending) are joined and encoded
   * with one call, the lines at `apart` one by one. A masked line (`…`) stays apart, so a
   * run of plain lines keeps the fast one-byte form.
   */
  addAll(texts: readonly string[], prefix = '', apart: readonly number[] = []): void {
    let from = 0;
    for (const index of [...apart, texts.length]) {
      if (index > from) this.add(index - from === 1 ? texts[from]! : texts.slice(from, index).join(`\n${prefix}`), prefix);
      if (index < texts.length) this.add(texts[index]!, prefix);
      from = index + 1;
    }
  }

  /** The bytes encoded so far, valid until the next add(); starts over. */
  take(): Buffer {
    const bytes = this.buffer.subarray(0, this.used);
    this.used = 0;
    return bytes;
  }
}

/** Where plain lines go: one line, or a step's output lines after the same prefix (`deploy | `). */
export interface Printer {
  line(text: string): void;
  output(prefix: string, lines: OutputLines): void;
}

/**
 * Lines for a stream that may be flooded (a step printing a million lines): written in
 * blocks of 64 KiB, and never held longer than the current turn of the event loop. A
 * file or a terminal takes the bytes in plain synchronous writes, as Node writes to them
 * anyway; a pipe keeps its stream, whose reader may be slow.
 */
export class BlockPrinter implements Printer {
  private readonly encoder = new LineEncoder();
  private readonly fd: number | undefined;
  private scheduled = false;

  constructor(readonly stream: NodeJS.WritableStream) {
    this.fd = synchronousFd(stream);
  }

  line(text: string): void {
    this.encoder.add(text);
    this.written();
  }

  output(prefix: string, lines: OutputLines): void {
    lines.encodeTerminal(this.encoder, prefix);
    this.written();
  }

  flush(): void {
    this.scheduled = false;
    if (this.encoder.used === 0) return;
    const bytes = this.encoder.take();
    // The stream keeps what it is given until it is written: its own copy, not the encoder's buffer.
    if (this.fd === undefined) this.stream.write(Buffer.from(bytes));
    else writeAll(this.fd, bytes);
  }

  private written(): void {
    if (this.encoder.used >= BLOCK_BYTES) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }
}

function synchronousFd(stream: NodeJS.WritableStream): number | undefined {
  const fd = (stream as { fd?: unknown }).fd;
  if (typeof fd !== 'number') return undefined;
  try {
    const stats = fstatSync(fd);
    return stats.isFile() || stats.isCharacterDevice() ? fd : undefined;
  } catch {
    return undefined;
  }
}

/** Writes all of `bytes` (a write may take only part), at the file's end or at `position`. */
export function writeFully(fd: number, bytes: Buffer, position?: number): void {
  for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at, position === undefined ? null : position + at);
}

function writeAll(fd: number, bytes: Buffer): void {
  try {
    writeFully(fd, bytes);
  } catch {
    // Like the stream's own 'error' (EPIPE, EIO): a vanished terminal must not stop a release.
  }
}
