import { afterEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  // Ink prints only the last frame when it believes it runs in CI.
  delete process.env.CI;
});

import { cleanup } from 'ink-testing-library';
import { sendSamples, tick, until, walkToSoak } from '../machines/harness.js';
import { renderConsole } from '../../views/index.js';
import { fakeSession } from './fake-session.js';
import { fakeTerminal, inputReady, KEY, renderScreen } from './screen.js';

afterEach(() => cleanup());

async function waitFor(predicate: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('keys', () => {
  it('? opens help over the panes and any key closes it', async () => {
    const session = fakeSession();
    await until(session.release.actor, 'acknowledging');
    const screen = renderScreen(session);
    await screen.until('Who acknowledges?');
    await inputReady(screen);
    await screen.press('?');
    const help = await screen.until('Help · any key closes');
    expect(help).toContain('Tab   focus next pane');
    expect(help).toContain('r     roll back (asks to confirm)');
    expect(help).toContain('q     quit (asks; stays resumable)');
    expect(help).not.toContain('Who acknowledges?');
    expect(help.split('\n')).toHaveLength(23);
    await screen.press('z');
    await screen.until('Who acknowledges?');
    expect(session.sent).toEqual([]);
  });

  it('Tab moves the focus from the prompt to the output and the announcements', async () => {
    const session = fakeSession();
    await until(session.release.actor, 'acknowledging');
    const screen = renderScreen(session);
    await screen.until('▸ Acknowledge the change freeze');
    await inputReady(screen);
    await screen.press(KEY.tab);
    await screen.until('▸ Output');
    await screen.press(KEY.tab);
    await screen.until('▸ Announcements');
    await screen.press(KEY.tab);
    await screen.until('▸ Acknowledge the change freeze');
  });

  it('scrolls the output with ↑ and PgUp, holds still while lines arrive, and f follows again', async () => {
    const session = fakeSession();
    await walkToSoak(session.release.actor);
    for (let i = 1; i <= 100; i++) session.output.push({ step: 'promote-100', stream: 'stdout', text: `line ${i}` });
    const screen = renderScreen(session);
    await screen.until('line 100');
    await inputReady(screen);
    await screen.press(KEY.pageUp, KEY.up);
    const paused = await screen.until('paused');
    expect(paused).not.toContain('line 100');
    for (let i = 101; i <= 150; i++) session.output.push({ step: 'promote-100', stream: 'stdout', text: `line ${i}` });
    const held = await screen.until('paused, 60 newer');
    expect(held.split('\n').filter((l) => /^line \d+$/.test(l))).toEqual(paused.split('\n').filter((l) => /^line \d+$/.test(l)));
    await screen.press('f');
    await screen.until((f) => f.includes('line 150') && f.includes('following'));
  });

  it('q while the session runs asks first; n stays', async () => {
    const session = fakeSession();
    await until(session.release.actor, 'acknowledging');
    const screen = renderScreen(session);
    await screen.until('Who acknowledges?');
    await inputReady(screen);
    await screen.press('q');
    const asked = await screen.until('Quit the console? The release stops where it stands and stays resumable.');
    expect(asked).toContain('Resume: warroom resume v2.4.0-test');
    await screen.press('n');
    await screen.until('Who acknowledges?');
    // Ctrl+C is a key in raw mode, and asks the same way.
    await screen.press('\u0003');
    await screen.until('Quit the console?');
  });
});

describe('renderConsole', () => {
  /** The real console on a fake terminal, at the change freeze, ready for keys. */
  async function consoleAtFreeze() {
    const session = fakeSession();
    await until(session.release.actor, 'acknowledging');
    const terminal = fakeTerminal(80, 24);
    const console = renderConsole(session, { stdout: terminal.stdout, stdin: terminal.stdin });
    await waitFor(() => terminal.text().includes('Who acknowledges?'), 'the first frame');
    await waitFor(() => terminal.stdin.listenerCount('readable') > 0, 'stdin');
    return { session, terminal, console };
  }

  it('q then y leaves a running session with "quit"', async () => {
    const { session, terminal, console } = await consoleAtFreeze();
    terminal.stdin.write('q');
    await waitFor(() => terminal.text().includes('Quit the console?'), 'the quit question');
    terminal.stdin.write('y');
    await expect(console.waitUntilExit()).resolves.toBe('quit');
    expect(session.sent).toEqual([]);
  });

  it('q and y typed fast enough to arrive in one read still ask and then quit', async () => {
    const { session, terminal, console } = await consoleAtFreeze();
    terminal.stdin.write('qy');
    await expect(console.waitUntilExit()).resolves.toBe('quit');
    expect(session.sent).toEqual([]);
  });

  it('after the ending any key leaves with "ended"', async () => {
    const session = fakeSession();
    await walkToSoak(session.release.actor);
    sendSamples(session.release.actor, 'error_ratio', [0.01, 0.01, 0.01]);
    session.release.actor.send(tick(10_000));
    await until(session.release.actor, 'complete');
    const terminal = fakeTerminal(80, 24);
    const console = renderConsole(session, { stdout: terminal.stdout, stdin: terminal.stdin });
    await waitFor(() => terminal.text().includes('Press any key to exit.'), 'the ending');
    await waitFor(() => terminal.stdin.listenerCount('readable') > 0, 'stdin');
    terminal.stdin.write('q');
    await expect(console.waitUntilExit()).resolves.toBe('ended');
  });
});
