import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { byPosition, type PlanError, type PlanIssue, type PlanPath } from './errors.js';
import type { Plan } from './schema.js';

// `--approvals FILE` (SPEC section 2): consents granted elsewhere, checked like any other.

export const approvalEntrySchema = z.strictObject({
  for: z.enum(['production', 'freeze'], { error: 'expected "production" or "freeze"' }),
  role: z.string().min(1),
  name: z.string().min(1),
  user: z.string().min(1).describe('Login on this host'),
  decision: z.enum(['approve', 'reject'], { error: 'expected "approve" or "reject"' }),
  at: z.iso.datetime({ offset: true, error: 'expected an ISO-8601 date and time such as 2024-06-01T02:00:00Z' }),
  reason: z.string().optional(),
});

export type ApprovalEntry = z.infer<typeof approvalEntrySchema>;
export type ApprovalKind = ApprovalEntry['for'];

/** The roles whose consent the plan asks for: production approvals, or freeze acknowledgements. */
export function approvalRoles(plan: Plan, kind: ApprovalKind): string[] {
  if (kind === 'freeze') return [...new Set(plan.freeze.acknowledge)];
  const security = plan.release.securityImpacting ? plan.approvals.security : [];
  return [...new Set([...plan.approvals.production, ...security])];
}

export async function loadApprovalsFile(
  file: string,
  plan: Plan,
): Promise<{ entries: ApprovalEntry[] } | { errors: PlanError[] }> {
  let text: string;
  try {
    text = (await readFile(file, 'utf8')).replace(/^\uFEFF/, ''); // editors on Windows add a BOM
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (code ?? 'unreadable');
    return { errors: [{ file, line: 1, col: 1, message: `cannot read approvals: ${problem}` }] };
  }
  const locate = (offset: number, message: string): PlanError => ({ file, ...linePos(text, offset), message });

  const scanned = scanJson(text);
  if ('tooDeepAt' in scanned) {
    return { errors: [locate(scanned.tooDeepAt, `nested deeper than ${MAX_DEPTH} levels: an approvals file is a JSON list of {for, role, name, user, decision, at, reason?}`)] };
  }
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    const offset = 'errorAt' in scanned ? scanned.errorAt : 0;
    return { errors: [locate(offset, `not JSON: ${cleanJsonMessage((error as Error).message)}`)] };
  }
  if ('errorAt' in scanned) return { errors: [locate(scanned.errorAt, 'not JSON')] }; // JSON.parse is the authority

  const offsetOf = (issue: PlanIssue): number => {
    const key = JSON.stringify(issue.path);
    return (issue.at === 'key' ? scanned.keys.get(key) : undefined) ?? nearestValue(scanned.values, issue.path);
  };
  if (!Array.isArray(input)) {
    return { errors: [locate(offsetOf({ path: [], message: '' }), 'an approvals file is a JSON list of {for, role, name, user, decision, at, reason?}')] };
  }

  const entries: ApprovalEntry[] = [];
  const issues: PlanIssue[] = [];
  input.forEach((raw: unknown, index) => {
    const parsed = approvalEntrySchema.safeParse(raw);
    if (!parsed.success) {
      issues.push(...parsed.error.issues.flatMap((issue) => entryIssue(issue, raw, index)));
      return;
    }
    const problem = consentProblem(parsed.data, plan, index);
    if (problem) issues.push(problem);
    else entries.push(parsed.data);
  });
  if (issues.length > 0) {
    return { errors: issues.map((issue) => locate(offsetOf(issue), issue.message)).sort(byPosition) };
  }
  return { entries };
}

function entryIssue(issue: z.core.$ZodIssue, raw: unknown, index: number): PlanIssue[] {
  const at: PlanPath = [index, ...issue.path.map((part) => (typeof part === 'number' ? part : String(part)))];
  const where = `approvals${at.map((part) => (typeof part === 'number' ? `[${part}]` : `.${part}`)).join('')}`;
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: [...at, key], at: 'key' as const, message: `unknown key "${key}" in ${where}` }));
  }
  const field = issue.path[0];
  const present = raw !== null && typeof raw === 'object' && !Array.isArray(raw);
  if (present && field !== undefined && (raw as Record<string, unknown>)[String(field)] === undefined) {
    return [{ path: [index], message: `missing key "${String(field)}" in approvals[${index}]` }];
  }
  const expected = issue.code === 'invalid_type' && issue.path.length === 0 ? 'expected an object {for, role, name, user, decision, at}' : issue.message;
  return [{ path: at, message: `${where}: ${expected}` }];
}

/** The role must be one the plan asks for, and the person one of the stakeholders holding it. */
function consentProblem(entry: ApprovalEntry, plan: Plan, index: number): PlanIssue | undefined {
  const roles = approvalRoles(plan, entry.for);
  if (!roles.includes(entry.role)) {
    const asks = roles.length > 0 ? roles.join(', ') : 'no role';
    return { path: [index, 'role'], message: `unknown role "${entry.role}" for ${entry.for}: the plan asks for ${asks}` };
  }
  const holders = plan.stakeholders.filter((stakeholder) => stakeholder.role === entry.role);
  if (holders.some((holder) => holder.name === entry.name && holder.user === entry.user)) return undefined;
  const named = holders.find((holder) => holder.name === entry.name);
  if (named) {
    return { path: [index, 'user'], message: `user "${entry.user}" is not ${named.name}'s login: the plan says "${named.user}"` };
  }
  const who = holders.map((holder) => `${holder.name} (${holder.user})`).join(', ');
  return { path: [index, 'name'], message: `"${entry.name}" does not hold role "${entry.role}": the plan names ${who}` };
}

function nearestValue(values: Map<string, number>, at: PlanPath): number {
  for (let depth = at.length; depth >= 0; depth--) {
    const offset = values.get(JSON.stringify(at.slice(0, depth)));
    if (offset !== undefined) return offset;
  }
  return 0;
}

function linePos(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, col: (before[before.length - 1]?.length ?? 0) + 1 };
}

/** V8 echoes the whole input and sometimes a position; we print our own position. */
function cleanJsonMessage(message: string): string {
  return message.replace(/, ".*" is not valid JSON$/s, '').replace(/ in JSON at position \d+.*$/s, '');
}

export type JsonScan = { values: Map<string, number>; keys: Map<string, number> } | { errorAt: number } | { tooDeepAt: number };

/** Far beyond any approvals file (a list of flat objects), far below what the scanner's recursion can bear. */
export const MAX_DEPTH = 64;

/**
 * A strict RFC 8259 scanner that records where each value and key starts: JSON.parse gives
 * the values but no positions (and Node 20 often not even the error's offset).
 */
export function scanJson(text: string): JsonScan {
  const values = new Map<string, number>();
  const keys = new Map<string, number>();
  let i = 0;
  const fail = (): never => {
    throw new JsonSyntaxAt(i);
  };
  const whitespace = (): void => {
    while (/[ \t\n\r]/.test(text[i] ?? '')) i++;
  };
  const expect = (char: string): void => {
    whitespace();
    if (text[i] !== char) fail();
    i++;
  };
  const string = (): string => {
    const start = i;
    if (text[i] !== '"') fail();
    i++;
    for (;;) {
      const char = text[i];
      if (char === undefined || char < ' ') fail();
      if (char === '"') return JSON.parse(text.slice(start, ++i)) as string;
      if (char === '\\') {
        i++;
        const escape = text[i] ?? '';
        if (escape === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) i += 4;
        else if (escape === '' || !'"\\/bfnrt'.includes(escape)) fail();
      }
      i++;
    }
  };
  const value = (at: PlanPath): void => {
    whitespace();
    values.set(JSON.stringify(at), i);
    const char = text[i];
    if (char === '{' || char === '[') {
      if (at.length >= MAX_DEPTH) throw new JsonTooDeepAt(i);
      const close = char === '{' ? '}' : ']';
      i++;
      whitespace();
      if (text[i] === close) return void i++;
      for (let index = 0; ; index++) {
        let part: string | number = index;
        if (close === '}') {
          whitespace();
          const keyStart = i;
          part = string();
          keys.set(JSON.stringify([...at, part]), keyStart);
          expect(':');
        }
        value([...at, part]);
        whitespace();
        if (text[i] === close) return void i++;
        expect(',');
      }
    }
    if (char === '"') return void string();
    const literal = /true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    literal.lastIndex = i;
    if (!literal.test(text)) fail();
    i = literal.lastIndex;
  };
  try {
    value([]);
    whitespace();
    if (i < text.length) fail();
    return { values, keys };
  } catch (error) {
    if (error instanceof JsonSyntaxAt) return { errorAt: error.offset };
    if (error instanceof JsonTooDeepAt) return { tooDeepAt: error.offset };
    throw error;
  }
}

class JsonSyntaxAt extends Error {
  constructor(readonly offset: number) {
    super(`JSON syntax error at ${offset}`);
  }
}

class JsonTooDeepAt extends Error {
  constructor(readonly offset: number) {
    super(`JSON nested too deeply at ${offset}`);
  }
}
