import { describe, expect, it } from 'vitest';
import { approval, startRelease, testPlan, until, walkToSoak } from './harness.js';

describe('scope, freeze and endings', () => {
  it('halts when the scope is unclear, naming what is missing', async () => {
    const { actor } = startRelease(testPlan(), {
      scope: [{ id: 'scope:Rollback command', kind: 'scope', name: 'Rollback command', status: 'fail', detail: 'rollback.sh: not found or not executable' }],
    });
    const halted = await until(actor, 'confirmScope.halted');
    expect(halted.context.halt?.reason).toBe('Rollback command: rollback.sh: not found or not executable');
  });

  it('halts the freeze when nobody can be asked, and lifts the freeze lock on abort', async () => {
    const { actor, commands } = startRelease();
    await until(actor, 'acknowledging');
    actor.send({ type: 'HALT', reason: 'no one to ask in headless mode' });
    await until(actor, 'changeFreeze.halted');
    actor.send({ type: 'ABORT', reason: 'freeze could not be confirmed' });
    const final = await until(actor, 'aborted');
    expect(commands.map((c) => c.name)).toEqual(['freeze-lock', 'freeze-unlock']);
    expect(final.context.freezeLocked).toBe(false);
    expect(final.context.decisions.map((d) => d.kind)).toEqual(['abort']);
  });

  it('halts the freeze when a stakeholder refuses to acknowledge, and asks again on retry', async () => {
    const { actor } = startRelease();
    await until(actor, 'acknowledging');
    actor.send({ type: 'ACKNOWLEDGE', acknowledgement: { ...approval('Dana Ortiz', 'qa', 'dana', 'reject', 'freeze'), reason: 'QA regression open' } });
    const halted = await until(actor, 'changeFreeze.halted');
    expect(halted.context.halt?.reason).toBe('freeze not acknowledged by Dana Ortiz (qa): QA regression open');
    actor.send({ type: 'RETRY' });
    const waiting = await until(actor, 'acknowledging');
    expect(waiting.context.acknowledgements).toEqual([]);
  });

  it('halts for good when evidence cannot be written', async () => {
    const { actor } = startRelease();
    await until(actor, 'acknowledging');
    actor.send({ type: 'EVIDENCE_FAILED', path: 'change-freeze-confirmation.md', error: 'ENOSPC: no space left on device' });
    const halted = await until(actor, 'evidenceFailed');
    expect(halted.hasTag('halted')).toBe(true);
    expect(halted.context.halt?.reason).toBe('could not write change-freeze-confirmation.md: ENOSPC: no space left on device');
  });
});

describe('the operator stops a running release', () => {
  it('rolls back from the soak window on request, stopping the sampler', async () => {
    const release = startRelease();
    await walkToSoak(release.actor);
    release.actor.send({ type: 'ROLLBACK', reason: 'customer reports of failed payments' });
    const final = await until(release.actor, 'rolledBack');
    expect(final.context.rollback?.reason).toBe('customer reports of failed payments');
    expect(release.commands.map((c) => c.name).slice(-2)).toEqual(['rollback', 'freeze-unlock']);
  });

  it('cannot roll back before anything reached production, but can abort', async () => {
    const { actor, commands } = startRelease();
    const waiting = await until(actor, 'acknowledging');
    expect(waiting.can({ type: 'ROLLBACK' })).toBe(false);
    actor.send({ type: 'ABORT', reason: 'change window cancelled' });
    await until(actor, 'aborted');
    expect(commands.map((c) => c.name)).toEqual(['freeze-lock', 'freeze-unlock']);
  });
});
