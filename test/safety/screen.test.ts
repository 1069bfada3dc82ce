import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { MaskOptions } from '../../src/safety/mask.js';
import { createOutputFilter } from '../../src/safety/output.js';
import { LineScreen } from '../../src/safety/screen.js';
import { literalStart } from '../../src/safety/mask.js';
import { outputLines, SCREEN_PATTERNS as PATTERNS, secretValue } from './arbitraries.js';

// The batch path skips the lines the screen passes: it must give exactly what the
// filter gives line by line, whatever the lines are.

function lineByLine(batch: string[], options: MaskOptions) {
  const filter = createOutputFilter(options);
  const filtered = batch.map((line) => filter(line));
  return { evidence: filtered.map((f) => f.evidence), terminal: filtered.map((f) => f.terminal) };
}

function batched(batches: string[][], options: MaskOptions) {
  const filter = createOutputFilter(options);
  const evidence: string[] = [];
  const terminal: string[] = [];
  for (const batch of batches) {
    const filtered = filter.lines(batch);
    evidence.push(...filtered.evidence);
    terminal.push(...filtered.terminal);
  }
  return { evidence, terminal };
}

/** Cuts `lines` into consecutive batches at the given points. */
const inBatches = (lines: string[], cuts: number[]): string[][] => {
  const points = [...new Set(cuts.map((cut) => cut % (lines.length + 1)))].sort((a, b) => a - b);
  return [...points, lines.length].map((point, i) => lines.slice(i === 0 ? 0 : points[i - 1], point));
};

describe('filter.lines: the screened batch path', () => {
  it('gives what the filter gives line by line, however the lines are batched (property)', () => {
    fc.assert(
      fc.property(outputLines, fc.array(fc.nat(), { maxLength: 5 }), secretValue, (lines, cuts, value) => {
        const options: MaskOptions = { values: [value, 'plan-secret-value'], patterns: PATTERNS };
        expect(batched(inBatches(lines, cuts), options)).toEqual(lineByLine(lines, options));
      }),
      { numRuns: 1_500 },
    );
  });

  it('gives what the filter gives line by line on the hostile corpora', () => {
    const expectations = JSON.parse(readFileSync('fixtures/corpora/expectations.json', 'utf8')) as { env: { value: string }; patterns: string[] };
    const options: MaskOptions = { values: [expectations.env.value], patterns: expectations.patterns };
    for (const corpus of ['clean.log', 'escapes.log', 'secrets.log']) {
      const lines = readFileSync(`fixtures/corpora/${corpus}`, 'utf8').split(/\r?\n/);
      expect(batched([lines], options)).toEqual(lineByLine(lines, options));
    }
  });

  it('follows a private key block across batches', () => {
    const lines = ['-----BEGIN PRIVATE KEY-----', 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7', 'ordinary line', 'QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB', '-----END PRIVATE KEY-----', 'after'];
    const filtered = batched([lines.slice(0, 1), lines.slice(1, 3), lines.slice(3)], { values: [], patterns: [] });
    expect(filtered.evidence).toEqual(['[masked:private-key]', '[masked:private-key]', 'ordinary line', '[masked:private-key]', '-----END PRIVATE KEY-----', 'after']);
  });
});

describe('LineScreen', () => {
  const screen = new LineScreen(['token', 'AKIA', '://']);

  it('names the same lines in a flood of ASCII (scanned by WebAssembly) as a few lines at a time (scanned in JavaScript) (property)', () => {
    const asciiLine = fc.array(
      fc.oneof(
        fc.stringMatching(/^[ -~]{0,30}$/),
        fc.constantFrom('token', 'TOKEN', 'AKIA', 'http://host/x', 'https://u:p@host', '://@', ':// @', '\x1b[31m', '\r', '\x7f', '@'),
      ),
      { maxLength: 6 },
    ).map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.array(asciiLine, { minLength: 1, maxLength: 40 }), (lines) => {
        // Repeated past the size the WebAssembly scan takes on.
        const many = Array.from({ length: Math.ceil(20_000 / (lines.join('\n').length + 1)) }, () => lines).flat();
        const block = many.join('\n');
        expect(block.length).toBeGreaterThanOrEqual(16 * 1024);
        const piecewise: number[] = [];
        let offset = 0;
        for (let i = 0; i < many.length; i += 50) {
          const piece = many.slice(i, i + 50).join('\n');
          piecewise.push(...screen.hits(piece).map((hit) => hit + offset));
          offset += piece.length + 1;
        }
        expect(screen.hits(block)).toEqual(piecewise);
      }),
      { numRuns: 200 },
    );
  });

  it('passes ordinary log lines without a second look', () => {
    const block = ['2026-03-02T02:00:00Z INFO rollout canary-10 ready 3/3', 'GET http://10.0.0.1:8080/healthz -> 200', 'pulled registry.internal/app@sha256:0f3a'].join('\n');
    expect(screen.hits(block)).toEqual([]);
  });

  it('names each line holding a key, a control character or a URL with credentials, once', () => {
    const lines = ['plain', 'a TOKEN here and token again', 'plain', 'colour \x1b[31mred', 'key AKIAEXAMPLE', 'https://deploy:hunter2@git.internal/app', 'tab\tis fine'];
    const block = lines.join('\n');
    const hitLines = screen.hits(block).map((offset) => block.slice(0, offset).split('\n').length - 1);
    expect(hitLines).toEqual([1, 3, 4, 5]);
  });

  it('screens a key holding `://` by another of its trigrams: a secret value such as `e://e` is named with no `@` near it', () => {
    const lines = ['plain', 'the value e://e is here', 'plain'];
    const block = lines.join('\n');
    const hitLines = new LineScreen(['e://e']).hits(block).map((offset) => block.slice(0, offset).split('\n').length - 1);
    expect(hitLines).toEqual([1]);
    expect(() => new LineScreen(['token', ':/', '://x'])).toThrow(/shorter than 3/);
  });
});

describe('plan patterns in the screen', () => {
  it('takes the literal every match starts with as a key, and nothing it cannot be sure of', () => {
    expect(literalStart('ckt_[A-Za-z0-9]{16,}')).toBe('ckt_');
    expect(literalStart('^\\bcorp-[0-9]{6}')).toBe('corp-');
    expect(literalStart('api\\.corp\\/key[0-9]+')).toBe('api.corp/key');
    expect(literalStart('tokens?=\\w+')).toBe('token');
    expect(literalStart('abc+d')).toBe('abc');
    expect(literalStart('ab?cdef')).toBeUndefined();
    expect(literalStart('corp-1|corp-2')).toBeUndefined();
    expect(literalStart('(?<![a-z])tok[0-9]{3}')).toBeUndefined();
    expect(literalStart('zz[^q]*yy')).toBeUndefined();
    expect(literalStart('ab\\dcd')).toBeUndefined();
  });

  it('masks a flood by a plan pattern screened by its literal exactly as line by line, in any case', () => {
    const options: MaskOptions = { values: ['e://e'], patterns: ['ckt_[A-Za-z0-9]{16,}', '://plain[0-9]+'] };
    const lines = Array.from({ length: 2_000 }, (_, i) => (i % 97 === 0 ? `token ckt_${'A1b2'.repeat(5)} CKT_${'A1b2'.repeat(5)}` : i % 89 === 0 ? `url x://plain42 and e://e` : `ordinary line ${i}`));
    const filtered = batched([lines], options);
    expect(filtered).toEqual(lineByLine(lines, options));
    expect(filtered.evidence[0]).toBe(`token [masked:pattern] CKT_${'A1b2'.repeat(5)}`);
    expect(filtered.evidence[89]).toBe('url x[masked:pattern] and [masked:secret]');
  });
});

