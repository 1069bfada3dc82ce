// The replay's keys, in one place: the dispatcher, the replay bar and docs/replay.md
// read this table. Replay reads raw key bytes itself (the console underneath is
// shown, never driven), so bindings match on what the terminal sends.

export interface ReplayBinding {
  keys: string;
  does: string;
  matches: (key: string) => boolean;
}

export const REPLAY_KEYS = {
  pause: { keys: 'space', does: 'pause/play', matches: (k) => k === ' ' },
  next: { keys: 'n', does: 'next phase/gate/decision', matches: (k) => k === 'n' || k === 'N' },
  back: { keys: 'b/←', does: 'back 10 s', matches: (k) => k === 'b' || k === '\u001B[D' || k === '\u001BOD' },
  forward: { keys: 'f/→', does: 'forward 10 s', matches: (k) => k === 'f' || k === '\u001B[C' || k === '\u001BOC' },
  faster: { keys: '+', does: 'faster', matches: (k) => k === '+' || k === '=' },
  slower: { keys: '-', does: 'slower', matches: (k) => k === '-' || k === '_' },
  quit: { keys: 'q', does: 'quit', matches: (k) => k === 'q' || k === 'Q' || k === '\u0003' },
  pick: { keys: '1-9', does: 'answer', matches: (k) => /^[1-9]$/.test(k) },
} satisfies Record<string, ReplayBinding>;

export type ReplayKeyName = keyof typeof REPLAY_KEYS;

export function replayKey(key: string, names: readonly ReplayKeyName[] = Object.keys(REPLAY_KEYS) as ReplayKeyName[]): ReplayKeyName | undefined {
  return names.find((name) => REPLAY_KEYS[name].matches(key));
}

/** One read from a raw terminal may hold several keys (typed fast, or pasted): one escape sequence or character each. */
export function splitKeys(data: string): string[] {
  const keys: string[] = [];
  for (let i = 0; i < data.length; ) {
    const sequence = /^\u001B(?:\[[0-9;]*[A-Za-z~]|O[A-Za-z])/.exec(data.slice(i));
    const key = sequence ? sequence[0] : String.fromCodePoint(data.codePointAt(i)!);
    keys.push(key);
    i += key.length;
  }
  return keys;
}
