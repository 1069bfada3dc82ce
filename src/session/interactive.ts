import { isPrompt, offerApprovalsFile } from './headless.js';
import type { Restored } from './restore.js';
import { warmUpCommands } from '../runner/command.js';
import { startSession, type SessionOptions, type SessionResult } from './session.js';

/** After the console's first frame: nothing before it should wait for the command runner. */
const WARM_UP_AFTER_MS = 300;

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
  // Once the first frame is out, load what commands need, before the first one starts.
  setTimeout(warmUpCommands, WARM_UP_AFTER_MS).unref();

  // A dropped terminal (SIGHUP) does not stop a release: it goes on without a screen and
  // waits to be attached. A signal from elsewhere stops it where it stands, resumable.
  const prefix = options.plan.announce.prefix;
  let signalled: (how: 'hangup' | 'signal') => void = () => {};
  const outside = new Promise<'hangup' | 'signal'>((resolve) => (signalled = resolve));
  let hungUp = false;
  const hangup = () => {
    // A terminal may hang up more than once (the SSH daemon, then the kernel): only the first is news, and none may stop the release.
    if (hungUp) return;
    hungUp = true;
    session.journal('terminal.hangup', {});
    session.announce('presence', `[${prefix} ATTACH] The operator's terminal hung up; the release goes on and waits to be attached (warroom attach).`);
    signalled('hangup');
  };
  const interrupt = (signal: NodeJS.Signals) => {
    session.journal('session.interrupted', { signal });
    signalled('signal');
  };
  process.on('SIGHUP', hangup).once('SIGTERM', interrupt).once('SIGINT', interrupt);
  void session.done.then(() => process.off('SIGHUP', hangup).off('SIGTERM', interrupt).off('SIGINT', interrupt));

  // A session that cannot write its record stops by itself: the screen goes with it.
  const how = await Promise.race([screen.waitUntilExit(), outside, session.writeFailure.then(() => 'stopped' as const)]);
  try {
    screen.unmount();
  } catch {
    // the terminal is gone
  }
  if (how === 'hangup') {
    // Without a terminal the release goes on, but a signal from elsewhere must still stop it.
    const later = new Promise<'signal'>((resolve) => (signalled = () => resolve('signal')));
    if ((await Promise.race([session.done.then(() => 'done' as const), later])) === 'done') return { ...(await session.done), quit: false };
    return { ...(await session.end()), quit: false };
  }
  if (how === 'quit') session.journal('session.quit', { by: options.operator });
  const result = await session.end();
  return { ...result, quit: how === 'quit' };
}
