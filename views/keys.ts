import type { Key } from 'ink';

// Every key the console understands, in one place: the handlers, the key bar
// and the help overlay all read this table (SPEC section 7).

export interface Binding {
  /** As the key bar and help show it. */
  keys: string;
  does: string;
  matches: (input: string, key: Key) => boolean;
}

export const KEYS = {
  help: { keys: '?', does: 'help', matches: (input) => input === '?' },
  focus: { keys: 'Tab', does: 'focus next pane', matches: (_, key) => key.tab },
  up: { keys: '↑', does: 'scroll up / previous choice', matches: (_, key) => key.upArrow },
  down: { keys: '↓', does: 'scroll down / next choice', matches: (_, key) => key.downArrow },
  pageUp: { keys: 'PgUp', does: 'scroll a page up', matches: (_, key) => key.pageUp },
  pageDown: { keys: 'PgDn', does: 'scroll a page down', matches: (_, key) => key.pageDown },
  follow: { keys: 'f', does: 'follow output (again)', matches: (input, key) => input === 'f' && !key.ctrl },
  rollback: { keys: 'r', does: 'roll back (asks to confirm)', matches: (input, key) => input === 'r' && !key.ctrl },
  abort: { keys: 'x', does: 'abort (asks to confirm)', matches: (input, key) => input === 'x' && !key.ctrl },
  // Ctrl+C arrives as a key in raw mode; like q it asks first (SPEC 11: SIGINT asks before aborting).
  quit: { keys: 'q', does: 'quit (asks; stays resumable)', matches: (input, key) => input === 'q' || (input === 'c' && key.ctrl) },
  previous: { keys: '←', does: 'previous choice', matches: (_, key) => key.leftArrow },
  next: { keys: '→', does: 'next choice', matches: (_, key) => key.rightArrow },
  select: { keys: 'Enter', does: 'choose / confirm', matches: (_, key) => key.return },
  pick: { keys: '1-9', does: 'choose by number', matches: (input) => /^[1-9]$/.test(input) },
  back: { keys: 'Esc', does: 'back', matches: (_, key) => key.escape },
  reject: { keys: 'n', does: 'refuse (asks a reason)', matches: (input) => input === 'n' },
  yes: { keys: 'y', does: 'yes', matches: (input) => input === 'y' || input === 'Y' },
  no: { keys: 'n', does: 'no', matches: (input, key) => input === 'n' || input === 'N' || key.escape },
  erase: { keys: '⌫', does: 'erase', matches: (_, key) => key.backspace || key.delete },
  anyKey: { keys: 'any key', does: 'close', matches: () => true },
} satisfies Record<string, Binding>;

export type KeyName = keyof typeof KEYS;

/** The first of `names` the keypress matches. */
export function pressed(input: string, key: Key, names: readonly KeyName[]): KeyName | undefined {
  return names.find((name) => KEYS[name].matches(input, key));
}

/** Printable text a text field takes (pasted text arrives as one string). */
export function typedText(input: string, key: Key): string {
  if (key.ctrl || key.meta || key.return || key.tab || key.escape) return '';
  return [...input].filter((ch) => ch >= ' ' && ch !== '\u007F').join('');
}

export type KeyMode = 'watching' | 'choosing' | 'picking-person' | 'typing' | 'confirming' | 'help' | 'quitting' | 'ended';

/** What the key bar offers in each mode; `r`/`x` only when the chart offers a roll back / abort now, `n` when an answer may be a refusal. */
export function keysValidNow(mode: KeyMode, offers: { rollback: boolean; abort: boolean; refuse: boolean }): Array<{ keys: string; does: string }> {
  const bar = (...names: KeyName[]) => names.map((name) => ({ keys: KEYS[name].keys, does: short[name] ?? KEYS[name].does }));
  const risky = [...(offers.rollback ? (['rollback'] as const) : []), ...(offers.abort ? (['abort'] as const) : [])];
  switch (mode) {
    case 'help':
      return bar('anyKey');
    case 'quitting':
      return [{ keys: 'y', does: 'quit, resumable' }, { keys: 'n', does: 'stay' }];
    case 'ended':
      return [{ keys: 'any key', does: 'exit' }];
    case 'typing':
      return [{ keys: 'Enter', does: 'confirm' }, ...bar('back', 'erase', 'focus')];
    case 'confirming':
      return [{ keys: 'y', does: 'confirm' }, { keys: 'n/Esc', does: 'cancel' }, ...bar('help')];
    case 'picking-person':
      return [{ keys: '↑↓ 1-9', does: 'choose' }, ...bar('select', ...(offers.refuse ? (['reject'] as const) : []), 'back', 'help', 'focus', 'quit')];
    case 'choosing':
      return [{ keys: '←→ 1-9', does: 'choose' }, ...bar('select', ...risky, 'help', 'focus', 'quit')];
    case 'watching':
      return [...bar('help', 'focus'), { keys: '↑↓ PgUp/Dn', does: 'scroll' }, ...bar('follow', ...risky, 'quit')];
  }
}

const short: Partial<Record<KeyName, string>> = {
  focus: 'focus',
  follow: 'follow',
  rollback: 'roll back',
  abort: 'abort',
  quit: 'quit',
  select: 'confirm',
  pick: 'pick',
  reject: 'refuse',
  anyKey: 'close help',
};

/** The help overlay's table: every binding, grouped as the operator uses them. */
export const HELP: Array<{ title: string; keys: KeyName[] }> = [
  { title: 'Anywhere', keys: ['help', 'focus', 'quit'] },
  { title: 'Output and announcements (focused pane)', keys: ['up', 'down', 'pageUp', 'pageDown', 'follow'] },
  { title: 'When the session halts', keys: ['rollback', 'abort'] },
  { title: 'Prompts', keys: ['previous', 'next', 'pick', 'select', 'reject', 'back'] },
];
