import { useCallback, useState } from 'react';
import type { LineTail } from './port.js';
import { usePolled } from './useTick.js';

export interface TailWindow<T> {
  lines: readonly T[];
  following: boolean;
  /** Lines below the window (0 while following). */
  below: number;
  scroll(delta: number): void;
  toggleFollow(): void;
}

/**
 * A window of `height` lines over a bounded tail kept outside React. Polled on the
 * shared tick: a flood of lines costs one render per tick, and only the visible
 * slice is ever copied. Scrolling pins the window to absolute line numbers so it
 * holds still while lines keep arriving.
 */
export function useTailWindow<T>(tail: LineTail<T>, height: number): TailWindow<T> {
  usePolled(() => tail.version);
  const [pinnedEnd, setPinnedEnd] = useState<number>();
  const total = tail.total;
  const below = pinnedEnd === undefined ? 0 : Math.max(0, total - pinnedEnd);
  const wanted = tail.tail(below + height);
  // Scrolled past what the tail still holds: show its oldest lines (the log file has the rest).
  const end = Math.max(Math.min(height, wanted.length), wanted.length - below);
  const lines = wanted.slice(Math.max(0, end - height), end);

  const scroll = useCallback(
    (delta: number) =>
      setPinnedEnd((pinned) => {
        const total = tail.total;
        const held = tail.tail(Number.MAX_SAFE_INTEGER).length;
        const earliest = Math.min(total, total - held + height);
        const next = Math.max(earliest, (pinned ?? total) + delta);
        return next >= total ? undefined : next;
      }),
    [tail, height],
  );
  const toggleFollow = useCallback(() => setPinnedEnd((pinned) => (pinned === undefined ? tail.total : undefined)), [tail]);
  return { lines, following: pinnedEnd === undefined, below, scroll, toggleFollow };
}
