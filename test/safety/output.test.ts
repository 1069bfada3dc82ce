import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../src/runner/lines.js';
import { createOutputFilter, type FilteredLine } from '../../src/safety/output.js';
import type { MaskOptions } from '../../src/safety/mask.js';
import { sanitizeForEvidence } from '../../src/safety/sanitize.js';
import { hostileOutput, plantedSecret, secretValue, surroundingWords, terminalText } from './arbitraries.js';

const FORBIDDEN = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/;
/** Colour sequences, the only ones the console may receive. */
const SGR = /\x1b\[[0-9;:]*m/g;
const OPTIONS: MaskOptions = { values: ['plan-secret-value'], patterns: ['corp-[0-9]{6}'] };

/** The session's output path: bytes in chunks, the line splitter, then the filter a batch at a time. */
function filterChunks(chunks: Buffer[], options = OPTIONS): FilteredLine[] {
  const filter = createOutputFilter(options);
  const lines: FilteredLine[] = [];
  const splitter = new LineSplitter((batch) => {
    const { evidence, terminal } = filter.lines(batch);
    batch.forEach((_, i) => lines.push({ evidence: evidence[i]!, terminal: terminal[i]! }));
  });
  for (const chunk of chunks) splitter.write(chunk);
  splitter.flush();
  return lines;
}

function cut(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts)].sort((a, b) => a - b);
  return [...points, bytes.length].map((point, i) => bytes.subarray(i === 0 ? 0 : points[i - 1], point));
}

describe('createOutputFilter', () => {
  it('masks and sanitises in one pass', () => {
    const filter = createOutputFilter({ values: ['hunter2-prod'], patterns: [] });
    expect(filter('\x1b[31mpassword is hunter2-prod\x1b[0m\x1b]0;title\x07')).toEqual({
      evidence: 'password is [masked:secret]',
      terminal: '\x1b[31mpassword is [masked:secret]\x1b[0m',
    });
  });

  it('passes plain lines through unchanged', () => {
    const filter = createOutputFilter({ values: [], patterns: [] });
    expect(filter('canary 3/3 ready')).toEqual({ evidence: 'canary 3/3 ready', terminal: 'canary 3/3 ready' });
  });

  it('catches a secret that only appears once escape codes are removed', () => {
    const filter = createOutputFilter({ values: ['hunter2-prod'], patterns: [] });
    const { evidence, terminal } = filter('hunter2\x1b[1m-prod\x1b[0m');
    expect(evidence).toBe('[masked:secret]');
    expect(terminal).toBe('[masked:secret]');
  });

  it('does not reveal a secret through a carriage-return overwrite', () => {
    const filter = createOutputFilter({ values: ['hunter2-prod'], patterns: [] });
    expect(filter('hunter2-prod\rXX').evidence).not.toContain('nter2-prod');
  });

  it('masks the body of a private key whose header is coloured', () => {
    const filter = createOutputFilter({ values: [], patterns: [] });
    const lines = ['\x1b[33m-----BEGIN RSA PRIVATE KEY-----\x1b[0m', 'MIIEowIBAAKCAQEAFAKEtestFAKEtestFAKEtestFAKEtestFAKEtestFAKEtest', '\x1b[2mFAKEtestKEYbodyLINEtwo==\x1b[0m', '-----END RSA PRIVATE KEY-----'];
    expect(lines.map((line) => filter(line).evidence)).toEqual(['[masked:private-key]', '[masked:private-key]', '[masked:private-key]', '-----END RSA PRIVATE KEY-----']);
  });

  it('shows a concealed word on the console, as the log has it', () => {
    const filter = createOutputFilter({ values: [], patterns: [] });
    const { evidence, terminal } = filter('tests: \x1b[31;8mFAILED\x1b[0m');
    expect(evidence).toBe('tests: FAILED');
    expect(terminal).toBe('tests: \x1b[31mFAILED\x1b[0m');
  });

  it('never lets a planted secret of any kind through, with escape sequences around it (property)', () => {
    fc.assert(
      fc.property(terminalText, surroundingWords, plantedSecret, terminalText, (before, words, planted, after) => {
        fc.pre(![before, words, after].some((text) => text.includes(planted.secret)));
        const { evidence, terminal } = createOutputFilter({ values: [], patterns: [] })(`${before}${words} ${planted.text} ${after}`);
        expect(evidence).not.toContain(planted.secret);
        expect(terminal).not.toContain(planted.secret);
        expect(terminal.replace(SGR, '')).not.toContain(planted.secret);
      }),
      { numRuns: 3_000 },
    );
  });

  it('gives the same lines whatever chunks the output arrives in (property)', () => {
    fc.assert(
      fc.property(
        hostileOutput.chain((text) => {
          const bytes = Buffer.from(text);
          return fc.tuple(fc.constant(bytes), fc.array(fc.nat({ max: bytes.length }), { maxLength: 16 }));
        }),
        ([bytes, cuts]) => {
          expect(filterChunks(cut(bytes, cuts))).toEqual(filterChunks([bytes]));
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('masks a secret split across two chunks at every possible point', () => {
    const bytes = Buffer.from(`deploy: token ghp_${'FAKEtest0'.repeat(4)} and corp-123456 and plan-secret-value\n`);
    const whole = filterChunks([bytes]);
    expect(whole).toEqual([{ evidence: 'deploy: token [masked:github-token ghp_…] and [masked:pattern] and [masked:secret]', terminal: whole[0]!.evidence }]);
    for (let at = 1; at < bytes.length; at += 1) expect(filterChunks(cut(bytes, [at]))).toEqual(whole);
  });

  it('never crashes on random bytes and never passes on a control sequence (property)', () => {
    const bytes = fc.array(fc.oneof(fc.uint8Array({ maxLength: 40 }), terminalText.map((text) => new Uint8Array(Buffer.from(text)))), { maxLength: 8 });
    fc.assert(
      fc.property(bytes, (parts) => {
        for (const { evidence, terminal } of filterChunks(parts.map((part) => Buffer.from(part)))) {
          expect(evidence).not.toMatch(FORBIDDEN);
          expect(terminal.replace(SGR, '')).not.toMatch(FORBIDDEN);
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('never lets a planted secret or a control character into the evidence (property)', () => {
    fc.assert(
      fc.property(secretValue, terminalText, terminalText, (secret, before, after) => {
        const filter = createOutputFilter({ values: [secret], patterns: [] });
        const { evidence, terminal } = filter(`${before}${secret}${after}`);
        expect(evidence).not.toMatch(FORBIDDEN);
        expect(evidence).not.toContain(secret);
        expect(sanitizeForEvidence(terminal)).not.toContain(secret);
      }),
      { numRuns: 2_000 },
    );
  });
});
