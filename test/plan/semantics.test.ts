import { describe, expect, it } from 'vitest';
import { formatPlanError } from '../../src/plan/errors.js';
import { loadPlan } from '../../src/plan/load.js';
import { planCommands } from '../../src/plan/semantics.js';
import { planFolder, planWith, VALID_PLAN } from './plan-files.js';

async function problems(planText: string, extraFiles: Record<string, string> = {}): Promise<string[]> {
  const dir = await planFolder(planText, extraFiles);
  const result = await loadPlan('release.yaml', { cwd: dir });
  return 'errors' in result ? result.errors.map(formatPlanError) : [];
}

describe('checks beyond the schema', () => {
  it('reports a production approval role that no stakeholder holds', async () => {
    expect(await problems(planWith('production: [product-owner, sre]', 'production: [cto, sre]'))).toEqual([
      'release.yaml:12:16 unknown role "cto" in approvals.production: no stakeholder holds it (stakeholders hold sre, product-owner)',
    ]);
  });

  it('checks security roles only when the release is security-impacting', async () => {
    expect(await problems(VALID_PLAN)).toEqual([]);
    const impacting = planWith('strategy: canary', 'strategy: canary\n  securityImpacting: true');
    expect(await problems(impacting)).toEqual([
      'release.yaml:13:3 unknown role "security" in approvals.security: no stakeholder holds it (stakeholders hold sre, product-owner)',
    ]);
  });

  it('reports a freeze acknowledgement role that no stakeholder holds', async () => {
    expect(await problems(planWith('acknowledge: [sre]', 'acknowledge: [sre, dba]'))).toEqual([
      'release.yaml:14:22 unknown role "dba" in freeze.acknowledge: no stakeholder holds it (stakeholders hold sre, product-owner)',
    ]);
  });

  it('reports a duplicate deploy step name at the second one', async () => {
    const text = planWith('rollback:', '    - name: canary\n      run: [./scripts/deploy.sh]\nrollback:');
    expect(await problems(text)).toEqual([
      'release.yaml:19:13 duplicate step name "canary": deploy.steps[0] has it already (a step name names its log file)',
    ]);
  });

  it('reports step names that differ only in case at the second one, as they would share a log', async () => {
    const text = planWith('rollback:', '    - name: Canary\n      run: [./scripts/deploy.sh]\nrollback:');
    expect(await problems(text)).toEqual([
      'release.yaml:19:13 step name "Canary" would write logs/canary.log, as deploy.steps[0] "canary" does: names must differ in more than case and punctuation (a step name names its log file)',
    ]);
  });

  it('reports a step named after a log warroom writes for its own commands', async () => {
    const text = planWith('rollback:', '    - name: dry-run\n      run: [./scripts/deploy.sh]\n    - name: Rollback\n      run: [./scripts/deploy.sh]\nrollback:');
    expect(await problems(text)).toEqual([
      'release.yaml:19:13 step name "dry-run" would write logs/dry-run.log, which warroom writes for dryRun (a step name names its log file)',
      'release.yaml:21:13 step name "Rollback" would write logs/rollback.log, which warroom writes for rollback (a step name names its log file)',
    ]);
  });

  it('reports a step and a check that would write the same log', async () => {
    const text = planWith('- name: canary', '- name: smoke-smoke');
    expect(await problems(text)).toEqual([
      'release.yaml:22:11 check name "smoke" would write logs/smoke-smoke.log, as deploy.steps[0] "smoke-smoke" does: rename one (a check writes logs/<stage>-<name>.log, a step logs/<name>.log)',
    ]);
  });

  it('reports two checks of one stage whose names make the same log name', async () => {
    const text = planWith('    run: ["true"]\n', '    run: ["true"]\n  - name: "Smoke!"\n    run: ["true"]\n');
    expect(await problems(text)).toEqual([
      'release.yaml:24:11 check name "Smoke!" would write logs/smoke-smoke.log, as checks[0] "smoke" does: names must differ in more than case and punctuation (a check name names its log file)',
    ]);
  });

  it('lets checks of different stages share a name, as their logs differ', async () => {
    const text = planWith('deploy:', 'staging:\n  checks: [{name: smoke, run: ["true"]}]\ndeploy:');
    expect(await problems(text)).toEqual([]);
  });

  it('reports an analysis that names no health metric', async () => {
    const text = planWith('run: [./scripts/deploy.sh, "${TAG}"]', 'run: [./scripts/deploy.sh, "${TAG}"]\n      analysis: [cpu, errors]');
    expect(await problems(text)).toEqual(['release.yaml:19:23 unknown metric "errors" in analysis: health.metrics has cpu']);
  });

  it('reports a metric without a max or a min', async () => {
    expect(await problems(planWith(', max: 90}', '}'))).toEqual([
      'release.yaml:27:7 metric "cpu" needs a threshold: set max, min or both',
    ]);
  });

  it('reports a window that ends before it starts', async () => {
    const text = planWith('stakeholders:', 'window:\n  start: 2024-06-01T04:00:00Z\n  end: 2024-06-01T02:00:00Z\nstakeholders:');
    expect(await problems(text)).toEqual(['release.yaml:10:8 window.end must be after window.start (2024-06-01T04:00:00Z)']);
  });

  it('reports expect on an artifact that is not json at the expect key', async () => {
    const text = planWith('deploy:', 'prerequisites:\n  artifacts:\n    - path: notes.md\n      kind: markdown\n      expect: {status: ok}\ndeploy:');
    expect(await problems(text)).toEqual(['release.yaml:19:7 expect works on json artifacts only; notes.md is markdown']);
  });

  it('reports a zero sampling interval when there is a soak window', async () => {
    expect(await problems(planWith('soak: 1m', 'soak: 1m\n  interval: 0s'))).toEqual([
      'release.yaml:26:13 health.interval must be more than 0 when health.soak is set',
    ]);
  });

  it('reports a secret pattern that is not a JavaScript regex, and one that matches nothing at all', async () => {
    const text = `${VALID_PLAN}secrets:\n  patterns: ['tok_[a-z', 'x*', 'tok_[a-z]+']\n`;
    expect(await problems(text)).toEqual([
      'release.yaml:29:14 secret pattern is not a valid JavaScript regex: Invalid regular expression: /tok_[a-z/: Unterminated character class',
      'release.yaml:29:26 secret pattern /x*/ matches empty text',
    ]);
  });

  it('reports a secret pattern that may backtrack exponentially, with how to rewrite it', async () => {
    const text = `${VALID_PLAN}secrets:\n  patterns: ['(a+)+$', 'ckt_[A-Za-z0-9]{16,}']\n`;
    const lines = await problems(text);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^release\.yaml:29:14 secrets pattern \/\(a\+\)\+\$\/ may take exponential time on some output: /);
    expect(lines[0]).toContain('rewrite');
  });

  it('reports a cwd that does not exist in the plan folder', async () => {
    const text = planWith('  run: [scripts/rollback.sh]', '  run: [scripts/rollback.sh]\n  cwd: ops');
    expect(await problems(text)).toEqual([
      'release.yaml:21:8 cwd "ops" of rollback does not exist (relative to the plan folder)',
    ]);
  });

  it('reports a relative program that does not exist, resolved from the plan folder', async () => {
    expect(await problems(planWith('./scripts/deploy.sh', './scripts/deploy-canary.sh'))).toEqual([
      'release.yaml:18:13 program "./scripts/deploy-canary.sh" of deploy.steps[0] does not exist (relative to the plan folder)',
    ]);
  });

  it('resolves a relative program from the command cwd', async () => {
    const text = planWith('  run: [scripts/rollback.sh]', '  run: [./undo.sh]\n  cwd: scripts');
    expect(await problems(text)).toEqual([
      'release.yaml:20:9 program "./undo.sh" of rollback does not exist (relative to cwd "scripts")',
    ]);
    expect(await problems(text, { 'scripts/undo.sh': '#!/bin/sh\n' })).toEqual([]);
  });

  it('leaves bare program names and absolute paths to the host', async () => {
    const text = planWith('run: [scripts/rollback.sh]', 'run: [kubectl, rollout, undo]');
    expect(await problems(planWith('run: ["true"]', 'run: [/opt/tools/smoke]', text))).toEqual([]);
  });

  it('reports a placeholder warroom does not substitute, except inside a shell script', async () => {
    expect(await problems(planWith('"${TAG}"', '"${TAGS}"'))).toEqual([
      'release.yaml:18:34 unknown placeholder ${TAGS}: warroom substitutes ${TAG}, ${RELEASE}, ${ENV}, ${EVIDENCE_DIR}',
    ]);
    expect(await problems(planWith('run: ["true"]', 'run: [bash, -c, "test -n ${HOME}"]'))).toEqual([]);
  });

  it('leaves prerequisite artifacts and scripts to the readiness phase', async () => {
    const text = planWith(
      'deploy:',
      'prerequisites:\n  artifacts: [{path: missing.json, kind: json}]\n  scripts: [scripts/missing.sh]\ndeploy:',
    );
    expect(await problems(text)).toEqual([]);
  });

  it('lists every command the plan can run with where it is written', async () => {
    const dir = await planFolder();
    const loaded = await loadPlan('release.yaml', { cwd: dir });
    if ('errors' in loaded) throw new Error('expected a valid plan');
    expect(planCommands(loaded.plan).map((command) => command.path.join('.'))).toEqual([
      'deploy.steps.0',
      'rollback',
      'checks.0',
    ]);
  });
});
