/** A problem a release manager can fix, located in the file they wrote. */
export interface PlanError {
  /** The path as the user gave it: relative stays relative. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  col: number;
  message: string;
}

/** `release.yaml:12:5 unknown key "stategy" in release`: the shape editors jump to. */
export function formatPlanError(error: PlanError): string {
  return `${error.file}:${error.line}:${error.col} ${error.message}`;
}

/** Position order, so the first line printed is the first thing to fix. */
export function byPosition(a: PlanError, b: PlanError): number {
  return a.line - b.line || a.col - b.col;
}

/** Where a problem is in the plan: keys and list indexes, as zod reports them. */
export type PlanPath = readonly (string | number)[];

/** A problem known by its path in the document; the loader turns it into a PlanError. */
export interface PlanIssue {
  path: PlanPath;
  message: string;
  /** Point at the key itself rather than its value (unknown keys, misplaced keys). */
  at?: 'key';
}

/** `['deploy', 'steps', 0, 'run']` → `deploy.steps[0].run`; the root is `the plan`. */
export function describePath(at: PlanPath): string {
  const text = at.map((part) => (typeof part === 'number' ? `[${part}]` : `.${part}`)).join('');
  return text === '' ? 'the plan' : text.slice(1);
}
