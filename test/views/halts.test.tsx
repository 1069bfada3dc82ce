import { afterEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  // Ink prints only the last frame when it believes it runs in CI.
  delete process.env.CI;
});

import { cleanup } from 'ink-testing-library';
import { acknowledgeFreeze, approveProduction, sendSamples, testPlan, tick, until, walkPastCanaryPause, walkToSoak } from '../machines/harness.js';
import { fakeSession } from './fake-session.js';
import { flat, inputReady, KEY, renderScreen } from './screen.js';

afterEach(() => cleanup());

const missing = [{ id: 'a', kind: 'artifact' as const, name: 'UAT-CLOSURE-PACKAGE.zip', status: 'fail' as const, detail: 'missing' }];

describe('halt decisions at the console', () => {
  it('waives a halted step: picks an approving stakeholder, asks for a reason, and the chart moves on', async () => {
    const session = fakeSession(testPlan(), { readiness: missing });
    await until(session.release.actor, 'validateEvidence.halted');
    const screen = renderScreen(session);
    await screen.until('What now?');
    await inputReady(screen);

    await screen.press('2');
    // Under four eyes the operator cannot waive: only the other approvers are offered.
    const picker = await screen.until('Who waives?');
    expect(picker).toContain('1 Priya Raman (product-owner, priya)');
    expect(picker).toContain('2 Sam Okafor (sre, sam)');
    expect(picker).not.toContain('Olive Operator');

    await screen.press(KEY.enter);
    await screen.until('Reason for the waiver by Priya Raman');
    await screen.press(KEY.enter);
    await screen.until('a reason is required; it goes into the report');
    expect(session.sent).toEqual([]);

    await screen.press('UAT signed on paper, scan follows', KEY.enter);
    await until(session.release.actor, 'acknowledging');
    await screen.until('Waiver by Priya Raman sent to the session');
    expect(session.sent).toMatchObject([{ type: 'WAIVE', by: { name: 'Priya Raman', role: 'product-owner', user: 'priya', source: 'console' }, reason: 'UAT signed on paper, scan follows' }]);
    expect(session.getSnapshot().context.waivers).toMatchObject([{ step: 'Validate pre-deployment evidence', reason: 'UAT signed on paper, scan follows' }]);
  });

  it('retries a halted step at once', async () => {
    let attempts = 0;
    const session = fakeSession(testPlan(), {
      get readiness() {
        attempts += 1;
        return attempts === 1 ? missing : [{ ...missing[0]!, status: 'pass' as const }];
      },
    });
    await until(session.release.actor, 'validateEvidence.halted');
    const screen = renderScreen(session);
    await screen.until('What now?');
    await inputReady(screen);
    await screen.press(KEY.enter);
    await until(session.release.actor, 'acknowledging');
    expect(session.sent).toMatchObject([{ type: 'RETRY', by: { user: 'operator', source: 'console' } }]);
  });

  it('offers retry, roll back and abort for a failed deployment step; r asks before rolling back', async () => {
    const session = fakeSession(testPlan(), { command: (input) => (input.name === 'promote-100' ? 1 : 0) });
    await walkPastCanaryPause(session.release.actor);
    await until(session.release.actor, 'deploying.halted');
    const screen = renderScreen(session);
    const frame = await screen.until('Halted at Deployment step');
    expect(flat(frame)).toContain('Reason: promote-100 failed: exit code 1');
    expect(frame).toMatch(/1 Retry\s+2 Roll back\s+3 Abort/);
    expect(frame).not.toContain('Waive');
    expect(frame).toContain('r roll back');
    await inputReady(screen);

    await screen.press('r');
    await screen.until('Roll back checkout-api v2.4.0 now? y confirm · n cancel');
    await screen.press('n');
    await screen.until('What now?');
    expect(session.sent).toEqual([]);

    await screen.press('r', 'y');
    await until(session.release.actor, 'rolledBack');
    await screen.until('Rolled back checkout-api v2.4.0');
    expect(session.sent).toMatchObject([{ type: 'ROLLBACK', by: { user: 'operator', source: 'console' } }]);
  });

  it('x asks before aborting, then the chart ends aborted', async () => {
    const session = fakeSession(testPlan(), { readiness: missing });
    await until(session.release.actor, 'validateEvidence.halted');
    const screen = renderScreen(session);
    await screen.until('What now?');
    await inputReady(screen);
    await screen.press('x');
    await screen.until('Abort checkout-api v2.4.0 now? y confirm');
    await screen.press('y');
    await until(session.release.actor, 'aborted');
    const frame = await screen.until('Aborted checkout-api v2.4.0');
    expect(flat(frame)).toContain('At Validate pre-deployment evidence, by Olive Operator: aborted at the console.');
    expect(frame).toContain('✘ Aborted');
  });

  it('says when r cannot roll back now instead of doing nothing', async () => {
    const session = fakeSession();
    await until(session.release.actor, 'acknowledging');
    const screen = renderScreen(session);
    await screen.until('Who acknowledges?');
    await inputReady(screen);
    await screen.press('r');
    await screen.until('Roll back is offered when the session halts at a step that allows it');
    expect(session.sent).toEqual([]);
  });

  it('offers to extend the soak window when Gate 4 is inconclusive', async () => {
    const session = fakeSession();
    await walkToSoak(session.release.actor);
    sendSamples(session.release.actor, 'error_ratio', [0.01]);
    session.release.actor.send(tick(10_000));
    await until(session.release.actor, 'reportingGate.halted');
    const screen = renderScreen(session);
    const frame = await screen.until('Halted at Gate 4');
    expect(flat(frame)).toContain('Stabilization & Reporting Gate is inconclusive');
    expect(flat(frame)).toContain('Metric error_ratio: 1 samples, 0 breaches, last 0.01 (needs error_ratio ≤ 0.05, ≥ 3 samples)');
    expect(frame).toContain('G4 ? inconclusive');
    expect(frame).toContain('Extend soak');
    await inputReady(screen);
    const position = /(\d) Extend soak/.exec(frame)![1]!;
    await screen.press(position);
    await until(session.release.actor, 'extendedSoak');
    expect(session.sent).toMatchObject([{ type: 'EXTEND_SOAK' }]);
  });

  it('aborting a failed rollback under four eyes needs a second person, picked at the prompt', async () => {
    const session = fakeSession(testPlan({ rollback: { run: ['rollback'], auto: false } }), { command: (input) => (input.kind === 'rollback' || input.name === 'canary-10' ? 1 : 0) });
    await acknowledgeFreeze(session.release.actor);
    await approveProduction(session.release.actor);
    await until(session.release.actor, 'deploying.halted');
    session.release.actor.send({ type: 'ROLLBACK' });
    await until(session.release.actor, 'rollingBack.halted');
    const screen = renderScreen(session);
    await screen.until('Halted at Rollback');
    await inputReady(screen);
    await screen.press('x');
    const picker = await screen.until('Who aborts?');
    expect(picker).not.toContain('Olive Operator');
    await screen.press('1');
    await screen.until('Abort checkout-api v2.4.0 now, by Priya Raman? y confirm');
    await screen.press('y');
    await until(session.release.actor, 'aborted');
    expect(session.sent).toMatchObject([{ type: 'ABORT', by: { name: 'Priya Raman', source: 'console' } }]);
  });
});
