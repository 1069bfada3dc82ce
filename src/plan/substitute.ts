import type { Plan } from './schema.js';

/** The values a plan may use inside argv elements (SPEC section 3). */
export interface PlanVariables {
  TAG: string;
  RELEASE: string;
  ENV: string;
  EVIDENCE_DIR: string;
}

export const PLACEHOLDER_NAMES = ['TAG', 'RELEASE', 'ENV', 'EVIDENCE_DIR'] as const;

const PLACEHOLDER = /\$\{(TAG|RELEASE|ENV|EVIDENCE_DIR)\}/g;

export function planVariables(plan: Plan, evidenceDir: string): PlanVariables {
  return {
    TAG: plan.release.tag,
    RELEASE: plan.release.name,
    ENV: plan.release.environment,
    EVIDENCE_DIR: evidenceDir,
  };
}

/**
 * Replaces `${TAG}`, `${RELEASE}`, `${ENV}` and `${EVIDENCE_DIR}` inside each element.
 * One element stays one argument whatever the value holds (no shell, no word splitting);
 * values are inserted in a single pass, so a value that itself contains `${TAG}` is not
 * expanded again. Unknown `${X}` stays as written. There is no escape: `$${TAG}` is a
 * literal `$` followed by the tag.
 */
export function substituteArgv(argv: readonly string[], vars: PlanVariables): string[] {
  return argv.map((element) => element.replace(PLACEHOLDER, (_, name: keyof PlanVariables) => vars[name]));
}

/** `${X}` names in an element that warroom will not substitute (likely typos). */
export function unknownPlaceholders(element: string): string[] {
  const known = new Set<string>(PLACEHOLDER_NAMES);
  return [...element.matchAll(/\$\{([^}]*)\}/g)]
    .map((match) => match[1] ?? '')
    .filter((name) => !known.has(name));
}
