import type { AsciiBlock, ByteSink, OutputLines } from '../runner/types.js';

/**
 * A block of ASCII lines after the output filter: the lines it looked at are replaced by
 * their filtered text, every other line is still the bytes it was read as. Those go to
 * the log as they are, and become strings only if something asks for them as text (the
 * journal's first megabyte, the console's last lines).
 */
export class FilteredBlock implements OutputLines {
  private plain: string[] | undefined;

  /**
   * `text`: the block's lines as one string, without the last newline. `looked`: ascending
   * line indices; `evidence` and `terminal`: their filtered texts, in the same order.
   */
  constructor(
    private readonly block: AsciiBlock,
    private readonly text: () => string,
    private readonly looked: readonly number[],
    private readonly evidenceTexts: readonly string[],
    private readonly terminalTexts: readonly string[],
  ) {}

  get count(): number {
    return this.block.count;
  }

  evidence(): readonly string[] {
    return this.withLooked(this.evidenceTexts);
  }

  terminal(): readonly string[] {
    return this.withLooked(this.terminalTexts);
  }

  encodeEvidence(into: ByteSink): void {
    this.encode(into, this.evidenceTexts, '');
  }

  encodeTerminal(into: ByteSink, prefix: string): void {
    this.encode(into, this.terminalTexts, prefix);
  }

  /** Runs of untouched lines as they were read, the looked-at lines one by one, in order. */
  private encode(into: ByteSink, texts: readonly string[], prefix: string): void {
    let from = 0;
    for (let k = 0; k < this.looked.length; k += 1) {
      const line = this.looked[k]!;
      if (line > from) into.addLines(this.block, from, line, prefix);
      into.add(texts[k]!, prefix);
      from = line + 1;
    }
    if (from < this.block.count) into.addLines(this.block, from, this.block.count, prefix);
  }

  private withLooked(texts: readonly string[]): readonly string[] {
    this.plain ??= this.text().split('\n');
    if (this.looked.length === 0) return this.plain;
    const lines = [...this.plain];
    for (let k = 0; k < this.looked.length; k += 1) lines[this.looked[k]!] = texts[k]!;
    return lines;
  }
}
