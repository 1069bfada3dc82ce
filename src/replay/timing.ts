import type { JournalEntry } from '../journal/journal.js';

// Replay time: the journal's timestamps, divided by the speed. `max` does not wait.

export type Speed = number | 'max';

/** The speeds the console steps through with + and -. */
export const SPEED_STEPS: readonly Speed[] = [0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 'max'];

export function parseSpeed(text: string): Speed | undefined {
  if (text === 'max') return 'max';
  if (!/^\d+(\.\d+)?$/.test(text)) return undefined;
  const speed = Number(text);
  return speed > 0 && Number.isFinite(speed) ? speed : undefined;
}

export function speedLabel(speed: Speed): string {
  return speed === 'max' ? 'max' : `${speed}x`;
}

/** The next faster (+1) or slower (-1) speed. */
export function stepSpeed(speed: Speed, direction: 1 | -1): Speed {
  const value = (s: Speed) => (s === 'max' ? Infinity : s);
  if (direction > 0) return SPEED_STEPS.find((s) => value(s) > value(speed)) ?? 'max';
  return [...SPEED_STEPS].reverse().find((s) => value(s) < value(speed)) ?? SPEED_STEPS[0]!;
}

/** Milliseconds since the first entry; a timestamp that cannot be read keeps the previous entry's time. */
export function entryTimes(entries: readonly JournalEntry[]): number[] {
  const times: number[] = [];
  let origin: number | undefined;
  let last = 0;
  for (const entry of entries) {
    const ms = Date.parse(entry.ts);
    if (Number.isFinite(ms)) {
      origin ??= ms;
      // A clock stepping backwards (NTP) must not make replay wait for the past.
      last = Math.max(last, ms - origin);
    }
    times.push(last);
  }
  return times;
}

/** A sleep that an abort cuts short. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
