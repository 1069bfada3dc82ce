import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { approvalRoles, loadApprovalsFile, scanJson } from '../../src/plan/approvals-file.js';
import { formatPlanError } from '../../src/plan/errors.js';
import { loadPlan } from '../../src/plan/load.js';
import type { Plan } from '../../src/plan/schema.js';
import { planFolder, planWith, tempDir, VALID_PLAN } from './plan-files.js';

let plan: Plan;
let securityPlan: Plan;

async function planFrom(text: string): Promise<Plan> {
  const loaded = await loadPlan(path.join(await planFolder(text), 'release.yaml'));
  if ('errors' in loaded) throw new Error(loaded.errors.map(formatPlanError).join('\n'));
  return loaded.plan;
}

beforeAll(async () => {
  plan = await planFrom(VALID_PLAN);
  const withSecurity = planWith('strategy: canary', 'strategy: canary\n  securityImpacting: true');
  securityPlan = await planFrom(
    planWith('  - {name: Taylor', '  - {name: Sam Ortiz, role: security, user: sam}\n  - {name: Taylor', withSecurity),
  );
});

const approve = (fields: Record<string, unknown> = {}) => ({
  for: 'production',
  role: 'sre',
  name: 'Alex Kim',
  user: 'alex',
  decision: 'approve',
  at: '2024-06-01T02:05:00Z',
  ...fields,
});

/** One entry per line so positions are easy to read: entry N is on line N + 1. */
function fileText(entries: unknown[]): string {
  return `[\n${entries.map((entry) => JSON.stringify(entry)).join(',\n')}\n]\n`;
}

async function load(text: string, against: Plan = plan): Promise<string[] | unknown[]> {
  const file = path.join(await tempDir(), 'approvals.json');
  await writeFile(file, text);
  const result = await loadApprovalsFile(file, against);
  if ('entries' in result) return result.entries;
  return result.errors.map((error) => formatPlanError({ ...error, file: 'approvals.json' }));
}

describe('loadApprovalsFile', () => {
  it('loads production approvals and freeze acknowledgements that match the plan', async () => {
    const entries = [approve(), approve({ for: 'freeze', reason: 'freeze noted' }), approve({ role: 'product-owner', name: 'Taylor Reed', user: 'taylor', decision: 'reject' })];
    expect(await load(fileText(entries))).toEqual(entries);
  });

  it('reports a file that is not JSON at the offending character', async () => {
    expect(await load('[\n  {"for": "production",}\n]\n')).toEqual(["approvals.json:2:24 not JSON: Expected double-quoted property name"]);
  });

  it('rejects YAML that JSON does not allow', async () => {
    expect(await load("- {for: production, role: 'sre'}\n")).toEqual(["approvals.json:1:1 not JSON: No number after minus sign"]);
  });

  it('reports a missing file at line 1', async () => {
    const result = await loadApprovalsFile(path.join(await tempDir(), 'none.json'), plan);
    expect('errors' in result && result.errors.map((error) => error.message)).toEqual(['cannot read approvals: no such file']);
  });

  it('reports a file that holds an object instead of a list', async () => {
    expect(await load(`  ${JSON.stringify(approve())}`)).toEqual([
      'approvals.json:1:3 an approvals file is a JSON list of {for, role, name, user, decision, at, reason?}',
    ]);
  });

  it('reports a role the plan does not ask for, naming the roles it asks for', async () => {
    expect(await load(fileText([approve(), approve({ role: 'cto' })]))).toEqual([
      'approvals.json:3:28 unknown role "cto" for production: the plan asks for product-owner, sre',
    ]);
  });

  it('accepts the security role for production only when the release is security-impacting', async () => {
    const security = approve({ role: 'security', name: 'Sam Ortiz', user: 'sam' });
    expect(await load(fileText([security]), securityPlan)).toEqual([security]);
    expect(approvalRoles(securityPlan, 'production')).toEqual(['product-owner', 'sre', 'security']);
    expect(await load(fileText([approve({ for: 'freeze', role: 'product-owner', name: 'Taylor Reed', user: 'taylor' })]))).toEqual([
      'approvals.json:2:24 unknown role "product-owner" for freeze: the plan asks for sre',
    ]);
  });

  it('reports a name that does not hold the role at the name', async () => {
    expect(await load(fileText([approve({ name: 'Taylor Reed', user: 'taylor' })]))).toEqual([
      'approvals.json:2:41 "Taylor Reed" does not hold role "sre": the plan names Alex Kim (alex)',
    ]);
  });

  it('reports a login that does not match the named stakeholder at the user', async () => {
    expect(await load(fileText([approve({ user: 'root' })]))).toEqual([
      `approvals.json:2:59 user "root" is not Alex Kim's login: the plan says "alex"`,
    ]);
  });

  it('reports missing keys, unknown keys and bad values of every entry in position order', async () => {
    const { user: _user, ...withoutUser } = approve();
    const text = fileText([withoutUser, approve({ decision: 'maybe', at: 'yesterday' }), approve({ approver: 'me' })]);
    expect(await load(text)).toEqual([
      'approvals.json:2:1 missing key "user" in approvals[0]',
      'approvals.json:3:77 approvals[1].decision: expected "approve" or "reject"',
      'approvals.json:3:90 approvals[1].at: expected an ISO-8601 date and time such as 2024-06-01T02:00:00Z',
      'approvals.json:4:115 unknown key "approver" in approvals[2]',
    ]);
  });

  it('finds syntax errors exactly where JSON.parse does, for any text', () => {
    const parses = (text: string): boolean => {
      try {
        JSON.parse(text);
        return true;
      } catch {
        return false;
      }
    };
    const damaged = fc
      .tuple(fc.json(), fc.string({ maxLength: 2 }), fc.nat())
      .map(([json, insert, at]) => json.slice(0, at % (json.length + 1)) + insert + json.slice(at % (json.length + 1)));
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string(), damaged), (text) => {
        expect('errorAt' in scanJson(text)).toBe(!parses(text));
      }),
      { numRuns: 2000 },
    );
  });
});
