import { EventEmitter } from 'node:events';
import { render } from 'ink';
import { ReplayApp, type RecordedSession, type ReplayStore } from './ReplayApp.js';
import { themeFor } from './theme.js';

export type { RecordedSession, ReplayStore, ReplayView, ReplayStatus, TrainingView } from './ReplayApp.js';

/**
 * A stdin that never sends a key. The recorded console is shown, not driven:
 * its own key handlers (follow, quit, prompts) must not see the replay's keys.
 */
export function inertStdin(): NodeJS.ReadStream {
  return Object.assign(new EventEmitter(), {
    isTTY: true,
    setEncoding() {},
    setRawMode() {},
    resume() {},
    pause() {},
    ref() {},
    unref() {},
    read: () => null,
  }) as unknown as NodeJS.ReadStream;
}

export interface ReplayHandle {
  unmount(): void;
  waitUntilExit(): Promise<unknown>;
}

/** Shows a replay on the terminal; keys are the caller's to read (see replayKeys.ts). */
export function renderReplay(session: RecordedSession, store: ReplayStore, options: { stdout?: NodeJS.WriteStream; columns?: number; rows?: number } = {}): ReplayHandle {
  const instance = render(<ReplayApp session={session} store={store} theme={themeFor(process.env)} columns={options.columns} rows={options.rows} />, {
    stdout: options.stdout ?? process.stdout,
    stdin: inertStdin(),
    maxFps: 20,
    // As renderConsole: incremental rendering puts the cursor a row too low in Ink 6.8.0.
    incrementalRendering: false,
    patchConsole: false,
    exitOnCtrlC: false,
  });
  return { unmount: () => instance.unmount(), waitUntilExit: () => instance.waitUntilExit() };
}
