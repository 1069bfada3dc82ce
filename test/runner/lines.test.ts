import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { BlockPrinter, LineEncoder, LineSplitter, MAX_LINE_LENGTH } from '../../src/runner/lines.js';
import { createOutputFilter, plainLines } from '../../src/safety/output.js';
import type { AsciiBlock } from '../../src/runner/types.js';

/** An AsciiBlock of these lines, as the splitter would hand it on. */
function blockOf(lines: readonly string[]): AsciiBlock {
  const ends = new Int32Array(lines.length);
  let at = -1;
  lines.forEach((line, i) => (ends[i] = at += line.length + 1));
  return { bytes: Buffer.from(lines.map((line) => `${line}\n`).join(''), 'latin1'), ends, count: lines.length };
}

function split(chunks: Buffer[]): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((batch) => lines.push(...batch));
  for (const chunk of chunks) splitter.write(chunk);
  splitter.flush();
  return lines;
}

function cut(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts)].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let previous = 0;
  for (const point of points) {
    chunks.push(bytes.subarray(previous, point));
    previous = point;
  }
  chunks.push(bytes.subarray(previous));
  return chunks;
}

describe('LineSplitter', () => {
  it('emits lines without their newline, for both \\n and \\r\\n', () => {
    expect(split([Buffer.from('one\ntwo\r\nthree\n')])).toEqual(['one', 'two', 'three']);
  });

  it('keeps a partial line until the next chunk and flushes it at the end', () => {
    expect(split([Buffer.from('hel'), Buffer.from('lo\nwor'), Buffer.from('ld')])).toEqual(['hello', 'world']);
  });

  it('joins a \\r\\n split across two chunks', () => {
    expect(split([Buffer.from('one\r'), Buffer.from('\ntwo')])).toEqual(['one', 'two']);
  });

  it('keeps a bare carriage return inside the line for the sanitiser', () => {
    expect(split([Buffer.from('10%\r100%\n')])).toEqual(['10%\r100%']);
  });

  it('decodes a multi-byte character split across chunks', () => {
    const bytes = Buffer.from('café 🚀\n');
    expect(split([...bytes].map((byte) => Buffer.from([byte])))).toEqual(['café 🚀']);
  });

  it('turns invalid UTF-8 into U+FFFD instead of failing', () => {
    expect(split([Buffer.from([0x61, 0xff, 0x62, 0x0a, 0xc3])])).toEqual(['a\ufffdb', '\ufffd']);
  });

  it('emits empty lines', () => {
    expect(split([Buffer.from('\n\n')])).toEqual(['', '']);
  });

  it('emits a line longer than the limit in bounded pieces', () => {
    const long = 'x'.repeat(MAX_LINE_LENGTH * 2 + 10);
    const lines = split([Buffer.from(`${long}\nnext\n`)]);
    expect(lines.map((line) => line.length)).toEqual([MAX_LINE_LENGTH, MAX_LINE_LENGTH, 10, 4]);
  });

  it('does not keep more than one piece of an endless line in memory', () => {
    const pieces: string[] = [];
    const splitter = new LineSplitter((batch) => pieces.push(...batch));
    const chunk = Buffer.from('y'.repeat(10_000));
    for (let i = 0; i < 100; i += 1) splitter.write(chunk);
    expect(pieces.length).toBe(Math.floor(1_000_000 / MAX_LINE_LENGTH));
    expect(pieces.every((piece) => piece.length === MAX_LINE_LENGTH)).toBe(true);
  });

  it('ends a piece after a JSON member or a blank near the limit, so a secret there is masked whole', () => {
    const filter = createOutputFilter({ values: [], patterns: [] });
    const token = `ghp_${'A1b2C3d4E5'.repeat(3)}123456`;
    // A JSON blob whose token straddles the 64 Ki mark.
    const head = `{"items":[${'"item-0000",'.repeat(Math.floor((MAX_LINE_LENGTH - 20) / 12))}`;
    const json = `${head}"token":"${token}","more":"${'x'.repeat(MAX_LINE_LENGTH)}"}`;
    expect(head.length).toBeLessThan(MAX_LINE_LENGTH);
    expect(head.length + 30).toBeGreaterThan(MAX_LINE_LENGTH);
    const pieces = split([Buffer.from(`${json}\n`)]);
    expect(pieces.join('')).toBe(json);
    expect(pieces[0]!.endsWith(',')).toBe(true);
    expect(pieces.map((piece) => filter(piece).evidence).join('')).not.toContain(token.slice(4, 20));
    // Plain words: the cut comes before `password:`, not between it and its value.
    const words = `${'word '.repeat(Math.floor((MAX_LINE_LENGTH - 10) / 5))}password: hunter2-is-the-value and more`;
    const cutWords = split([Buffer.from(`${words}\n`)]);
    expect(cutWords.join('')).toBe(words);
    expect(cutWords.map((piece) => filter(piece).evidence).join('')).not.toContain('hunter2');
  });

  it('cuts a line of blanks after a colon at the limit, where no better cut exists', () => {
    const blanks = `key:${' '.repeat(MAX_LINE_LENGTH * 3)}`;
    expect(split([Buffer.from(blanks)]).map((piece) => piece.length)).toEqual([MAX_LINE_LENGTH, MAX_LINE_LENGTH, MAX_LINE_LENGTH, 4]);
  });

  it('never cuts a long line between the halves of a surrogate pair', () => {
    const long = `${'a'.repeat(MAX_LINE_LENGTH - 1)}🚀tail`;
    expect(split([Buffer.from(long)])).toEqual(['a'.repeat(MAX_LINE_LENGTH - 1), '🚀tail']);
  });

  it('yields the same lines whatever the chunking (property)', () => {
    const alphabet = [0x61, 0x0a, 0x0d, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x9a, 0x80, 0xff, 0xed, 0xa0];
    const byteString = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.array(fc.constantFrom(...alphabet), { maxLength: 200 }).map((bytes) => Uint8Array.from(bytes)),
    );
    fc.assert(
      fc.property(
        byteString.chain((bytes) =>
          fc.tuple(fc.constant(Buffer.from(bytes)), fc.array(fc.nat({ max: bytes.length }), { maxLength: 12 })),
        ),
        ([bytes, cuts]) => {
          expect(split(cut(bytes, cuts))).toEqual(split([bytes]));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('cuts overlong lines with separators the same way whatever the chunking (property)', () => {
    const piece = fc.constantFrom('word ', 'key: ', 'a=b ', '"k":"v",', '}', '\t', 'abcdefghij', '🚀');
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 6 }), (parts, cuts) => {
        const text = parts.join('').repeat(Math.ceil((MAX_LINE_LENGTH * 2.5) / parts.join('').length));
        const bytes = Buffer.from(`${text}\nend`);
        const lines = split([bytes]);
        expect(lines.join('')).toBe(`${text}end`);
        expect(lines.every((line) => line.length <= MAX_LINE_LENGTH)).toBe(true);
        expect(split(cut(bytes, cuts.map((point) => point % (bytes.length + 1))))).toEqual(lines);
      }),
      { numRuns: 150 },
    );
  });

  it('cuts overlong lines the same way whatever the chunking (property)', () => {
    const long = Buffer.from(`${'z'.repeat(MAX_LINE_LENGTH - 2)}é🚀\r\n${'w'.repeat(MAX_LINE_LENGTH)}\r\nend`);
    fc.assert(
      fc.property(fc.array(fc.nat({ max: long.length }), { maxLength: 6 }), (cuts) => {
        expect(split(cut(long, cuts))).toEqual(split([long]));
      }),
      { numRuns: 200 },
    );
  });
});

describe('BlockPrinter', () => {
  it('writes a flood in blocks, and anything left by the next turn of the event loop, in order', async () => {
    const stream = new PassThrough();
    const writes: string[] = [];
    stream.on('data', (chunk: Buffer) => writes.push(chunk.toString()));
    const printer = new BlockPrinter(stream);
    printer.line('[DEPLOY] - "starting"');
    printer.output('deploy | ', plainLines(Array.from({ length: 10_000 }, (_, i) => `line ${i} ${'x'.repeat(20)} é…`)));
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    const text = writes.join('');
    expect(text.split('\n').slice(0, -1)).toEqual(['[DEPLOY] - "starting"', ...Array.from({ length: 10_000 }, (_, i) => `deploy | line ${i} ${'x'.repeat(20)} é…`)]);
    // About 400 KB in blocks of 64 KiB: a handful of writes, not ten thousand.
    expect(writes.length).toBeLessThan(10);
    printer.line('last');
    printer.flush();
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes.join('').endsWith('last\n')).toBe(true);
  });
});

describe('LineEncoder', () => {
  it('encodes lines of any size and script as UTF-8, each with its newline, growing as it must', () => {
    const encoder = new LineEncoder();
    const lines = ['plain', '', 'ünïcödé …', '😀 astral', '\ud800 lone surrogate', 'x'.repeat(300_000)];
    for (const line of lines) encoder.add(line, '> ');
    expect(encoder.take().toString('utf8')).toBe(lines.map((line) => `> ${line}\n`).join('').replace('\ud800', '\ufffd'));
    expect(encoder.used).toBe(0);
    encoder.add('again');
    expect(encoder.take().toString('utf8')).toBe('again\n');
  });

  it('encodes runs of lines at once exactly as line by line, wherever the lines kept apart are (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 20 }), { maxLength: 40 }), fc.array(fc.nat(), { maxLength: 8 }), fc.string({ maxLength: 6 }), (texts, picks, prefix) => {
        const apart = [...new Set(picks.map((pick) => pick % Math.max(1, texts.length)))].filter((i) => i < texts.length).sort((a, b) => a - b);
        const one = new LineEncoder();
        for (const text of texts) one.add(text, prefix);
        const all = new LineEncoder();
        all.addAll(texts, prefix, apart);
        expect(all.take().equals(one.take())).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('copies runs of an ASCII block after any prefix exactly as line by line, block after block (property)', () => {
    const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 120 });
    fc.assert(
      fc.property(fc.array(fc.array(printable, { minLength: 1, maxLength: 60 }), { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { minLength: 2, maxLength: 6 }), fc.string({ unit: 'grapheme', maxLength: 12 }), (blocks, cuts, prefix) => {
        for (const lines of blocks) {
          const block = blockOf(lines);
          const points = [...new Set([0, lines.length, ...cuts.map((cut) => cut % (lines.length + 1))])].sort((a, b) => a - b);
          const runs = new LineEncoder();
          const one = new LineEncoder();
          // Every run from the same block, as the filter prints the lines between masked ones.
          for (let k = 1; k < points.length; k += 1) runs.addLines(block, points[k - 1]!, points[k]!, prefix);
          for (const line of lines) one.add(line, prefix);
          expect(runs.take().toString('utf8')).toBe(one.take().toString('utf8'));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('prefixes a block of many megabytes whole, with room made as it goes', () => {
    const lines = Array.from({ length: 40_000 }, (_, i) => `line ${i} ${'x'.repeat(i % 97)}`);
    const encoder = new LineEncoder();
    encoder.addLines(blockOf(lines), 0, lines.length, 'deploy-canary | ');
    const small = ['a', 'b'];
    encoder.addLines(blockOf(small), 1, 2, '> ');
    const text = encoder.take().toString('latin1');
    expect(text).toBe(`${lines.map((line) => `deploy-canary | ${line}\n`).join('')}> b\n`);
    expect(text.length).toBeGreaterThan(2_000_000);
  });
});

