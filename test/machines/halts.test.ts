import { describe, expect, it } from 'vitest';
import type { Person } from '../../machines/types.js';
import { acknowledge, acknowledgeFreeze, approve, approveProduction, checkResult, sendSamples, sendUnreadableSamples, startRelease, testPlan, tick, until, walkPastCanaryPause, walkToApproval, walkToSoak } from './harness.js';

const priya: Person = { name: 'Priya Raman', role: 'product-owner', user: 'priya', source: 'console' };
const operatorAsSre: Person = { name: 'Olive Operator', role: 'sre', user: 'operator', source: 'console' };

const missing = [{ id: 'a', kind: 'artifact' as const, name: 'UAT-CLOSURE-PACKAGE.zip', status: 'fail' as const, detail: 'missing' }];

describe('Phase 1 halts', () => {
  it('halts when a prerequisite artifact is missing and names it', async () => {
    const { actor, announcements } = startRelease(testPlan(), { readiness: missing });
    const halted = await until(actor, 'validateEvidence.halted');
    expect(halted.hasTag('halted')).toBe(true);
    expect(announcements().at(-1)).toBe('[WARROOM ERROR] - "Failed at Validate pre-deployment evidence. Reason: UAT-CLOSURE-PACKAGE.zip: missing. Awaiting instructions."');
    expect(halted.can({ type: 'ROLLBACK' })).toBe(false);
  });

  it('retries the evidence check and continues once the artifact is there', async () => {
    let attempts = 0;
    const { actor } = startRelease(testPlan(), {
      get readiness() {
        attempts += 1;
        return attempts === 1 ? missing : [{ ...missing[0]!, status: 'pass' as const, detail: 'zip' }];
      },
    });
    await until(actor, 'validateEvidence.halted');
    actor.send({ type: 'RETRY' });
    await until(actor, 'acknowledging');
    expect(actor.getSnapshot().context.halts.map((h) => h.resolution)).toEqual(['retry']);
  });

  it('accepts a waiver from an approver other than the operator, with a reason, and records it', async () => {
    const { actor } = startRelease(testPlan(), { readiness: missing });
    await until(actor, 'validateEvidence.halted');
    expect(actor.getSnapshot().can({ type: 'WAIVE', by: priya, reason: '' })).toBe(false);
    expect(actor.getSnapshot().can({ type: 'WAIVE', by: operatorAsSre, reason: 'I say so' })).toBe(false);
    actor.send({ type: 'WAIVE', by: priya, reason: 'UAT signed on paper, scan follows' });
    const snapshot = await until(actor, 'acknowledging');
    expect(snapshot.context.waivers).toMatchObject([{ step: 'Validate pre-deployment evidence', reason: 'UAT signed on paper, scan follows' }]);
    expect(snapshot.context.gates.readiness?.verdict).toBe('pass');
  });

  it('halts outside the deployment window', async () => {
    const plan = testPlan({ window: { start: '2026-11-25T02:00:00Z', end: '2026-11-25T04:00:00Z' } });
    const { actor } = startRelease(plan);
    const halted = await until(actor, 'deploymentWindow.halted');
    expect(halted.context.halt?.reason).toContain('outside the deployment window');
  });

  it('aborts from a halt and still lifts nothing it never locked', async () => {
    const { actor, commands } = startRelease(testPlan(), { readiness: missing });
    await until(actor, 'validateEvidence.halted');
    actor.send({ type: 'ABORT', reason: 'rescheduled' });
    const final = await until(actor, 'aborted');
    expect(final.status).toBe('done');
    expect(commands).toHaveLength(0);
  });
});

describe('Phase 2 halts', () => {
  it('halts when a staging check fails', async () => {
    const { actor } = startRelease(testPlan({ staging: { checks: [{ name: 'staging-smoke', run: ['x'] }] } }), {
      checks: (input) => input.checks.map((c) => checkResult(c.name, input.stage !== 'staging')),
    });
    const halted = await until(actor, 'reconfirmStaging.halted');
    expect(halted.context.halt?.reason).toBe('staging validation failed: staging-smoke (exit 1)');
  });

  it('halts when the freeze lock command fails', async () => {
    const { actor } = startRelease(testPlan(), { command: (input) => (input.kind === 'freeze-lock' ? 1 : 0) });
    const halted = await until(actor, 'lockHalted');
    expect(halted.context.halt?.reason).toBe('freeze-lock failed: exit code 1');
  });

  it('ignores an acknowledgement from someone who does not hold the role', async () => {
    const { actor } = startRelease();
    await until(actor, 'acknowledging');
    const impostor = acknowledge('Mallory', 'qa', 'mallory');
    expect(actor.getSnapshot().can(impostor)).toBe(false);
  });

  it('halts naming the missing acknowledgements when the timeout passes', async () => {
    const { actor } = startRelease();
    await until(actor, 'acknowledging');
    actor.send(acknowledge('Sam Okafor', 'sre', 'sam'));
    actor.send(tick(31 * 60_000));
    const halted = await until(actor, 'changeFreeze.halted');
    expect(halted.context.halt?.reason).toBe('no acknowledgement within 30m from qa (Dana Ortiz)');
    expect(halted.can(acknowledge('Dana Ortiz', 'qa', 'dana'))).toBe(false);
  });

  it('halts when the dry run fails and can be waived', async () => {
    const { actor } = startRelease(testPlan(), { command: (input) => (input.kind === 'dry-run' ? 2 : 0) });
    await acknowledgeFreeze(actor);
    await until(actor, 'dryRun.halted');
    actor.send({ type: 'WAIVE', by: priya, reason: 'dry-run flag unsupported by this tool version' });
    await until(actor, 'approval.waiting');
  });
});

describe('Phase 3', () => {
  it('halts on a rejected approval', async () => {
    const release = startRelease();
    await walkToApproval(release.actor);
    release.actor.send(approve('Priya Raman', 'product-owner', 'priya', 'reject'));
    const halted = await until(release.actor, 'approval.halted');
    expect(halted.context.halt?.reason).toBe('production deployment rejected by Priya Raman (product-owner)');
    expect(halted.context.productionStarted).toBe(false);
  });

  it('does not approve when only the operator approved under separation of duties', async () => {
    const release = startRelease(testPlan({ approvals: { production: ['sre'], separationOfDuties: true } }));
    await walkToApproval(release.actor);
    release.actor.send(approve('Olive Operator', 'sre', 'operator'));
    await new Promise((r) => setImmediate(r));
    expect(release.actor.getSnapshot().hasTag('awaiting-approval')).toBe(true);
    release.actor.send({ type: 'HALT', reason: 'nobody else to ask' });
    await until(release.actor, 'approval.halted');
  });

  it('halts when approval times out and refuses the late answer', async () => {
    const release = startRelease();
    await walkToApproval(release.actor);
    release.actor.send(tick(31 * 60_000));
    const halted = await until(release.actor, 'approval.halted');
    expect(halted.context.halt?.reason).toContain('no approval within 30m');
    expect(halted.can(approve('Priya Raman', 'product-owner', 'priya'))).toBe(false);
  });

  it('offers retry, roll back and abort — not waive — when a deployment step fails', async () => {
    const release = startRelease(testPlan(), { command: (input) => (input.name === 'promote-100' ? 1 : 0) });
    await walkPastCanaryPause(release.actor);
    const halted = await until(release.actor, 'deploying.halted');
    expect(halted.can({ type: 'WAIVE', by: priya, reason: 'x' })).toBe(false);
    expect(halted.can({ type: 'RETRY' })).toBe(true);
    release.actor.send({ type: 'ROLLBACK' });
    const final = await until(release.actor, 'rolledBack');
    expect(release.commands.map((c) => c.name)).toEqual(['freeze-lock', 'dry-run', 'canary-10', 'promote-100', 'rollback', 'freeze-unlock']);
    expect(final.context.outcome).toBe('rolled-back');
  });

  it('halts the canary analysis on a breach', async () => {
    const release = startRelease(testPlan(), { samples: (metrics) => metrics.map((m) => ({ metric: m.name, at: 'now', value: 0.3 })) });
    await walkPastCanaryPause(release.actor);
    const halted = await until(release.actor, 'analysisHalted');
    expect(halted.context.halt?.reason).toBe('analysis after canary-10: error_ratio = 0.3 (max 0.05)');
  });

  it('rolls back automatically when the launch gate fails and rollback.auto is on', async () => {
    const release = startRelease(testPlan(), { checks: (input) => input.checks.map((c) => checkResult(c.name, input.stage === 'rollback')) });
    await walkPastCanaryPause(release.actor);
    const final = await until(release.actor, 'rolledBack');
    expect(final.context.gates.launch?.verdict).toBe('fail');
    expect(final.context.rollback?.reason).toBe('Production Launch Gate failed');
    expect(release.announcements()).toContain('[WARROOM | ESCALATION] Escalating to Protocol 20: Production Launch Gate failed');
  });

  it('asks before rolling back when rollback.auto is off', async () => {
    const release = startRelease(testPlan({ rollback: { run: ['rollback'], auto: false } }), { checks: (input) => input.checks.map((c) => checkResult(c.name, false)) });
    await walkPastCanaryPause(release.actor);
    const halted = await until(release.actor, 'launchGate.halted');
    expect(halted.can({ type: 'ROLLBACK' })).toBe(true);
  });
});

describe('Phase 4', () => {
  it('rolls back on a metric breach in the soak window', async () => {
    const release = startRelease();
    await walkToSoak(release.actor);
    sendSamples(release.actor, 'error_ratio', [0.2]);
    const final = await until(release.actor, 'rolledBack');
    expect(final.context.rollback?.reason).toBe('health window breach: error_ratio = 0.2 breaches its threshold (max 0.05) for 1 sample(s)');
  });

  it('counts three unreadable samples in a row as a breach: metrics provider down', async () => {
    const release = startRelease(testPlan({ rollback: { run: ['rollback'], auto: false } }));
    await walkToSoak(release.actor);
    sendUnreadableSamples(release.actor, 'error_ratio', 'connection refused', 3);
    const halted = await until(release.actor, 'stabilisation.halted');
    expect(halted.context.halt?.reason).toBe('health window breach: error_ratio: metrics provider down: connection refused');
  });

  it('leaves Gate 4 inconclusive with fewer than 3 samples and offers to extend the window', async () => {
    const release = startRelease();
    await walkToSoak(release.actor);
    sendSamples(release.actor, 'error_ratio', [0.01]);
    release.actor.send(tick(10_000));
    const halted = await until(release.actor, 'reportingGate.halted');
    expect(halted.context.gates.reporting?.verdict).toBe('inconclusive');
    release.actor.send({ type: 'EXTEND_SOAK' });
    await until(release.actor, 'extendedSoak');
    sendSamples(release.actor, 'error_ratio', [0.01, 0.01]);
    release.actor.send(tick(20_000));
    const final = await until(release.actor, 'complete');
    expect(final.context.soak?.extensions).toBe(1);
  });
});

describe('rollback', () => {
  it('halts when the rollback command fails; aborting it then needs a second person', async () => {
    const release = startRelease(testPlan({ rollback: { run: ['rollback'], auto: false } }), { command: (input) => (input.kind === 'rollback' || input.name === 'canary-10' ? 1 : 0) });
    await acknowledgeFreeze(release.actor);
    await approveProduction(release.actor);
    await until(release.actor, 'deploying.halted');
    release.actor.send({ type: 'ROLLBACK' });
    const halted = await until(release.actor, 'rollingBack.halted');
    expect(halted.can({ type: 'ABORT', by: operatorAsSre })).toBe(false);
    expect(halted.can({ type: 'ABORT', by: priya })).toBe(true);
  });
});

describe('an answer counts once', () => {
  it('refuses a second approval from the same person in the same round (a file offered again after a resume)', async () => {
    const { actor } = startRelease();
    await acknowledgeFreeze(actor);
    await until(actor, 'approval.waiting');
    actor.send(approve('Priya Raman', 'product-owner', 'priya'));
    const again = approve('Priya Raman', 'product-owner', 'priya');
    expect(actor.getSnapshot().can(again)).toBe(false);
    actor.send(again);
    expect(actor.getSnapshot().context.approvals.map((a) => a.user)).toEqual(['priya']);
  });
});
