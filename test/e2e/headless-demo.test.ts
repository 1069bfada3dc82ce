import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJournal } from '../../src/journal/journal.js';
import { demoCopy, runDemo, warroom } from './demo.js';

const ARTIFACTS = [
  'deployment-readiness-checklist.json',
  'release-manifest.md',
  'staging-validation-results.json',
  'change-freeze-confirmation.md',
  'production-approval.json',
  'production-deployment-report.json',
  'post-deployment-validation.json',
  'deployment-health-log.md',
  'DEPLOYMENT-REPORT.md',
  'retrospective-inputs.json',
  'gates/readiness.json',
  'gates/freeze.json',
  'gates/launch.json',
  'gates/reporting.json',
  'logs/canary-10.log',
  'logs/promote-100.log',
  'communication-log.md',
  'journal.jsonl',
  'manifest.json',
  'DEPLOYMENT-EVIDENCE.zip',
];

async function runDemoWithJson(plan: string) {
  const result = await runDemo(plan);
  return { ...result, json: (file: string) => JSON.parse(readFileSync(join(result.evidence, file), 'utf8')) };
}

describe('the headless demo', () => {
  it('releases, hands off to Protocol 19 and leaves every artifact of the protocol', async () => {
    const run = await runDemoWithJson('release.yaml');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines).toContain('[WARROOM | PHASE 1 START] - Verifying deployment readiness artifacts...');
    expect(lines).toContain('[WARROOM | PHASE 4 COMPLETE] - Deployment report compiled. Evidence: DEPLOYMENT-REPORT.md.');
    expect(lines).toContain('[WARROOM | PROTOCOL COMPLETE] Ready for Protocol 19: Monitoring & Observability');
    expect(lines.some((l) => l.startsWith('canary-10 | '))).toBe(true);
    for (const file of ARTIFACTS) expect(existsSync(join(run.evidence, file)), file).toBe(true);
    expect(statSync(join(run.evidence, 'DEPLOYMENT-REPORT.md')).mode & 0o777).toBe(0o640);
    expect(statSync(run.evidence).mode & 0o777).toBe(0o750);

    const approval = run.json('production-approval.json');
    expect(approval.approvals.map((a: { user: string; source: string }) => `${a.user}:${a.source}`)).toEqual(['priya:file', 'sam:file']);
    const report = run.json('production-deployment-report.json');
    expect(report.commands.map((c: { name: string; exitCode: number }) => `${c.name}:${c.exitCode}`)).toEqual([
      'freeze-lock:0',
      'dry-run:0',
      'canary-10:0',
      'promote-100:0',
      'freeze-unlock:0',
    ]);
    const journal = readJournal(join(run.evidence, 'journal.jsonl'));
    expect(journal.brokenAt).toBeUndefined();
    expect(journal.entries.filter((e) => e.type === 'transition').at(-1)?.data).toMatchObject({ to: 'complete' });
    const verified = await warroom(['verify', join(run.evidence, 'DEPLOYMENT-EVIDENCE.zip')]);
    expect(verified.code).toBe(0);
    for (const gate of ['readiness', 'freeze', 'launch', 'reporting']) expect((await warroom(['gate', gate, '--evidence', run.evidence])).code, gate).toBe(0);
  });

  it('rolls back when the smoke check fails and exits 1', async () => {
    const run = await runDemoWithJson('release-failing-smoke.yaml');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('[WARROOM GATE FAILED: Production Launch Gate]');
    expect(run.stdout).toContain('[WARROOM | ESCALATION] Escalating to Protocol 20');
    expect(existsSync(join(run.evidence, 'rollback-plan.md'))).toBe(true);
    expect(run.json('gates/launch.json').verdict).toBe('fail');
    const report = readFileSync(join(run.evidence, 'DEPLOYMENT-REPORT.md'), 'utf8');
    expect(report).toContain('Protocol 20');
    expect(report).toContain('healthz');
    expect(report).toContain('## Rollback');
    expect(existsSync(join(run.evidence, 'DEPLOYMENT-EVIDENCE.zip'))).toBe(true);
    expect((await warroom(['verify', run.evidence])).code).toBe(0);
  });

  it('halts on a missing prerequisite, names it, and exits 2 without touching production', async () => {
    const run = await runDemoWithJson('release-missing-prerequisite.yaml');
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/\[WARROOM ERROR\] - "Failed at Validate pre-deployment evidence\. Reason: .*UAT-CLOSURE-PACKAGE-missing\.zip: missing/);
    const checklist = run.json('deployment-readiness-checklist.json');
    expect(JSON.stringify(checklist)).toContain('missing');
    expect(existsSync(join(run.evidence, 'logs/canary-10.log'))).toBe(false);
    expect(existsSync(join(run.evidence, 'DEPLOYMENT-REPORT.md'))).toBe(true);
    expect(existsSync(join(run.evidence, 'DEPLOYMENT-EVIDENCE.zip'))).toBe(true);
  });

  it('halts before production when the approvals file lacks an approval, naming who is awaited', async () => {
    const dir = demoCopy();
    const approvals = JSON.parse(readFileSync(join(dir, 'approvals.json'), 'utf8')).filter((a: { role: string; for: string }) => !(a.for === 'production' && a.role === 'sre'));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'partial.json'), JSON.stringify(approvals));
    const run = await warroom(['run', join(dir, 'release.yaml'), '--headless', '--approvals', join(dir, 'partial.json'), '--evidence', join(dir, 'ev')], {
      env: { DEMO_RUN_DIR: join(dir, '.run') },
    });
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('production approval still needed (sre (Sam Okafor))');
    expect(existsSync(join(dir, 'ev/logs/canary-10.log'))).toBe(false);
  });
});
