import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';

const saved = vi.hoisted(() => {
  // Ink prints only the last frame when it believes it runs in CI; colour is forced
  // so that a frame without escape bytes proves the theme, not a colourless test runner.
  const before = { CI: process.env.CI, FORCE_COLOR: process.env.FORCE_COLOR, NO_COLOR: process.env.NO_COLOR };
  delete process.env.CI;
  process.env.FORCE_COLOR = '1';
  return before;
});

import { cleanup } from 'ink-testing-library';
import { renderConsole } from '../../views/index.js';
import { colourTheme, plainTheme, themeFor } from '../../views/theme.js';
import { checkResult, testPlan, until, walkPastCanaryPause } from '../machines/harness.js';
import { fakeSession } from './fake-session.js';
import { fakeTerminal, renderScreen } from './screen.js';

afterEach(() => cleanup());
afterAll(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

const ESC = '\u001B';
const missing = [{ id: 'a', kind: 'artifact' as const, name: 'UAT-CLOSURE-PACKAGE.zip', status: 'fail' as const, detail: 'missing' }];

describe('colour carries meaning, and NO_COLOR is honoured', () => {
  it('chooses the plain theme when NO_COLOR is set and not empty', () => {
    expect(themeFor({ NO_COLOR: '1' })).toBe(plainTheme);
    expect(themeFor({ NO_COLOR: '' })).toBe(colourTheme);
    expect(themeFor({})).toBe(colourTheme);
  });

  it('colours a failed gate and a halt with the colour theme', async () => {
    const session = fakeSession(testPlan({ rollback: { run: ['rollback'], auto: false } }), { checks: (input) => input.checks.map((c) => checkResult(c.name, false)) });
    await walkPastCanaryPause(session.release.actor);
    await until(session.release.actor, 'launchGate.halted');
    const screen = renderScreen(session, { theme: colourTheme });
    await screen.until('Halted at Gate 3');
    expect(screen.lastFrame()).toContain(ESC);
  });

  it('without colour, a frame carries no escape bytes and still says pass and fail', async () => {
    const session = fakeSession(testPlan({ rollback: { run: ['rollback'], auto: false } }), { checks: (input) => input.checks.map((c) => checkResult(c.name, false)) });
    session.output.push({ step: 'canary-10', stream: 'stdout', text: `${ESC}[32mdeployed${ESC}[39m canary` });
    await walkPastCanaryPause(session.release.actor);
    await until(session.release.actor, 'launchGate.halted');
    const screen = renderScreen(session, { theme: plainTheme });
    await screen.until('Halted at Gate 3');
    const frame = screen.lastFrame()!;
    expect(frame).not.toContain(ESC);
    expect(frame).toContain('G1 ✔ pass');
    expect(frame).toContain('G3 ✘ fail');
    expect(frame).toContain('✘ Validation success rate: 0% (0/1) (needs ≥ 95.0%)');
    expect(frame).toContain('deployed canary');
    expect(frame).toContain('▸1 Retry');
  });

  it('renderConsole writes no colour at all when NO_COLOR is set', async () => {
    process.env.NO_COLOR = '1';
    try {
      const session = fakeSession(testPlan(), { readiness: missing });
      await until(session.release.actor, 'validateEvidence.halted');
      const terminal = fakeTerminal(80, 24);
      const console = renderConsole(session, { stdout: terminal.stdout, stdin: terminal.stdin });
      const deadline = Date.now() + 3_000;
      while (!terminal.text().includes('What now?') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      console.unmount();
      const written = terminal.stdout.writes.join('');
      expect(written).toContain('What now?');
      // Cursor movement is how a terminal UI redraws; colour (SGR, ESC [ … m) is what NO_COLOR forbids.
      expect(written).not.toMatch(/\u001B\[[0-9;]*m/);
    } finally {
      delete process.env.NO_COLOR;
    }
  });
});
