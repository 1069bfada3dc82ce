import { createMasking, PRIVATE_KEY_MASK, type MaskOptions } from './mask.js';
import { hasControlCharacters, sanitizeForEvidence, sanitizeForTerminal } from './sanitize.js';

/** One output line, ready for each destination. */
export interface FilteredLine {
  /** Masked plain text for the journal, logs, webhooks and evidence. */
  evidence: string;
  /** Masked text for the console; colour sequences may remain. */
  terminal: string;
}

export type OutputFilter = (line: string) => FilteredLine;

/**
 * Every output path passes through here, after the line splitter: lines are whole, so a
 * secret written across two chunks is still one string when it is masked. Call it once
 * per line, in order: a private key's body is recognised from the lines before it.
 */
export function createOutputFilter(options: MaskOptions): OutputFilter {
  const masking = createMasking(options);
  const privateKey: FilteredLine = { evidence: PRIVATE_KEY_MASK, terminal: PRIVATE_KEY_MASK };
  return (line) => {
    // Most lines: no control character, so the text is what the operator sees.
    if (!hasControlCharacters(line)) {
      if (masking.privateKeyBody(line)) return privateKey;
      const masked = masking.text(line);
      return { evidence: masked, terminal: masked };
    }
    if (masking.privateKeyBody(sanitizeForEvidence(line))) return privateKey;
    // Mask before and after removing sequences: before, so an overwrite (`hunter2-prod\rXX`)
    // cannot leave part of a secret showing; after, because `hun\e[1mter2` only spells the
    // secret once the colour code is gone.
    const early = masking.text(line);
    const shown = sanitizeForEvidence(early);
    const evidence = masking.text(shown);
    // If colours were hiding a secret from the masker, the console gets the plain text.
    return { evidence, terminal: evidence === shown ? sanitizeForTerminal(early) : evidence };
  };
}
