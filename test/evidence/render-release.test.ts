import { describe, expect, it } from 'vitest';
import type { ArtifactName } from '../../machines/types.js';
import { ARTIFACT_FILES, artifactPath } from '../../src/evidence/files.js';
import { renderArtifact } from '../../src/evidence/render/index.js';
import { sendSamples, startRelease, tick, until, walkToSoak } from '../machines/harness.js';
import { extrasFor } from './extras.js';

// A clean release, rendered as the session would write it, read the way an auditor would.

const PACKAGE_SHA = 'a'.repeat(64);
const APPROVAL_SHA = 'b'.repeat(64);

async function cleanRelease() {
  const run = startRelease(undefined, {
    readiness: [
      { id: 'artifact-1', kind: 'artifact', name: 'PRE-DEPLOYMENT-PACKAGE.zip', status: 'pass', detail: 'present, 2h old', sha256: PACKAGE_SHA },
      { id: 'artifact-2', kind: 'artifact', name: 'readiness-approval.json', status: 'pass', detail: 'decision = go', sha256: APPROVAL_SHA },
      { id: 'script-1', kind: 'script', name: 'scripts/deploy_backend.sh', status: 'pass', detail: 'executable' },
    ],
  });
  const { actor } = run;
  await walkToSoak(actor);
  sendSamples(actor, 'error_ratio', [0.01, 0.03, 0.02]);
  actor.send(tick(10_000));
  const final = await until(actor, 'complete');
  return { context: final.context, extras: extrasFor(final.context, run.announcements()), emitted: run.emitted };
}

const ALL: ArtifactName[] = [...(Object.keys(ARTIFACT_FILES) as ArtifactName[]), 'gate:readiness', 'gate:freeze', 'gate:launch', 'gate:reporting'];

describe('evidence of a clean release', () => {
  it('renders every artifact as plain text ending in a newline, JSON pretty-printed', async () => {
    const { context, extras } = await cleanRelease();
    for (const name of ALL) {
      const text = renderArtifact(name, context, extras);
      expect(text.endsWith('\n'), name).toBe(true);
      expect(text, name).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
      if (artifactPath(name).endsWith('.json')) expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
    }
  });

  it('binds the production approval to the release tag and the SHA-256 of what was reviewed', async () => {
    const { context, extras } = await cleanRelease();
    const approval = JSON.parse(renderArtifact('production-approval', context, extras));
    expect(approval.tag).toBe('v2.4.0');
    expect(approval.approved).toBe(true);
    expect(approval.separationOfDuties).toBe(true);
    expect(approval.operator.user).toBe('operator');
    expect(approval.requiredRoles).toEqual(['product-owner', 'sre']);
    expect(approval.approvals.map((a: { user: string; role: string; source: string }) => `${a.user}/${a.role}/${a.source}`)).toEqual(['priya/product-owner/file', 'sam/sre/file']);
    expect(approval.reviewed).toEqual({
      tag: 'v2.4.0',
      artifacts: [
        { path: 'PRE-DEPLOYMENT-PACKAGE.zip', sha256: PACKAGE_SHA },
        { path: 'readiness-approval.json', sha256: APPROVAL_SHA },
      ],
    });
  });

  it('lists every command with its argv, exit code, duration and log', async () => {
    const { context, extras } = await cleanRelease();
    const report = JSON.parse(renderArtifact('deployment-report', context, extras));
    expect(report.commands.map((c: { name: string; exitCode: number }) => `${c.name}:${c.exitCode}`)).toEqual([
      'freeze-lock:0',
      'dry-run:0',
      'canary-10:0',
      'promote-100:0',
      'freeze-unlock:0',
    ]);
    expect(report.commands[2]).toMatchObject({ kind: 'deploy', argv: ['deploy', 'canary'], durationMs: 10, log: 'logs/canary-10.log' });
    expect(report.totals).toEqual({ count: 5, failed: 0, durationMs: 50 });
    const markdown = renderArtifact('report', context, extras);
    expect(markdown).toContain('| canary-10 | `deploy canary` | 0 |');
    expect(markdown).toContain('[logs/canary-10.log](logs/canary-10.log)');
  });

  it('reports the release as released and hands off to Protocol 19', async () => {
    const { context, extras } = await cleanRelease();
    const report = renderArtifact('report', context, extras);
    expect(report.split('\n')[0]).toBe('# Deployment Report: checkout-api v2.4.0');
    expect(report).toContain('**Outcome: released** — Released v2.4.0 to production in 2 step(s) (canary); 4 of 4 quality gates passed.');
    expect(report).toContain('**[WARROOM | PROTOCOL COMPLETE]** Ready for Protocol 19: Monitoring & Observability');
    expect(report).toContain('[post-deployment-validation.json](post-deployment-validation.json) - Initial monitoring evidence');
    expect(report).toContain('| Sam Okafor | sre | sam |');
    expect(report).toMatch(/### Gate 3: Production Launch Gate — PASS/);
  });

  it('writes the first report, before Gate 4, as pending rather than released', async () => {
    const { emitted, extras } = await cleanRelease();
    const first = emitted.find((e) => e.type === 'evidence' && e.artifacts.includes('report'));
    if (first?.type !== 'evidence') throw new Error('the chart never asked for the report');
    const report = renderArtifact('report', first.context, extras);
    expect(report).toContain('**Outcome: in progress**');
    expect(report).toContain('Pending: Gate 4 (Stabilization & Reporting) decides whether v2.4.0 is handed to Protocol 19');
  });

  it('fills the quality metrics table with measured numbers, never TBD', async () => {
    const { context, extras } = await cleanRelease();
    const report = renderArtifact('report', context, extras);
    expect(report).not.toMatch(/TBD|⏳/);
    expect(report).toContain('| Gate 3 Pass Rate | ≥ 98% | 100% (1 of 1 evaluation(s) passed) | ✅ met |');
    expect(report).toContain('| Evidence Completeness | 100% | 100% (13/13 reporting artifacts) | ✅ met |');
    expect(report).toContain('| Integration Integrity | 100% | 100% (5/5 Protocol 19/20/22 outputs) | ✅ met |');
  });

  it('logs the soak window with a sparkline of the samples against the threshold', async () => {
    const { context, extras } = await cleanRelease();
    const health = renderArtifact('health-log', context, extras);
    expect(health).toContain('| error_ratio | error_ratio ≤ 0.05 | 3 | 0 | 0.01 | 0.03 | 0.02 | 0 | ▁█▅ |');
    expect(health).toContain('_No anomalies: every metric stayed within its threshold with enough samples._');
  });

  it('gives the retrospective what went well, with an owner for every action item', async () => {
    const { context, extras } = await cleanRelease();
    const retro = JSON.parse(renderArtifact('retrospective', context, extras));
    expect(retro.outcome).toBe('released');
    expect(retro.wentWell).toContain('Gate 3: Production Launch Gate passed first time');
    expect(retro.wentWell).toContain('All 2 deployment step(s) succeeded on the first attempt');
    expect(retro.wentPoorly).toEqual([]);
    expect(retro.actionItems.every((a: { owner: string }) => a.owner.length > 0)).toBe(true);
  });

  it('annotates the manifest with the scope confirmations and quotes arguments that need it', async () => {
    const { context, extras } = await cleanRelease();
    const manifest = renderArtifact('release-manifest', { ...context, plan: { ...context.plan, rollback: { ...context.plan.rollback, run: ['bash', '-c', "kubectl rollout undo deploy/checkout-api && echo 'done'"] } } }, extras);
    expect(manifest).toContain('| ✔ confirmed | stakeholders | ok |');
    expect(manifest).toContain("`bash -c 'kubectl rollout undo deploy/checkout-api && echo '\\''done'\\'''`");
    expect(manifest).toContain('| Security-impacting | no |');
  });
});
