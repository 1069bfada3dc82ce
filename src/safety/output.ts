import { createMasker, type MaskOptions } from './mask.js';
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
 * secret written across two chunks is still one string when it is masked.
 */
export function createOutputFilter(options: MaskOptions): OutputFilter {
  const mask = createMasker(options);
  return (line) => {
    if (!hasControlCharacters(line)) {
      const masked = mask(line);
      return { evidence: masked, terminal: masked };
    }
    // Mask before and after removing sequences: `hun\e[1mter2` only spells the secret
    // once the colour code is gone.
    const evidence = mask(sanitizeForEvidence(mask(line)));
    const terminal = sanitizeForTerminal(mask(line));
    // If colours were hiding a secret from the masker, the console gets the plain text.
    return { evidence, terminal: sanitizeForEvidence(terminal) === evidence ? terminal : evidence };
  };
}
