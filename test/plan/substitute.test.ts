import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planVariables, substituteArgv, type PlanVariables } from '../../src/plan/substitute.js';
import type { Plan } from '../../src/plan/schema.js';

const VARS: PlanVariables = { TAG: 'v1.2.3', RELEASE: 'payments', ENV: 'production', EVIDENCE_DIR: '/tmp/evidence' };
const KNOWN = ['${TAG}', '${RELEASE}', '${ENV}', '${EVIDENCE_DIR}'];

describe('substituteArgv', () => {
  it('replaces every known placeholder inside an element', () => {
    expect(substituteArgv(['deploy', '--tag=${TAG}', '${EVIDENCE_DIR}/${RELEASE}-${ENV}.log'], VARS)).toEqual([
      'deploy',
      '--tag=v1.2.3',
      '/tmp/evidence/payments-production.log',
    ]);
  });

  it('keeps a value with spaces as one argument', () => {
    expect(substituteArgv(['echo', '${RELEASE}'], { ...VARS, RELEASE: 'payments June; rm -rf /' })).toEqual([
      'echo',
      'payments June; rm -rf /',
    ]);
  });

  it('leaves unknown placeholders as written', () => {
    expect(substituteArgv(['${HOME}', '${tag}', '$TAG'], VARS)).toEqual(['${HOME}', '${tag}', '$TAG']);
  });

  it('does not expand a placeholder that a value contains', () => {
    expect(substituteArgv(['${RELEASE}'], { ...VARS, RELEASE: 'x-${TAG}' })).toEqual(['x-${TAG}']);
  });

  it('treats $${TAG} as a dollar sign followed by the tag', () => {
    expect(substituteArgv(['$${TAG}'], VARS)).toEqual(['$v1.2.3']);
  });

  it('inserts replacement patterns such as $& literally', () => {
    expect(substituteArgv(['${TAG}'], { ...VARS, TAG: "$&$'$1" })).toEqual(["$&$'$1"]);
  });

  it('takes the variables from the release', () => {
    const plan = { release: { name: 'payments', tag: 'v9', environment: 'staging' } } as Plan;
    expect(planVariables(plan, '/ev')).toEqual({ TAG: 'v9', RELEASE: 'payments', ENV: 'staging', EVIDENCE_DIR: '/ev' });
  });

  const element = fc.array(fc.oneof(fc.string(), fc.constantFrom(...KNOWN, '${', '}', '$', '${UNKNOWN}')), { maxLength: 6 }).map((parts) => parts.join(''));
  // A value with `$` or `{` could join with the text around it into a new `${TAG}`
  // ("a$" + "{TAG}"); the plan's values (tags, names, paths) hold neither.
  const value = fc.string().filter((text) => !text.includes('$') && !text.includes('{'));
  const variables = fc.record({ TAG: value, RELEASE: value, ENV: value, EVIDENCE_DIR: value });

  it('returns one element for each element, whatever they hold', () => {
    fc.assert(
      fc.property(fc.array(element), fc.record({ TAG: fc.string(), RELEASE: fc.string(), ENV: fc.string(), EVIDENCE_DIR: fc.string() }), (argv, vars) => {
        expect(substituteArgv(argv, vars)).toHaveLength(argv.length);
      }),
    );
  });

  it('leaves no known placeholder behind when the values hold none', () => {
    fc.assert(
      fc.property(fc.array(element), variables, (argv, vars) => {
        for (const out of substituteArgv(argv, vars)) for (const placeholder of KNOWN) expect(out).not.toContain(placeholder);
      }),
    );
  });

  it('leaves elements without a placeholder unchanged', () => {
    fc.assert(
      fc.property(fc.array(fc.string().filter((text) => !text.includes('${'))), variables, (argv, vars) => {
        expect(substituteArgv(argv, vars)).toEqual(argv);
      }),
    );
  });
});
