import { describe, expect, it } from 'vitest';
import { renderArtifact } from '../../src/evidence/render/index.js';
import { checkResult, startRelease, until, walkPastCanaryPause } from '../machines/harness.js';
import { extrasFor } from './extras.js';

// A failed smoke check fails Gate 3, the plan rolls back automatically, and the
// evidence must say why, what ran, whether service is back, and escalate.

const GENERATED_AT = '2026-11-24T10:03:00.000Z';

async function rolledBackRelease() {
  const run = startRelease(undefined, {
    checks: (input) => input.checks.map((c) => ({ ...checkResult(c.name, input.stage !== 'smoke'), ...(input.stage === 'smoke' ? { detail: 'HTTP 503 from http://checkout/healthz' } : {}) })),
  });
  const { actor } = run;
  await walkPastCanaryPause(actor);
  const final = await until(actor, 'rolledBack');
  return { context: final.context, extras: extrasFor(final.context, run.announcements(), GENERATED_AT) };
}

describe('evidence of a release rolled back after a failed smoke check', () => {
  it('reports the outcome as rolled back and escalates to Protocol 20', async () => {
    const { context, extras } = await rolledBackRelease();
    const report = renderArtifact('report', context, extras);
    expect(report).toContain('**Outcome: rolled back** — Rolled back v2.4.0 because Production Launch Gate failed (decided by warroom automatically, as rollback.auto is set in the plan); the rollback command succeeded and 1 check(s) passed afterwards.');
    expect(report).toContain('**[WARROOM | ESCALATION]** Escalated to Protocol 20: Production Launch Gate failed');
    expect(report).toContain('[rollback-plan.md](rollback-plan.md)');
    expect(report).not.toContain('Ready for Protocol 19');
    expect(report).toMatch(/### Gate 3: Production Launch Gate — FAIL/);
    expect(report).toContain('| Validation success rate | ≥ 95.0% | 0% (0/1) | ✘ |');
  });

  it('measures Gate 3 at 0% and shows what is missing, still without placeholders', async () => {
    const { context, extras } = await rolledBackRelease();
    const report = renderArtifact('report', context, extras);
    expect(report).not.toMatch(/TBD|⏳/);
    expect(report).toContain('| Gate 3 Pass Rate | ≥ 98% | 0% (0 of 1 evaluation(s) passed) | ❌ not met |');
    expect(report).toMatch(/\| Evidence Completeness \| 100% \| \d+(\.\d)?% \(\d+\/13 reporting artifacts; missing: [^|]*deployment-health-log\.md/);
    expect(report).toMatch(/\| Integration Integrity \| 100% \| \d+(\.\d)?% \(\d\/6 Protocol 19\/20\/22 outputs/);
  });

  it('explains the rollback: trigger, who decided, the command record and the checks after it', async () => {
    const { context, extras } = await rolledBackRelease();
    const plan = renderArtifact('rollback-plan', context, extras);
    expect(plan).toContain('**Rollback status: restored**');
    expect(plan).toContain('- Trigger: Production Launch Gate failed');
    expect(plan).toContain('- Decided by: warroom automatically, as rollback.auto is set in the plan');
    expect(plan).toContain('- Failed criterion: Validation success rate — required ≥ 95.0%, actual 0% (0/1)');
    expect(plan).toContain('| `rollback` | 2026-11-24T10:00:00.000Z | 2026-11-24T10:00:00.010Z | 10ms | 0 | [logs/rollback.log](logs/rollback.log) |');
    expect(plan).toContain('| healthz | run | ✔ pass | exit 0 | 5ms |');
    expect(plan).toContain('Escalated to Protocol 20');
  });

  it('keeps the failed validation and the rollback command in the JSON evidence', async () => {
    const { context, extras } = await rolledBackRelease();
    const validation = JSON.parse(renderArtifact('post-deployment-validation', context, extras));
    expect(validation).toMatchObject({ passed: 0, total: 1, successRate: 0, threshold: 0.95, verdict: 'fail' });
    const deployment = JSON.parse(renderArtifact('deployment-report', context, extras));
    expect(deployment.commands.map((c: { name: string }) => c.name)).toEqual(['freeze-lock', 'dry-run', 'canary-10', 'promote-100', 'rollback', 'freeze-unlock']);
    expect(deployment.commands[4]).toMatchObject({ kind: 'rollback', exitCode: 0 });
    expect(deployment.rollback).toEqual({ reason: 'Production Launch Gate failed', startedAt: '2026-11-24T10:00:02.000Z', exitCode: 0 });
  });

  it('names the rollback and the failed check in the retrospective, with owners', async () => {
    const { context, extras } = await rolledBackRelease();
    const retro = JSON.parse(renderArtifact('retrospective', context, extras));
    expect(retro.outcome).toBe('rolled back');
    expect(retro.wentPoorly).toContain('Rolled back: Production Launch Gate failed');
    expect(retro.wentPoorly).toContain('smoke check healthz failed: HTTP 503 from http://checkout/healthz');
    expect(retro.wentWell).toContain('Rollback restored service in 10ms; all 1 check(s) passed afterwards');
    expect(retro.actionItems).toContainEqual({ item: 'Fix the failing smoke check healthz (HTTP 503 from http://checkout/healthz)', owner: 'SRE' });
    expect(retro.actionItems.some((a: { item: string; owner: string }) => a.owner === 'Release Engineering' && a.item.includes('Protocol 20'))).toBe(true);
  });
});
