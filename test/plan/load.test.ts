import { execFileSync } from 'node:child_process';
import { truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatPlanError, type PlanError } from '../../src/plan/errors.js';
import { loadPlan, type LoadedPlan } from '../../src/plan/load.js';
import { planFolder, planWith, tempDir, VALID_PLAN } from './plan-files.js';

async function problems(planText: string): Promise<string[]> {
  const dir = await planFolder(planText);
  const result = await loadPlan('release.yaml', { cwd: dir });
  if (!('errors' in result)) throw new Error('expected the plan to be invalid');
  return result.errors.map(formatPlanError);
}

describe('loadPlan', () => {
  it('loads a valid plan with absolute paths, the file as given and defaults filled in', async () => {
    const dir = await planFolder();
    const result = (await loadPlan('release.yaml', { cwd: dir })) as LoadedPlan;
    expect(result.file).toBe('release.yaml');
    expect(result.planPath).toBe(path.join(dir, 'release.yaml'));
    expect(result.planDir).toBe(dir);
    expect(result.plan.announce.prefix).toBe('WARROOM');
    expect(result.plan.approvals).toMatchObject({ separationOfDuties: true, timeout: '30m', security: ['security'] });
  });

  it('reports a plan that does not exist at line 1 column 1', async () => {
    const dir = await tempDir();
    expect(await loadPlan('missing.yaml', { cwd: dir })).toEqual({
      errors: [{ file: 'missing.yaml', line: 1, col: 1, message: 'cannot read plan: no such file' }],
    });
  });

  it('reports a folder given as the plan', async () => {
    const dir = await tempDir();
    const result = (await loadPlan(dir)) as { errors: PlanError[] };
    expect(result.errors.map(formatPlanError)).toEqual([`${dir}:1:1 cannot read plan: it is a directory`]);
  });

  it('refuses a named pipe as the plan without waiting for a writer', async () => {
    const dir = await tempDir();
    execFileSync('mkfifo', [path.join(dir, 'release.yaml')]);
    expect(await loadPlan('release.yaml', { cwd: dir })).toEqual({
      errors: [{ file: 'release.yaml', line: 1, col: 1, message: 'cannot read plan: not a regular file (a named pipe)' }],
    });
  }, 2_000);

  it('refuses a device such as /dev/zero as the plan without reading it', async () => {
    expect(await loadPlan('/dev/zero')).toEqual({
      errors: [{ file: '/dev/zero', line: 1, col: 1, message: 'cannot read plan: not a regular file (a character device)' }],
    });
  }, 2_000);

  it('refuses a plan over the 16 MiB cap without parsing it', async () => {
    const dir = await tempDir();
    // Sparse: the size is what matters, and it costs no disk.
    await writeFile(path.join(dir, 'release.yaml'), VALID_PLAN);
    await truncate(path.join(dir, 'release.yaml'), 16 * 1024 * 1024 + 1);
    expect(await loadPlan('release.yaml', { cwd: dir })).toEqual({
      errors: [{
        file: 'release.yaml',
        line: 1,
        col: 1,
        message: 'cannot read plan: too large: 16777217 bytes, over the cap of 16777216 bytes (16 MiB) for a plan',
      }],
    });
  }, 2_000);

  it('refuses a duration longer than 24 days at its value, whatever the key', async () => {
    let text = planWith('soak: 1m', 'soak: 1m\n  interval: 600h');
    text = planWith('run: ["true"]', 'http: {url: "http://127.0.0.1:9/", timeout: 99999999999h}', text);
    expect(await problems(text)).toEqual([
      'release.yaml:23:49 checks[0].http.timeout: a duration is at most 576h (24 days): Node timers cannot wait longer; got 99999999999h',
      'release.yaml:26:13 health.interval: a duration is at most 576h (24 days): Node timers cannot wait longer; got 600h',
    ]);
  });

  it('accepts a duration of exactly 24 days', async () => {
    const dir = await planFolder(planWith('soak: 1m', 'soak: 576h\n  interval: 2073600000ms'));
    expect('plan' in (await loadPlan('release.yaml', { cwd: dir }))).toBe(true);
  });

  it('refuses a step name or a check name longer than 100 characters, as each names a log file', async () => {
    let text = planWith('- name: canary', `- name: ${'c'.repeat(101)}`);
    text = planWith('- name: smoke', `- name: ${'s'.repeat(300)}`, text);
    expect(await problems(text)).toEqual([
      'release.yaml:17:13 deploy.steps[0].name: a step name is at most 100 characters (it names the log file logs/<name>.log)',
      'release.yaml:22:11 checks[0].name: a check name is at most 100 characters (it names the log file logs/<stage>-<name>.log)',
    ]);
  });

  it('reports a plan that is not YAML at the broken line', async () => {
    expect(await problems('version: 1\n\trelease: x\n')).toEqual(['release.yaml:2:1 YAML: Tabs are not allowed as indentation']);
  });

  it('reports every YAML syntax error, not only the first', async () => {
    const lines = await problems('version: 1\nversion: 1\nrelease: {}\nrelease: {}\n');
    expect(lines).toEqual(['release.yaml:2:1 YAML: Map keys must be unique', 'release.yaml:4:1 YAML: Map keys must be unique']);
  });

  it('reports an empty file as not being a mapping', async () => {
    expect(await problems('')).toEqual([
      'release.yaml:1:1 a plan is a YAML mapping of keys (version, release, …): the file is empty',
    ]);
  });

  it('reports a plain string where the plan should be', async () => {
    expect(await problems('# a comment\njust some text\n')).toEqual([
      'release.yaml:2:1 a plan is a YAML mapping of keys (version, release, …): found text "just some text"',
    ]);
  });

  it('reports a wrong type at the value', async () => {
    const text = planWith('  strategy: canary\n', '  strategy: canary\n  securityImpacting: "yes"\n');
    expect(await problems(text)).toEqual([
      'release.yaml:8:22 release.securityImpacting: expected true or false, got text "yes"',
    ]);
  });

  it('suggests quoting a tag that YAML read as a number', async () => {
    expect(await problems(planWith('tag: v1.2.3', 'tag: 1.20'))).toEqual([
      'release.yaml:4:8 release.tag: expected text, got number 1.2 (quote it)',
    ]);
  });

  it('reports an unknown strategy with the strategies it knows', async () => {
    expect(await problems(planWith('strategy: canary', 'strategy: big-bang'))).toEqual([
      'release.yaml:7:13 release.strategy: unknown strategy: expected canary, blue-green or rolling',
    ]);
  });

  it('reports a missing required key at its parent mapping', async () => {
    expect(await problems(planWith('  environment: production\n', ''))).toEqual([
      'release.yaml:3:3 missing key "environment" in release',
    ]);
  });

  it('reports a missing top-level key at the start of the plan', async () => {
    expect(await problems(planWith('rollback:\n  run: [scripts/rollback.sh]\n', ''))).toEqual([
      'release.yaml:1:1 missing key "rollback" in the plan',
    ]);
  });

  it('reports an unknown key at the key itself, naming it and the key it resembles', async () => {
    expect(await problems(planWith('  strategy: canary', '  stategy: canary'))).toEqual([
      'release.yaml:3:3 missing key "strategy" in release',
      'release.yaml:7:3 unknown key "stategy" in release (did you mean "strategy"?)',
    ]);
  });

  it('reports a check written as a string against the run key the author meant', async () => {
    expect(await problems(planWith('run: ["true"]', 'run: "true"'))).toEqual([
      'release.yaml:23:10 checks[0].run: expected a list, got text "true"',
    ]);
  });

  it('reports several problems at once in position order with exact lines and columns', async () => {
    let text = planWith('version: 1', 'version: 2');
    text = planWith('services: [api]', 'services: []', text);
    text = planWith('{name: Alex Kim, role: sre, user: alex}', '{name: Alex Kim, role: sre}', text);
    text = planWith('      run: [./scripts/deploy.sh, "${TAG}"]\n', '      run: [./scripts/deploy.sh]\n      pause: soon\n', text);
    text = planWith('max: 90}', 'max: 90, colour: red}', text);
    expect(await problems(text)).toEqual([
      'release.yaml:1:10 version must be 1',
      'release.yaml:6:13 release.services: list at least one impacted service',
      'release.yaml:9:5 missing key "user" in stakeholders[0]',
      'release.yaml:19:14 deploy.steps[0].pause: expected a duration such as 500ms, 30s, 15m or 2h',
      'release.yaml:28:56 unknown key "colour" in health.metrics[0]',
    ]);
  });

  it('runs the checks beyond the schema once the schema passes', async () => {
    expect(await problems(planWith('production: [product-owner, sre]', 'production: [product-owner, cto]'))).toEqual([
      'release.yaml:12:31 unknown role "cto" in approvals.production: no stakeholder holds it (stakeholders hold sre, product-owner)',
    ]);
  });

  it('never throws and always locates its problems, whatever the file holds', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'release.yaml');
    const yamlish = fc.array(fc.constantFrom('version: 1', 'release:', '  name: x', '- a', '  - {b: 1}', ': :', '[', '&a x', '*a', '"', '\t'), {
      maxLength: 8,
    });
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), yamlish.map((lines) => lines.join('\n'))), async (text) => {
        await writeFile(file, text);
        const result = await loadPlan(file);
        if (!('errors' in result)) return;
        expect(result.errors.length).toBeGreaterThan(0);
        for (const error of result.errors) {
          expect(error.line).toBeGreaterThanOrEqual(1);
          expect(error.col).toBeGreaterThanOrEqual(1);
          expect(error.message).not.toBe('');
        }
      }),
      { numRuns: 200 },
    );
  });

  it('accepts the sample plan unchanged', async () => {
    const dir = await planFolder(VALID_PLAN);
    expect('plan' in (await loadPlan(path.join(dir, 'release.yaml')))).toBe(true);
  });
});
