import type { LineTail, OutputLine } from '../../views/port.js';
import type { OutputLines, OutputStream } from '../runner/types.js';

/** A ring buffer: the screen needs the last lines, the log file has all of them. */
export class RingTail<T> implements LineTail<T> {
  private readonly items: T[] = [];
  private start = 0;
  version = 0;
  total = 0;

  constructor(private readonly capacity: number) {}

  push(item: T): void {
    if (this.items.length < this.capacity) this.items.push(item);
    else {
      this.items[this.start] = item;
      this.start = (this.start + 1) % this.capacity;
    }
    this.total += 1;
    this.version += 1;
  }

  tail(count: number): readonly T[] {
    const ordered = this.start === 0 ? this.items : [...this.items.slice(this.start), ...this.items.slice(0, this.start)];
    return ordered.slice(Math.max(0, ordered.length - count));
  }
}

/**
 * The output pane's tail, kept in the batches the lines arrive in: a flood costs nothing
 * a line until the screen asks for the last few.
 */
export class OutputTail implements LineTail<OutputLine> {
  private readonly batches: Array<{ step: string; stream: OutputStream; lines: OutputLines }> = [];
  /** Lines in `batches`: whole batches are dropped while the rest still hold `capacity`. */
  private kept = 0;
  version = 0;
  total = 0;

  constructor(private readonly capacity: number) {}

  push(step: string, stream: OutputStream, lines: OutputLines): void {
    if (lines.count === 0) return;
    this.batches.push({ step, stream, lines });
    this.kept += lines.count;
    this.total += lines.count;
    this.version += 1;
    while (this.batches.length > 1 && this.kept - this.batches[0]!.lines.count >= this.capacity) this.kept -= this.batches.shift()!.lines.count;
  }

  tail(count: number): readonly OutputLine[] {
    const wanted = Math.min(count, this.capacity);
    const lines: OutputLine[] = [];
    for (let b = this.batches.length - 1; b >= 0 && lines.length < wanted; b -= 1) {
      const { step, stream } = this.batches[b]!;
      const texts = this.batches[b]!.lines.terminal();
      for (let i = texts.length - 1; i >= 0 && lines.length < wanted; i -= 1) lines.push({ step, stream, text: texts[i]! });
    }
    return lines.reverse();
  }
}
