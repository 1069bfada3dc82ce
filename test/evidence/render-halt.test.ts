import { describe, expect, it } from 'vitest';
import type { Person } from '../../machines/types.js';
import { renderArtifact } from '../../src/evidence/render/index.js';
import { checkResult, sendSamples, startRelease, testPlan, tick, until, walkToSoak } from '../machines/harness.js';
import { extrasFor } from './extras.js';

// Staging validation fails and halts; a product owner waives it with a reason and
// the release goes on. The evidence must show the halt while it lasts, and the
// waiver, who gave it and why, once it is over.

const PRIYA: Person = { name: 'Priya Raman', role: 'product-owner', user: 'priya', source: 'attach' };
const REASON = 'staging-smoke is flaky (INC-4211); prod canary covers it';

async function haltedAtStaging() {
  const plan = testPlan({ staging: { checks: [{ name: 'staging-smoke', run: ['smoke', '--env', 'staging'] }] } });
  const run = startRelease(plan, { checks: (input) => input.checks.map((c) => checkResult(c.name, input.stage !== 'staging')) });
  const halted = await until(run.actor, 'reconfirmStaging.halted');
  return { run, context: halted.context };
}

async function releasedAfterWaiver() {
  const { run } = await haltedAtStaging();
  const { actor } = run;
  actor.send({ type: 'WAIVE', by: PRIYA, reason: REASON });
  await walkToSoak(actor);
  sendSamples(actor, 'error_ratio', [0.01, 0.01, 0.01]);
  actor.send(tick(10_000));
  const final = await until(actor, 'complete');
  return { context: final.context, extras: extrasFor(final.context, run.announcements()) };
}

describe('evidence of a halt resolved by a waiver', () => {
  it('reports a halted session as halted and awaiting instructions', async () => {
    const { run, context } = await haltedAtStaging();
    const report = renderArtifact('report', context, extrasFor(context, run.announcements()));
    expect(report).toContain('**Outcome: halted** — Halted at Reconfirm staging health since 2026-11-24T10:00:00.000Z: staging validation failed: staging-smoke (exit 1).');
    expect(report).toContain('**[WARROOM | HALTED]** Awaiting instructions.');
    expect(report).toContain('| Reconfirm staging health | staging validation failed: staging-smoke (exit 1) | 2026-11-24T10:00:00.000Z | unresolved — awaiting instructions |');
    expect(report).not.toContain('Ready for Protocol 19');
    expect(report).toContain('| Gate 3 Pass Rate | ≥ 98% | not evaluated (0 of 0 runs: the session did not reach Gate 3) | ➖ not measured |');
    expect(report).not.toMatch(/TBD|⏳/);
  });

  it('records the waiver with who gave it, in which role, and why', async () => {
    const { context, extras } = await releasedAfterWaiver();
    const report = renderArtifact('report', context, extras);
    expect(report).toContain('**Outcome: released** — Released v2.4.0 to production in 2 step(s) (canary); 4 of 4 quality gates passed, with 1 waiver(s) recorded.');
    expect(report).toContain(`| Reconfirm staging health | ${REASON} | Priya Raman | product-owner | priya | 2026-11-24T10:00:00.000Z |`);
    expect(report).toContain(`| waive | Reconfirm staging health | Priya Raman (product-owner, priya, attach) | ${REASON} |`);
    expect(report).toContain('| Reconfirm staging health | staging validation failed: staging-smoke (exit 1) | 2026-11-24T10:00:00.000Z | waive |');
    const staging = JSON.parse(renderArtifact('staging-results', context, extras));
    expect(staging).toMatchObject({ passed: 0, total: 1, successRate: 0, waived: true, waiver: { reason: REASON, by: { user: 'priya' } } });
  });

  it('names the halt and the waiver in the retrospective, each with an action item and owner', async () => {
    const { context, extras } = await releasedAfterWaiver();
    const retro = JSON.parse(renderArtifact('retrospective', context, extras));
    expect(retro.wentPoorly).toContain('Halted at Reconfirm staging health: staging validation failed: staging-smoke (exit 1) (resolved by waive)');
    expect(retro.wentPoorly).toContain(`Waived Reconfirm staging health (Priya Raman, product-owner): ${REASON}`);
    expect(retro.wentPoorly).toContain('staging check staging-smoke failed: exit 1');
    expect(retro.actionItems).toContainEqual({ item: `Close the waiver on Reconfirm staging health: fix what "${REASON}" works around so it need not be waived again`, owner: 'QA' });
    expect(retro.wentWell).not.toContain('No halts: the session never needed an operator decision');
  });

  it('reports an abort with who aborted and why, and awaits instructions', async () => {
    const { run } = await haltedAtStaging();
    run.actor.send({ type: 'ABORT', by: PRIYA, reason: 'staging is down for the whole team' });
    const context = (await until(run.actor, 'aborted')).context;
    const report = renderArtifact('report', context, extrasFor(context, run.announcements()));
    expect(report).toContain('**Outcome: aborted** — Aborted at Reconfirm staging health by Priya Raman (product-owner, priya): staging is down for the whole team; nothing further was deployed.');
    expect(report).toContain('**[WARROOM | ABORTED]** Awaiting instructions.');
    expect(JSON.parse(renderArtifact('retrospective', context, extrasFor(context, [])))).toMatchObject({ outcome: 'aborted' });
  });

  it('keeps terminal control sequences and table-breaking characters out of the Markdown', async () => {
    const { run, context } = await haltedAtStaging();
    const hostile = { ...context, halt: { ...context.halt!, reason: '\x1b[31mdeploy\x1b[0m failed | see\nlog\x07' } };
    const report = renderArtifact('report', hostile, extrasFor(hostile, run.announcements()));
    expect(report).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(report).toContain('| Reconfirm staging health | deploy failed \\| see log |');
  });
});
