import { afterEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  // Ink prints only the last frame when it believes it runs in CI.
  delete process.env.CI;
});

import { cleanup } from 'ink-testing-library';
import { until, walkToApproval } from '../machines/harness.js';
import { fakeSession } from './fake-session.js';
import { flat, inputReady, KEY, renderScreen } from './screen.js';

afterEach(() => cleanup());

describe('production approval at the console', () => {
  it('sends APPROVAL from the console after picking Priya and typing the tag, and the chart moves on', async () => {
    const session = fakeSession();
    await walkToApproval(session.release.actor);
    const screen = renderScreen(session);
    await screen.until('Who approves?');
    await inputReady(screen);

    await screen.press(KEY.enter);
    await screen.until('approve as Priya Raman: type the release tag v2.4.0');
    await screen.press('v2.4.0', KEY.enter);
    await screen.until('Approval by Priya Raman sent to the session');

    expect(session.sent).toMatchObject([
      { type: 'APPROVAL', approval: { for: 'production', name: 'Priya Raman', role: 'product-owner', user: 'priya', decision: 'approve', source: 'console' } },
    ]);
    // Priya's role is answered: the prompt now offers only the sre approvers.
    const frame = await screen.until((f) => f.includes('Who approves?') && !f.includes('Priya Raman (product-owner, priya)'));
    expect(flat(frame)).toContain('Sam Okafor (sre, sam)');
    expect(flat(frame)).toContain('approved by Priya Raman (product-owner, console)');

    await screen.press(KEY.enter, 'v2.4.0', KEY.enter);
    await until(session.release.actor, 'pausing');
    await screen.until('Pause after canary-10');
    expect(session.getSnapshot().context.approvals.map((a) => [a.name, a.source])).toEqual([
      ['Priya Raman', 'console'],
      ['Sam Okafor', 'console'],
    ]);
  });

  it('refuses a wrong tag with a message and sends nothing', async () => {
    const session = fakeSession();
    await walkToApproval(session.release.actor);
    const screen = renderScreen(session);
    await screen.until('Who approves?');
    await inputReady(screen);

    await screen.press(KEY.enter, 'v2.3.0', KEY.enter);
    await screen.until('"v2.3.0" is not the release tag v2.4.0; nothing was sent');
    expect(session.sent).toEqual([]);
    expect(session.getSnapshot().hasTag('awaiting-approval')).toBe(true);

    // Still asking: the right tag goes through.
    await screen.press('v2.4.0', KEY.enter);
    await screen.until('Approval by Priya Raman sent');
  });

  it('picks the approver by number and goes back with Esc', async () => {
    const session = fakeSession();
    await walkToApproval(session.release.actor);
    const screen = renderScreen(session);
    await screen.until('Who approves?');
    await inputReady(screen);
    await screen.press('2');
    await screen.until('approve as Sam Okafor');
    await screen.press(KEY.escape);
    await screen.until('Who approves?');
    await screen.press(KEY.down, KEY.down, KEY.enter);
    await screen.until('approve as Olive Operator');
  });

  it('records a refusal with its reason, and the chart halts naming who refused', async () => {
    const session = fakeSession();
    await walkToApproval(session.release.actor);
    const screen = renderScreen(session);
    await screen.until('Who approves?');
    await inputReady(screen);
    await screen.press('n');
    await screen.until('Why does Priya Raman refuse');
    await screen.press('QA sign-off missing', KEY.enter);
    const frame = await screen.until('Halted at Production approval');
    expect(flat(frame)).toContain('production deployment rejected by Priya Raman (product-owner): QA sign-off missing');
    expect(session.sent).toMatchObject([{ type: 'APPROVAL', approval: { decision: 'reject', reason: 'QA sign-off missing', source: 'console' } }]);
  });
});

describe('change freeze acknowledgement at the console', () => {
  it('acknowledges by picking the stakeholder and typing the tag; names who is still outstanding', async () => {
    const session = fakeSession();
    await until(session.release.actor, 'acknowledging');
    const screen = renderScreen(session);
    let frame = await screen.until('Who acknowledges?');
    expect(flat(frame)).toContain('waiting for acknowledgements from sre (Sam Okafor or Olive Operator), qa (Dana Ortiz)');
    await inputReady(screen);

    await screen.press(KEY.enter, 'v2.4.0', KEY.enter);
    frame = await screen.until('acknowledged by Sam Okafor (sre, console)');
    expect(flat(frame)).toContain('waiting for acknowledgements from qa (Dana Ortiz)');
    expect(session.sent).toMatchObject([{ type: 'ACKNOWLEDGE', acknowledgement: { for: 'freeze', name: 'Sam Okafor', role: 'sre', source: 'console' } }]);

    await screen.press(KEY.enter, 'v2.4.1', KEY.enter);
    await screen.until('"v2.4.1" is not the release tag v2.4.0');
    expect(session.sent).toHaveLength(1);
    await screen.press('v2.4.0', KEY.enter);
    await until(session.release.actor, 'approval.waiting');
    await screen.until('Who approves?');
  });
});
