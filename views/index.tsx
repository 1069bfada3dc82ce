import { render } from 'ink';
import { App, type ExitReason } from './App.js';
import type { ConsoleSession } from './port.js';
import { themeFor } from './theme.js';

export type { ConsoleSession } from './port.js';
export type { ExitReason } from './App.js';

export interface ConsoleOptions {
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  /** Fixed sizes; by default the terminal's, following resize. */
  columns?: number;
  rows?: number;
}

export interface ConsoleHandle {
  /** 'quit' when the operator left a live session (it stays resumable), 'ended' after its ending was shown. */
  waitUntilExit(): Promise<ExitReason>;
  unmount(): void;
}

/**
 * Shows the war room for a session until the operator leaves. Writes are throttled
 * to 20 frames a second; Ctrl+C is a key (it asks, like q); console.log is not
 * patched (the session prints nothing while the console runs).
 */
export function renderConsole(session: ConsoleSession, options: ConsoleOptions = {}): ConsoleHandle {
  const instance = render(<App session={session} theme={themeFor(process.env)} columns={options.columns} rows={options.rows} />, {
    stdout: options.stdout ?? process.stdout,
    stdin: options.stdin ?? process.stdin,
    maxFps: 20,
    // Off on purpose: in Ink 6.8.0 it puts the cursor one row too low after every
    // frame in a real terminal (tmux: each frame lands below the last). The frame
    // stays shorter than the terminal, so the standard path erases and rewrites it.
    incrementalRendering: false,
    patchConsole: false,
    exitOnCtrlC: false,
  });
  return {
    waitUntilExit: async () => ((await instance.waitUntilExit()) === 'ended' ? 'ended' : 'quit'),
    unmount: () => instance.unmount(),
  };
}
