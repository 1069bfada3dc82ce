import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../src/runner/lines.js';
import { createOutputFilter, type FilteredLine } from '../../src/safety/output.js';
import { corpusBytes, EVIDENCE_CONTROL, expectations, forbiddenSecrets, HAS_SGR, linesOf, SGR } from './corpora.js';

// The fixture corpora through the real line splitter and filter, as a session runs them.

function filtered(bytes: Buffer): Array<FilteredLine & { raw: string }> {
  const filter = createOutputFilter({ values: [expectations.env.value], patterns: expectations.patterns });
  const lines: Array<FilteredLine & { raw: string }> = [];
  const splitter = new LineSplitter((batch) => {
    const { evidence, terminal } = filter.lines(batch);
    batch.forEach((raw, i) => lines.push({ raw, evidence: evidence[i]!, terminal: terminal[i]! }));
  });
  splitter.write(bytes);
  splitter.flush();
  return lines;
}

const corpus = corpusBytes();

describe('the secrets corpus', () => {
  const lines = filtered(corpus.secrets);

  it('has an expectation for every line', () => {
    expect(expectations.secrets.map((e) => e.line)).toEqual(lines.map((_, i) => i + 1));
  });

  it.each(expectations.secrets.map((e) => [`${e.line} (${e.kind})`, e] as const))('masks line %s as expected', (_name, expected) => {
    const line = lines[expected.line - 1]!;
    expect(line.evidence).toBe(expected.masked);
    expect(line.terminal).toBe(expected.masked);
    expect(line.evidence).toContain(expected.mask);
    for (const secret of expected.secrets) expect(line.raw).toContain(secret);
  });

  it('lets no secret of the corpus through on any line', () => {
    const all = [...lines, ...filtered(corpus.escapes)].flatMap((line) => [line.evidence, line.terminal]).join('\n');
    for (const secret of forbiddenSecrets()) expect(all).not.toContain(secret);
  });
});

describe('the clean corpus', () => {
  it('passes every ordinary line unchanged: hashes, UUIDs, digests, image references, IPs', () => {
    const lines = filtered(corpus.clean);
    expect(lines.map((line) => line.evidence)).toEqual(linesOf(corpus.clean.toString('utf8')));
    expect(lines.map((line) => line.terminal)).toEqual(linesOf(corpus.clean.toString('utf8')));
  });
});

describe('the escapes corpus', () => {
  const lines = filtered(corpus.escapes);

  it('has an expectation for every line', () => {
    expect(expectations.escapes.map((e) => e.line)).toEqual(lines.map((_, i) => i + 1));
  });

  it.each(expectations.escapes.map((e) => [e.name, e] as const))('shows the visible text of: %s', (_name, expected) => {
    const line = lines[expected.line - 1]!;
    expect(line.evidence).toBe(expected.screen);
    expect(line.evidence).not.toMatch(EVIDENCE_CONTROL);
    const shown = line.terminal.replace(SGR, '');
    expect(shown).toBe(expected.screen);
    expect(shown).not.toMatch(EVIDENCE_CONTROL);
    if (expected.sgr) expect(line.terminal).toMatch(HAS_SGR);
  });

  it('keeps the line a cursor-up forgery tries to overwrite, before the forgery', () => {
    const evidence = lines.map((line) => line.evidence);
    for (const forgery of expectations.escapes.filter((e) => e.forges !== undefined)) {
      const target = evidence.indexOf(forgery.forges!);
      expect(target).toBeGreaterThanOrEqual(0);
      expect(target).toBeLessThan(forgery.line - 1);
    }
  });
});
