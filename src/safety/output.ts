import { lineStart, withoutCr } from '../runner/lines.js';
import type { AsciiBlock, OutputLines } from '../runner/types.js';
import { FilteredBlock } from './block.js';
import { createMasking, PRIVATE_KEY_MASK, type MaskOptions } from './mask.js';
import { hasControlCharacters, sanitizeForEvidence, sanitizeForTerminal } from './sanitize.js';

/** One output line, ready for each destination. */
export interface FilteredLine {
  /** Masked plain text for the journal, logs, webhooks and evidence. */
  evidence: string;
  /** Masked text for the console; colour sequences may remain. */
  terminal: string;
}

/** A batch of output lines, filtered: the same lines (the same array when none changed). */
export interface FilteredLines {
  evidence: readonly string[];
  terminal: readonly string[];
  /** Indices of the lines the filter looked at, in order; every other line is the batch's own. */
  looked: readonly number[];
}

export interface OutputFilter {
  (line: string): FilteredLine;
  /**
   * Many lines in order, as one line at a time would give them, but the lines the screen
   * passes (no control character, nothing a detector could match) are not looked at again.
   */
  lines(batch: readonly string[]): FilteredLines;
  /** lines() for lines still in the ASCII bytes they were read as (a flood's chunks). */
  block(block: AsciiBlock): FilteredBlock;
  /** Masks the secrets in any other text the session records (an argv, a plan, a report): not output, so no private-key tracking. */
  mask(text: string): string;
}

/** Lines already filtered, the same for the evidence and the console (journaled output read back). */
export const plainLines = (texts: readonly string[]): OutputLines => textLines({ evidence: texts, terminal: texts, looked: [] });

/** filter.lines() as output on its way out. */
export function textLines(filtered: FilteredLines): OutputLines {
  return {
    count: filtered.evidence.length,
    evidence: () => filtered.evidence,
    terminal: () => filtered.terminal,
    encodeEvidence: (into) => into.addAll(filtered.evidence, '', filtered.looked),
    encodeTerminal: (into, prefix) => into.addAll(filtered.terminal, prefix, filtered.looked),
  };
}

/**
 * Every output path passes through here, after the line splitter: lines are whole, so a
 * secret written across two chunks is still one string when it is masked. Call it once
 * per line, in order: a private key's body is recognised from the lines before it.
 */
export function createOutputFilter(options: MaskOptions): OutputFilter {
  const masking = createMasking(options);
  const privateKey: FilteredLine = { evidence: PRIVATE_KEY_MASK, terminal: PRIVATE_KEY_MASK };
  const one = (line: string): FilteredLine => {
    // Most lines: no control character, so the text is what the operator sees.
    if (!hasControlCharacters(line)) {
      if (masking.privateKeyBody(line)) return privateKey;
      const masked = masking.text(line);
      return { evidence: masked, terminal: masked };
    }
    const visible = sanitizeForEvidence(line);
    if (masking.privateKeyBody(visible)) return privateKey;
    // Mask before and after removing sequences: before, so an overwrite (`hunter2-prod\rXX`)
    // cannot leave part of a secret showing; after, because `hun\e[1mter2` only spells the
    // secret once the colour code is gone.
    const early = masking.text(line);
    const shown = early === line ? visible : sanitizeForEvidence(early);
    const evidence = masking.text(shown);
    // If colours were hiding a secret from the masker, the console gets the plain text.
    return { evidence, terminal: evidence === shown ? sanitizeForTerminal(early) : evidence };
  };
  const lines = (batch: readonly string[]): FilteredLines => {
    const block = batch.join('\n');
    const offsets = masking.screen(block);
    if (offsets.length === 0 && !masking.inKeyBlock) return { evidence: batch, terminal: batch, looked: [] };
    const evidence = [...batch];
    const terminal = [...batch];
    const looked: number[] = [];
    let next = 0;
    let lineEnd = -1;
    for (let i = 0; i < batch.length; i += 1) {
      const line = batch[i]!;
      lineEnd += line.length + 1;
      let candidate = masking.inKeyBlock;
      while (next < offsets.length && offsets[next]! <= lineEnd) {
        candidate = true;
        next += 1;
      }
      if (!candidate) continue;
      looked.push(i);
      const filtered = one(line);
      evidence[i] = filtered.evidence;
      terminal[i] = filtered.terminal;
    }
    return { evidence, terminal, looked };
  };
  const block = (plain: AsciiBlock): FilteredBlock => {
    const { bytes, ends, count } = plain;
    // The block as text (without its last newline), made once if plan patterns or the lines as text need it.
    let text: string | undefined;
    const asText = () => (text ??= bytes.toString('latin1', 0, bytes.length - 1));
    const offsets = masking.screenAscii(bytes, asText);
    const looked: number[] = [];
    const evidence: string[] = [];
    const terminal: string[] = [];
    let next = 0;
    let line = 0;
    while (line < count) {
      // The next line to look at: inside a private key every line, otherwise the next one the screen named.
      if (!masking.inKeyBlock) {
        const start = lineStart(plain, line);
        while (next < offsets.length && offsets[next]! < start) next += 1;
        if (next === offsets.length) break;
        while (line < count && ends[line]! < offsets[next]!) line += 1;
        if (line === count) break;
      }
      // As the line splitter does: a `\r` before the newline is part of the line end.
      const filtered = one(withoutCr(bytes.toString('latin1', lineStart(plain, line), ends[line])));
      looked.push(line);
      evidence.push(filtered.evidence);
      terminal.push(filtered.terminal);
      line += 1;
    }
    return new FilteredBlock(plain, asText, looked, evidence, terminal);
  };
  return Object.assign(one, { lines, block, mask: (text: string) => masking.text(text) });
}
