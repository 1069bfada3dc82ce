import { EventEmitter } from 'node:events';
import { render } from 'ink-testing-library';
import { App } from '../../views/App.js';
import type { ConsoleSession } from '../../views/port.js';
import { colourTheme, type Theme } from '../../views/theme.js';

// Renders the console the way an operator sees it and waits on what is visible.
// ink-testing-library's stdout is 100 columns with no rows: sizes are set explicitly.

export const KEY = {
  up: '\u001B[A',
  down: '\u001B[B',
  pageUp: '\u001B[5~',
  pageDown: '\u001B[6~',
  enter: '\r',
  escape: '\u001B',
  tab: '\t',
  backspace: '\u007F',
};

const ANSI = /\u001B\[[0-9;?]*[A-Za-z]/g;
export const plain = (frame: string | undefined): string => (frame ?? '').replace(ANSI, '');
/** The frame's words on one line: what an operator reads, whatever the wrapping. */
export const flat = (frame: string): string => frame.replace(/\s+/g, ' ');

/** Renders at 80x24 unless told otherwise; `terminal: true` takes the size from the (fake) stdout and follows its resize. */
export function renderScreen(session: ConsoleSession, options: { columns?: number; rows?: number; theme?: Theme; terminal?: boolean } = {}) {
  const size = options.terminal ? {} : { columns: options.columns ?? 80, rows: options.rows ?? 24 };
  const screen = render(<App session={session} theme={options.theme ?? colourTheme} {...size} />);
  const frame = () => plain(screen.lastFrame());
  return {
    ...screen,
    frame,
    /** Waits until the visible frame satisfies the predicate (or contains the text). */
    async until(expected: string | RegExp | ((frame: string) => boolean), timeoutMs = 3_000): Promise<string> {
      const test = typeof expected === 'function' ? expected : (f: string) => (typeof expected === 'string' ? flat(f).includes(expected) : expected.test(flat(f)));
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const current = frame();
        if (test(current)) return current;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(expected)}; the screen shows:\n${current}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    /** Writes keys one keypress at a time, letting Ink deliver each before the next. */
    async press(...keys: string[]): Promise<void> {
      for (const key of keys) {
        screen.stdin.write(key);
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
  };
}

/** Waits until Ink listens to stdin: keys written before that are lost. */
export async function inputReady(screen: { stdin: { listenerCount(event: string): number } }): Promise<void> {
  const deadline = Date.now() + 3_000;
  while (screen.stdin.listenerCount('readable') === 0) {
    if (Date.now() > deadline) throw new Error('the console never listened to stdin');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await new Promise((resolve) => setImmediate(resolve));
}

/** Display width of each line (the glyphs used here are all one column wide). */
export const lineWidths = (frame: string): number[] => frame.split('\n').map((line) => [...line].length);

/** A terminal for renderConsole: a fixed-size stdout that keeps every write, and a stdin that takes keys. */
export function fakeTerminal(columns = 80, rows = 24) {
  const stdout = Object.assign(new EventEmitter(), {
    columns,
    rows,
    writes: [] as string[],
    write(chunk: string) {
      stdout.writes.push(chunk);
      return true;
    },
  });
  let pending: string | null = null;
  const stdin = Object.assign(new EventEmitter(), {
    isTTY: true,
    setEncoding() {},
    setRawMode() {},
    resume() {},
    pause() {},
    ref() {},
    unref() {},
    read() {
      const chunk = pending;
      pending = null;
      return chunk;
    },
    write(chunk: string) {
      pending = chunk;
      stdin.emit('readable');
    },
  });
  return {
    stdout: stdout as unknown as NodeJS.WriteStream & typeof stdout,
    stdin: stdin as unknown as NodeJS.ReadStream & typeof stdin,
    /** Everything written so far, without escape sequences. */
    text: () => plain(stdout.writes.join('')),
  };
}
