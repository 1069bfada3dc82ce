import { afterEach, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  // Ink prints only the last frame when it believes it runs in CI.
  delete process.env.CI;
});

import { cleanup } from 'ink-testing-library';
import { testPlan, until, walkToSoak } from '../machines/harness.js';
import { fakeSession } from './fake-session.js';
import { inputReady, renderScreen } from './screen.js';

afterEach(() => cleanup());

it('rolls back from the running soak window with r, after asking', async () => {
  const session = fakeSession(testPlan());
  await walkToSoak(session.release.actor);
  const screen = renderScreen(session);
  await screen.until('Soak window');
  await inputReady(screen);

  await screen.press('r');
  await screen.until('Roll back checkout-api v2.4.0 now?');
  expect(session.sent).toEqual([]);
  await screen.press('y');
  await until(session.release.actor, 'rolledBack');
  expect(session.sent.map((e) => e.type)).toEqual(['ROLLBACK']);
});

it('declining the stop question leaves the release running', async () => {
  const session = fakeSession(testPlan());
  await walkToSoak(session.release.actor);
  const screen = renderScreen(session);
  await screen.until('Soak window');
  await inputReady(screen);

  await screen.press('x');
  await screen.until('Abort checkout-api v2.4.0 now?');
  await screen.press('n');
  // Wait for the redraw: the frame before it also shows the soak window.
  const frame = await screen.until((f) => !f.includes('Abort checkout-api v2.4.0 now?'));
  expect(frame).toContain('Soak window');
  expect(session.sent).toEqual([]);
  expect(session.release.actor.getSnapshot().matches('stabilisation')).toBe(true);
});
