import { isPrompt, offerApprovalsFile } from './headless.js';
import type { Restored } from './restore.js';
import { startSession, type SessionOptions, type SessionResult } from './session.js';

// The console driver: the operator is at the keyboard, so nothing is decided for
// them. An approvals file, when given, still answers the prompts it covers.

export interface ConsoleStreams {
  stdout: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
}

export async function runConsoleSession(options: SessionOptions, streams: ConsoleStreams, restored?: Restored): Promise<SessionResult & { quit: boolean }> {
  const session = startSession({ ...options, print: undefined }, restored);
  session.onStateChange((snapshot) => {
    if (snapshot.status === 'done') return void session.end();
    if (isPrompt(snapshot) && options.answers.length > 0) offerApprovalsFile(session, snapshot);
  });
  // Loaded only here, so headless runs never pay for React and Ink.
  const { renderConsole } = await import('../../views/index.js');
  const screen = renderConsole(session, { stdout: streams.stdout, stdin: streams.stdin });
  session.start();
  const how = await screen.waitUntilExit();
  screen.unmount();
  if (how === 'quit') session.journal('session.quit', { by: options.operator });
  const result = await session.end();
  return { ...result, quit: how === 'quit' };
}
