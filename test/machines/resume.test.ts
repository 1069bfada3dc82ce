import { describe, expect, it } from 'vitest';
import { resumePoint, type PersistedRelease } from '../../machines/resume.js';
import { approveProduction, acknowledgeFreeze, stateOf, startRelease, testPlan, tick, until, walkToSoak } from './harness.js';

// Resuming restores the chart from its last snapshot. A command that was
// running may have half-happened, so it is never started again unasked; a
// soak window (which only reads) simply goes on.

const persisted = (actor: ReturnType<typeof startRelease>['actor']) => JSON.parse(JSON.stringify(actor.getPersistedSnapshot())) as PersistedRelease;

/** A session stopped while canary-10 was deploying, and where resume would land it. */
async function stoppedDuringCanary() {
  const first = startRelease(testPlan(), { hold: (input) => input.name === 'canary-10' });
  await acknowledgeFreeze(first.actor);
  await approveProduction(first.actor);
  await until(first.actor, 'deploying.running');
  const saved = persisted(first.actor);
  first.actor.stop();
  return { saved, point: resumePoint(saved) };
}

/** Restores a resume point in a fresh chart and tells it it was resumed (by `operator`). */
function resume(point: ReturnType<typeof resumePoint>, operator = 'operator') {
  const resumed = startRelease(testPlan(), {}, 'operator', point.snapshot);
  resumed.actor.send({ type: 'RESUMED', operator, from: point.from, ...(point.interrupted ? { interrupted: point.interrupted } : {}) });
  return resumed;
}

describe('resuming a stopped session', () => {
  it('lands a deploy step that was running in an interrupted halt, without running it again', async () => {
    const { saved, point } = await stoppedDuringCanary();
    expect(point.from).toBe('production.deploying.running');
    expect(point.interrupted?.step).toBe('Deployment step canary-10');
    expect(JSON.stringify(point.snapshot.children)).not.toContain('runCommand');

    expect(saved.children).not.toEqual(point.snapshot.children);
    const resumed = resume(point);
    const snapshot = resumed.actor.getSnapshot();
    expect(stateOf(snapshot)).toBe('production.deploying.interrupted');
    expect(snapshot.hasTag('halted')).toBe(true);
    expect(resumed.commands).toEqual([]);
    expect(resumed.announcements().join('\n')).toContain('Failed at Deployment step canary-10. Reason: interrupted');
    expect(snapshot.context.resumes).toEqual([expect.objectContaining({ by: 'operator', from: 'production.deploying.running', interrupted: 'Deployment step canary-10' })]);
    // The context survived: both approvals are still there, so nobody is asked again.
    expect(snapshot.context.approvals.map((a) => a.user)).toEqual(['priya', 'sam']);

    // Retry is the operator's call; only then does the step run again.
    resumed.actor.send({ type: 'RETRY', by: { name: 'Olive Operator', role: 'sre', user: 'operator', source: 'command-line' } });
    await until(resumed.actor, 'pausing');
    expect(resumed.commands.map((c) => c.name)).toEqual(['canary-10']);
  });

  it('offers roll back and abort at an interrupted deploy step, never a waiver', async () => {
    const { point } = await stoppedDuringCanary();
    const snapshot = resume(point).actor.getSnapshot();
    const by = { name: 'Sam Okafor', role: 'sre', user: 'sam', source: 'console' as const };
    expect(snapshot.can({ type: 'ROLLBACK', by })).toBe(true);
    expect(snapshot.can({ type: 'ABORT', by })).toBe(true);
    expect(snapshot.can({ type: 'WAIVE', by, reason: 'ran it by hand' })).toBe(false);
  });

  it('continues a soak window where it was, with the samples it had', async () => {
    const first = startRelease(testPlan());
    await walkToSoak(first.actor);
    first.actor.send({ type: 'SAMPLE', sample: { metric: 'error_ratio', at: 'now', value: 0.01 } });
    const point = resumePoint(persisted(first.actor));
    first.actor.stop();
    expect(point.interrupted).toBeUndefined();
    const resumed = resume(point);
    expect(stateOf(resumed.actor.getSnapshot())).toBe('stabilisation.soak');
    expect(resumed.actor.getSnapshot().context.metrics.error_ratio?.samples).toBe(1);
    expect(resumed.announcements()).toEqual([expect.stringContaining('RESUMED] Session resumed by operator at stabilisation.soak')]);
  });

  it('refuses a session that already ended', async () => {
    const first = startRelease(testPlan());
    await walkToSoak(first.actor);
    first.actor.send({ type: 'ABORT', by: { name: 'Olive Operator', role: 'sre', user: 'operator', source: 'console' } });
    first.actor.send(tick(10_000));
    await until(first.actor, 'aborted');
    expect(() => resumePoint(persisted(first.actor))).toThrow('already ended (aborted)');
  });
});

describe('the report of a resumed session', () => {
  it('lists each resume and the step whose outcome was unknown', async () => {
    const { renderArtifact } = await import('../../src/evidence/render/index.js');
    const { extrasFor } = await import('../evidence/extras.js');
    const { point } = await stoppedDuringCanary();
    const resumed = resume(point, 'olive');
    const context = resumed.actor.getSnapshot().context;
    const report = renderArtifact('report', context, extrasFor(context, resumed.announcements()));
    expect(report).toContain('## Resumes');
    expect(report).toMatch(/\| olive \| production\.deploying\.running \| Deployment step canary-10 was running: outcome unknown, decision asked \|/);
    expect(report).toContain('| Deployment step canary-10 | interrupted: warroom stopped while the deployment step was running');

    const plain = startRelease(testPlan());
    await until(plain.actor, 'acknowledging');
    const untouched = plain.actor.getSnapshot().context;
    expect(renderArtifact('report', untouched, extrasFor(untouched, []))).not.toContain('## Resumes');
  });
});
