import type { LineTail } from '../../views/port.js';

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

  /** Counts items that went by without being kept (a batch longer than the ring). */
  passed(count: number): void {
    if (count === 0) return;
    this.total += count;
    this.version += 1;
  }

  tail(count: number): readonly T[] {
    const ordered = this.start === 0 ? this.items : [...this.items.slice(this.start), ...this.items.slice(0, this.start)];
    return ordered.slice(Math.max(0, ordered.length - count));
  }
}
