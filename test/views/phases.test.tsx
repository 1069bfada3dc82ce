import { afterEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  // Ink prints only the last frame when it believes it runs in CI.
  delete process.env.CI;
});

import { cleanup } from 'ink-testing-library';
import { checkResult, sendSamples, testPlan, tick, until, walkPastCanaryPause, walkToApproval, walkToSoak } from '../machines/harness.js';
import { fakeSession } from './fake-session.js';
import { flat, lineWidths, renderScreen } from './screen.js';

afterEach(() => cleanup());

const missing = [{ id: 'a', kind: 'artifact' as const, name: 'UAT-CLOSURE-PACKAGE.zip', status: 'fail' as const, detail: 'missing' }];

/** The whole frame one line shorter than the terminal, and no line wider than it. */
function expectFits(frame: string, columns = 80, rows = 24) {
  expect(frame.split('\n')).toHaveLength(rows - 1);
  expect(Math.max(...lineWidths(frame))).toBeLessThanOrEqual(columns);
}

describe('a frame for each phase, at 80x24', () => {
  it('Phase 1: a failed evidence check halts, says why and offers what the step allows', async () => {
    const session = fakeSession(testPlan(), { readiness: missing });
    await until(session.release.actor, 'validateEvidence.halted');
    const frame = await renderScreen(session).until('Halted at Validate pre-deployment evidence');
    expectFits(frame);
    expect(frame).toContain('Phase 1/4 Readiness');
    expect(frame).toContain('✘ 1 Readiness');
    expect(flat(frame)).toContain('Reason: UAT-CLOSURE-PACKAGE.zip: missing');
    expect(frame).toMatch(/1 Retry\s+2 Waive…\s+3 Abort/);
    expect(frame).not.toContain('Roll back');
    expect(frame).toContain('[WARROOM | PHASE 1 START]');
  });

  it('Phase 2: the change freeze names every stakeholder who has not acknowledged', async () => {
    const session = fakeSession();
    await until(session.release.actor, 'acknowledging');
    const frame = await renderScreen(session).until('Who acknowledges?');
    expectFits(frame);
    expect(frame).toContain('Phase 2/4 Staging & freeze');
    expect(frame).toContain('G1 ✔ pass');
    expect(flat(frame)).toContain('waiting for acknowledgements from sre (Sam Okafor or Olive Operator), qa (Dana Ortiz)');
    expect(flat(frame)).toContain('Rule: every role acknowledges (sre, qa); times out in 30m');
  });

  it('Phase 3: the approval prompt says who it waits for and lists the approvers', async () => {
    const session = fakeSession();
    await walkToApproval(session.release.actor);
    session.output.push({ step: 'dry-run', stream: 'stdout', text: 'dry run: would deploy canary-10' });
    const frame = await renderScreen(session).until('Who approves?');
    expectFits(frame);
    expect(flat(frame)).toContain('waiting for product-owner (Priya Raman), sre (Sam Okafor or Olive Operator)');
    expect(frame).toContain('1 Priya Raman (product-owner, priya)');
    expect(frame).toContain('Output · dry-run · 1 line(s) · following');
    expect(frame).toContain('dry run: would deploy canary-10');
  });

  it('Phase 3: the deployment shows its progress, the pause countdown and the step output', async () => {
    const session = fakeSession();
    await walkToApproval(session.release.actor);
    session.release.actor.send({ type: 'APPROVAL', approval: { for: 'production', name: 'Priya Raman', role: 'product-owner', user: 'priya', decision: 'approve', at: 'now', source: 'console' } });
    session.release.actor.send({ type: 'APPROVAL', approval: { for: 'production', name: 'Sam Okafor', role: 'sre', user: 'sam', decision: 'approve', at: 'now', source: 'console' } });
    await until(session.release.actor, 'pausing');
    for (let i = 1; i <= 40; i++) session.output.push({ step: 'canary-10', stream: 'stdout', text: `canary-10: pod ${i}/40 ready` });
    const frame = await renderScreen(session).until('Pause after canary-10');
    expectFits(frame);
    expect(frame).toContain('[█████░░░░░] 1/2 steps');
    expect(frame).toContain('Pause after canary-10: 2s left, then canary analysis of error_ratio');
    expect(frame).toContain('canary-10: pod 40/40 ready');
    expect(frame).not.toContain('pod 1/40 ready');
  });

  it('Phase 4: the soak window shows value, threshold, sparkline and countdown', async () => {
    const session = fakeSession();
    await walkToSoak(session.release.actor);
    sendSamples(session.release.actor, 'error_ratio', [0.01, 0.02, 0.015]);
    session.release.actor.send(tick(4_000));
    const frame = await renderScreen(session).until('soak window');
    expectFits(frame);
    expect(frame).toContain('Phase 4/4 Stabilisation');
    expect(frame).toMatch(/✔ error_ratio ≤ 0\.05\s+now\s+0\.015 ▁█▄ ok/);
    expect(frame).toContain('Metrics · soak window 3s left');
    expect(frame).toContain('G3 ✔ pass');
  });

  it('Phase 4: a breach is highlighted as such', async () => {
    const session = fakeSession(testPlan({ rollback: { run: ['rollback'], auto: false } }));
    await walkToSoak(session.release.actor);
    sendSamples(session.release.actor, 'error_ratio', [0.01, 0.3]);
    await until(session.release.actor, 'stabilisation.halted');
    const frame = await renderScreen(session).until('Halted at Health window');
    expectFits(frame);
    expect(frame).toMatch(/✘ error_ratio ≤ 0\.05\s+now\s+0\.3 ▁█ BREACH/);
    expect(flat(frame)).toContain('health window breach: error_ratio = 0.3 breaches its threshold (max 0.05)');
    expect(frame).toMatch(/Retry\s+\d Waive…\s+\d Roll back\s+\d Abort/);
  });

  it('the ending: released, with the evidence folder; any key leaves', async () => {
    const session = fakeSession();
    await walkToSoak(session.release.actor);
    sendSamples(session.release.actor, 'error_ratio', [0.01, 0.01, 0.01]);
    session.release.actor.send(tick(10_000));
    await until(session.release.actor, 'complete');
    const frame = await renderScreen(session).until('Released checkout-api v2.4.0 to production');
    expectFits(frame);
    expect(frame).toContain('G4 ✔ pass');
    expect(frame).toContain('Evidence: /evidence/checkout-api');
    expect(frame).toContain('any key exit');
  });

  it('the ending: rolled back after a failed launch gate, with the reason', async () => {
    const session = fakeSession(testPlan(), { checks: (input) => input.checks.map((c) => checkResult(c.name, input.stage === 'rollback')) });
    await walkPastCanaryPause(session.release.actor);
    await until(session.release.actor, 'rolledBack');
    const frame = await renderScreen(session).until('Rolled back checkout-api v2.4.0');
    expectFits(frame);
    expect(frame).toContain('G3 ✘ fail');
    expect(flat(frame)).toContain('Why: Production Launch Gate failed. Escalated to Protocol 20.');
  });
});

describe('the layout uses the room it has', () => {
  it('puts the metrics beside the output and shows more lines on a 120x40 terminal', async () => {
    const session = fakeSession();
    await walkToSoak(session.release.actor);
    sendSamples(session.release.actor, 'error_ratio', [0.01]);
    for (let i = 1; i <= 60; i++) session.output.push({ step: 'promote-100', stream: 'stdout', text: `line ${i}` });
    const frame = await renderScreen(session, { columns: 120, rows: 40 }).until('line 60');
    expectFits(frame, 120, 40);
    expect(frame).toMatch(/Output · promote-100 .*Metrics/);
    expect(frame.split('\n').filter((l) => /^line \d+/.test(l)).length).toBeGreaterThan(20);
  });

  it('follows a terminal resize', async () => {
    const session = fakeSession();
    await until(session.release.actor, 'acknowledging');
    const screen = renderScreen(session, { terminal: true });
    // ink-testing-library's stdout has no rows: the console assumes 24 until told otherwise.
    expectFits(await screen.until('Who acknowledges?'), 100, 24);
    Object.defineProperty(screen.stdout, 'rows', { value: 36, configurable: true });
    screen.stdout.emit('resize');
    const taller = await screen.until((f) => f.split('\n').length === 35);
    expectFits(taller, 100, 36);
  });
});
