import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sanitizeForEvidence, sanitizeForTerminal } from '../../src/safety/sanitize.js';
import { terminalText } from './arbitraries.js';

const FORBIDDEN = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/;

describe('sanitizeForEvidence', () => {
  it('leaves plain text untouched', () => {
    expect(sanitizeForEvidence('deploy canary: 3/3 pods ready\t✓ 🚀')).toBe('deploy canary: 3/3 pods ready\t✓ 🚀');
  });

  it('removes colours and cursor movement', () => {
    expect(sanitizeForEvidence('\x1b[1;31mERROR\x1b[0m \x1b[2K\x1b[10;1Hdone')).toBe('ERROR done');
  });

  it('removes window titles ended by BEL or ST', () => {
    expect(sanitizeForEvidence('a\x1b]0;owned\x07b\x1b]2;again\x1b\\c')).toBe('abc');
  });

  it('keeps the text of a hyperlink but not its target', () => {
    expect(sanitizeForEvidence('see \x1b]8;;https://evil.example\x1b\\the runbook\x1b]8;;\x1b\\ now')).toBe(
      'see the runbook now',
    );
  });

  it('removes clipboard writes and device-control strings', () => {
    expect(sanitizeForEvidence('x\x1b]52;c;Y3VybCBldmls\x07y\x1bP$q"p\x1b\\z\x1b_apc\x1b\\!')).toBe('xyz!');
  });

  it('removes 8-bit C1 sequences and controls', () => {
    expect(sanitizeForEvidence('a\x9b31mb\x9d0;t\x9cc\x85d')).toBe('abcd');
  });

  it('removes a full terminal reset and character-set switches', () => {
    expect(sanitizeForEvidence('\x1bc\x1b(0lqk\x1b(B ok')).toBe('lqk ok');
  });

  it('shows the final text of a carriage-return progress line', () => {
    expect(sanitizeForEvidence('progress 10%\rprogress 55%\rprogress 100%')).toBe('progress 100%');
  });

  it('overwrites from column 0 like a terminal when the last text is shorter', () => {
    expect(sanitizeForEvidence('abcdef\rXY')).toBe('XYcdef');
  });

  it('resolves backspaces', () => {
    expect(sanitizeForEvidence('passwd\b\b\bXYZ')).toBe('pasXYZ');
    expect(sanitizeForEvidence('\b\bok')).toBe('ok');
  });

  it('drops an unterminated sequence to the end of the line', () => {
    expect(sanitizeForEvidence('before\x1b]0;never ended')).toBe('before');
    expect(sanitizeForEvidence('before\x1b[')).toBe('before');
  });

  it('removes bracketed-paste toggles and terminal status queries', () => {
    expect(sanitizeForEvidence('\x1b[?2004h\x1b[200~kubectl delete ns prod\x1b[201~\x1b[6n\x1b[21t\x1b[>c')).toBe('kubectl delete ns prod');
  });

  it('does not take an escape for the second half of a lone surrogate', () => {
    expect(sanitizeForEvidence('a\ud800\x1b[2Jb')).toBe('a\ud800b');
  });

  it('never leaves control characters, even beside lone surrogates (property)', () => {
    const surrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));
    fc.assert(
      fc.property(fc.array(fc.oneof(terminalText, surrogate), { maxLength: 8 }), (parts) => {
        const line = parts.join('');
        expect(sanitizeForEvidence(line)).not.toMatch(FORBIDDEN);
        expect(sanitizeForTerminal(line).replace(/\x1b\[[0-9;:]*m/g, '')).not.toMatch(FORBIDDEN);
      }),
      { numRuns: 2_000 },
    );
  });

  it('never leaves control characters other than tab (property)', () => {
    fc.assert(
      fc.property(terminalText, (line) => {
        expect(sanitizeForEvidence(line)).not.toMatch(FORBIDDEN);
      }),
      { numRuns: 2_000 },
    );
  });

  it('changes nothing in text without control characters (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (text) => {
        fc.pre(!FORBIDDEN.test(text));
        expect(sanitizeForEvidence(text)).toBe(text);
      }),
    );
  });
});

describe('sanitizeForTerminal', () => {
  it('keeps colours and ends with a reset so they cannot bleed', () => {
    expect(sanitizeForTerminal('\x1b[32mok\x1b[0m')).toBe('\x1b[32mok\x1b[0m');
    expect(sanitizeForTerminal('\x1b[1;31mERROR')).toBe('\x1b[1;31mERROR\x1b[0m');
  });

  it('keeps colours but not the conceal attribute, which would hide text the log shows', () => {
    expect(sanitizeForTerminal('tests \x1b[8mFAILED\x1b[28m')).toBe('tests FAILED\x1b[28m\x1b[0m');
    expect(sanitizeForTerminal('\x1b[1;8;31mx')).toBe('\x1b[1;31mx\x1b[0m');
    expect(sanitizeForTerminal('\x1b[38;5;8mgrey\x1b[0m')).toBe('\x1b[38;5;8mgrey\x1b[0m');
    expect(sanitizeForTerminal('\x1b[48;2;8;8;8mdark\x1b[0m')).toBe('\x1b[48;2;8;8;8mdark\x1b[0m');
  });

  it('drops everything else, including private modes that end in m', () => {
    expect(sanitizeForTerminal('\x1b[?1049h\x1b[2J\x1b[>4;2mtext\x1b]0;t\x07')).toBe('text');
  });

  it('leaves no escape other than colour sequences (property)', () => {
    fc.assert(
      fc.property(terminalText, (line) => {
        const shown = sanitizeForTerminal(line).replace(/\x1b\[[0-9;:]*m/g, '');
        expect(shown).not.toMatch(FORBIDDEN);
      }),
      { numRuns: 2_000 },
    );
  });

  it('shows a line as a terminal would whether or not it starts with a carriage return (property)', () => {
    // A line with `\r` or backspace is replayed cell by cell; one without is read in runs.
    // A carriage return at column 0 moves nothing, so both ways must agree.
    fc.assert(
      fc.property(terminalText, (line) => {
        expect(sanitizeForTerminal(`\r${line}`)).toBe(sanitizeForTerminal(line));
        expect(sanitizeForEvidence(`\r${line}`)).toBe(sanitizeForEvidence(line));
      }),
      { numRuns: 2_000 },
    );
  });

  it('shows the same text as the evidence once colours are removed (property)', () => {
    fc.assert(
      fc.property(terminalText, (line) => {
        expect(sanitizeForEvidence(sanitizeForTerminal(line))).toBe(sanitizeForEvidence(line));
      }),
      { numRuns: 1_000 },
    );
  });
});
