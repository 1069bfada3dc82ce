import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineEncoder, LineSplitter } from '../../src/runner/lines.js';
import type { AsciiBlock, OutputLines } from '../../src/runner/types.js';
import type { MaskOptions } from '../../src/safety/mask.js';
import { createOutputFilter, textLines } from '../../src/safety/output.js';
import { outputLines, SCREEN_PATTERNS, secretValue } from './arbitraries.js';

// A flood's chunks of plain ASCII reach the log as bytes, not strings (AsciiBlock). The
// log, the headless print, the journal and the console must not be able to tell.

interface Through {
  lines: number;
  blocks: number;
  log: string;
  printed: string;
  evidence: string[];
  terminal: string[];
}

/** Chunks through a splitter and the filter, into a log and a prefixed print, with or without blocks. */
function through(chunks: Buffer[], options: MaskOptions, blocks: boolean): Through {
  const filter = createOutputFilter(options);
  const log = new LineEncoder();
  const print = new LineEncoder();
  const out: Through = { lines: 0, blocks: 0, log: '', printed: '', evidence: [], terminal: [] };
  const emit = (lines: OutputLines) => {
    out.lines += lines.count;
    lines.encodeEvidence(log);
    lines.encodeTerminal(print, 'deploy | ');
    out.evidence.push(...lines.evidence());
    out.terminal.push(...lines.terminal());
  };
  const onBlock = (block: AsciiBlock) => {
    out.blocks += 1;
    emit(filter.block(block));
  };
  const splitter = new LineSplitter((batch) => emit(textLines(filter.lines(batch))), blocks ? onBlock : undefined, 1);
  for (const chunk of chunks) splitter.write(chunk);
  splitter.flush();
  out.log = log.take().toString('utf8');
  out.printed = print.take().toString('utf8');
  return out;
}

const cut = (bytes: Buffer, points: number[]): Buffer[] => {
  const at = [...new Set(points.map((point) => point % (bytes.length + 1)))].sort((a, b) => a - b);
  return [...at, bytes.length].map((point, i) => bytes.subarray(i === 0 ? 0 : at[i - 1], point));
};

describe('output as ASCII blocks', () => {
  it('hands on the whole lines inside a chunk as one block, the lines around it as strings, in order', () => {
    const batches: string[] = [];
    const splitter = new LineSplitter(
      (lines) => batches.push(`lines ${JSON.stringify(lines)}`),
      (block) => batches.push(`block ${block.count} ${JSON.stringify(block.bytes.toString('latin1'))} ${[...block.ends].join(',')}`),
      1,
    );
    splitter.write(Buffer.from('one\ntwo\nthree\nfo'));
    splitter.write(Buffer.from('ur\nfive\r\nsix\nsev'));
    splitter.write(Buffer.from('en\nhuit é\nneuf\n'));
    splitter.flush();
    expect(batches).toEqual([
      'lines ["one"]',
      'block 2 "two\\nthree\\n" 3,9',
      'lines ["four"]',
      'block 2 "five\\r\\nsix\\n" 5,9',
      // Not ASCII: the chunk goes the string way whole.
      'lines ["seven","huit é","neuf"]',
    ]);
  });

  it('gives the log, the print, the journal and the console exactly what lines as strings give, however the output is cut (property)', () => {
    fc.assert(
      fc.property(outputLines, fc.array(fc.nat(), { maxLength: 8 }), secretValue, fc.boolean(), (lines, points, value, crlf) => {
        const options: MaskOptions = { values: [value, 'plan-secret-value'], patterns: SCREEN_PATTERNS };
        const bytes = Buffer.from(`${lines.join(crlf ? '\r\n' : '\n')}\n`);
        const chunks = cut(bytes, points);
        const { blocks: _, ...asBlocks } = through(chunks, options, true);
        const { blocks: __, ...asStrings } = through(chunks, options, false);
        expect(asBlocks).toEqual(asStrings);
      }),
      { numRuns: 1_500 },
    );
  });

  it('masks every line of a private key whose body arrives in blocks', () => {
    const key = ['-----BEGIN PRIVATE KEY-----', 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7', 'QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB', '-----END PRIVATE KEY-----'];
    const lines = ['before', ...key, 'after', 'and more'];
    const bytes = Buffer.from(`${lines.join('\n')}\n`);
    // Cut inside the BEGIN and END lines: the body is the middle of a chunk, a block of its own.
    const chunks = cut(bytes, [bytes.indexOf('-----BEGIN') + 3, bytes.indexOf('-----END') + 3]);
    const asBlocks = through(chunks, { values: [], patterns: [] }, true);
    expect(asBlocks.blocks).toBeGreaterThan(0);
    expect(asBlocks.evidence).toEqual(['before', '[masked:private-key]', '[masked:private-key]', '[masked:private-key]', '-----END PRIVATE KEY-----', 'after', 'and more']);
    expect(asBlocks.log).not.toContain('MIIEvQ');
  });

  it('masks a flood of plain lines with secrets and escapes, in blocks, as line by line', () => {
    const lines = Array.from({ length: 3_000 }, (_, i) =>
      i % 97 === 0 ? `token=hunter2-${i} and AKIAABCDEFGHIJKLMNOP` : i % 89 === 0 ? `\x1b[32mok ${i}\x1b[0m` : i % 83 === 0 ? `progress 10%\rprogress 100% ${i}` : `2026-03-02T02:00:00Z INFO line ${i} GET http://10.0.0.${i % 250}/healthz -> 200`,
    );
    const bytes = Buffer.from(`${lines.join('\n')}\n`);
    const chunks = cut(bytes, Array.from({ length: 20 }, (_, i) => i * 16_411));
    const options: MaskOptions = { values: ['hunter2-97'], patterns: ['ckt_[a-z]{4,}'] };
    const asBlocks = through(chunks, options, true);
    expect(asBlocks.blocks).toBeGreaterThan(10);
    const { blocks: _, ...rest } = asBlocks;
    const { blocks: __, ...expected } = through([bytes], options, false);
    expect(rest).toEqual(expected);
    expect(asBlocks.log).not.toContain('hunter2');
    expect(asBlocks.log).not.toContain('AKIAABCDEFGHIJKLMNOP');
    expect(asBlocks.log).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
  });
});
