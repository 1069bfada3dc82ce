import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createOutputFilter } from '../../src/safety/output.js';
import { sanitizeForEvidence } from '../../src/safety/sanitize.js';
import { secretValue, terminalText } from './arbitraries.js';

const FORBIDDEN = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/;

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
