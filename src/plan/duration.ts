const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** `30s` → 30000; undefined for anything that is not a whole number and a unit. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)(ms|s|m|h)$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/**
 * The longest duration a plan may hold: 24 days (576h). Node timers hold at most 2^31-1 ms
 * (about 24.8 days) and fire at once for anything longer, so a longer timeout or interval
 * would silently become 1 ms.
 */
export const MAX_DURATION_MS = 24 * 24 * UNIT_MS.h;

/** Why a plan's duration text is refused, if it is: the schema's one check for every duration key. */
export function durationProblem(text: string): string | undefined {
  const ms = parseDuration(text);
  if (ms === undefined) return 'expected a duration such as 500ms, 30s, 15m or 2h';
  if (ms > MAX_DURATION_MS) return `a duration is at most 576h (24 days): Node timers cannot wait longer; got ${text.trim()}`;
  return undefined;
}

/** Like parseDuration, for values the schema has already checked. */
export function durationMs(text: string | undefined, fallbackMs: number): number {
  if (text === undefined) return fallbackMs;
  return parseDuration(text) ?? fallbackMs;
}

/** 93500 → "1m 33s": for announcements and reports. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  const seconds = Math.round(ms / 1_000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}
