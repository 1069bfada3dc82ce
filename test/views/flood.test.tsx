import { afterEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  // Ink prints only the last frame when it believes it runs in CI.
  delete process.env.CI;
});

import { cleanup } from 'ink-testing-library';
import { until } from '../machines/harness.js';
import { fakeSession, type FakeSession } from './fake-session.js';
import { inputReady, KEY, lineWidths, renderScreen } from './screen.js';

afterEach(() => cleanup());

const TOTAL = 100_000;
const CHUNK = 1_000;

/** A step printing far faster than a terminal draws: chunks of lines with a breath between them. */
function flood(session: FakeSession) {
  const progress = { pushed: 0 };
  const done = (async () => {
    while (progress.pushed < TOTAL) {
      for (let i = 0; i < CHUNK; i++) {
        progress.pushed += 1;
        session.output.push({ step: 'canary-10', stream: 'stdout', text: `canary-10 line ${progress.pushed} ${'x'.repeat(90)}` });
      }
      await new Promise((resolve) => setTimeout(resolve, 4));
    }
  })();
  return { progress, done };
}

describe('a flood of output', () => {
  it('shows only the tail, redraws per tick not per line, and keys still work while it streams', async () => {
    const session = fakeSession();
    await until(session.release.actor, 'acknowledging');
    const screen = renderScreen(session);
    await screen.until('Who acknowledges?');
    await inputReady(screen);
    const framesBefore = screen.frames.length;

    const { progress, done } = flood(session);
    await screen.until('canary-10 line');

    const asked = Date.now();
    await screen.press('?');
    await screen.until('Help · any key closes');
    const helpAfterMs = Date.now() - asked;
    const pushedWhenHelpOpened = progress.pushed;
    await screen.press('z');
    await screen.until('Who acknowledges?');

    // Answering a prompt mid-flood: pick Sam, type the tag, confirm.
    await screen.press(KEY.enter, 'v2.4.0', KEY.enter);
    await screen.until('Acknowledgement by Sam Okafor sent to the session');
    const pushedWhenAnswered = progress.pushed;

    await done;
    const frame = await screen.until(`canary-10 line ${TOTAL} `);

    expect(pushedWhenHelpOpened).toBeLessThan(TOTAL);
    expect(pushedWhenAnswered).toBeLessThan(TOTAL);
    expect(helpAfterMs).toBeLessThan(1_000);
    expect(session.sent).toMatchObject([{ type: 'ACKNOWLEDGE', acknowledgement: { name: 'Sam Okafor', source: 'console' } }]);

    // Only the tail is on screen, in order, and the frame keeps its size.
    const shown = frame.split('\n').flatMap((l) => /^canary-10 line (\d+) /.exec(l)?.[1] ?? []).map(Number);
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.at(-1)).toBe(TOTAL);
    expect(shown).toEqual(shown.map((_, i) => TOTAL - shown.length + 1 + i));
    expect(frame).toContain(`${TOTAL} line(s) · following`);
    expect(frame.split('\n')).toHaveLength(23);
    expect(Math.max(...lineWidths(frame))).toBeLessThanOrEqual(80);

    // React saw a handful of updates (ticks and keys), never one per line.
    expect(screen.frames.length - framesBefore).toBeLessThan(300);
  });
});
