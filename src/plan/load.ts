import { constants, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { z } from 'zod';
import { byPosition, describePath, type PlanError, type PlanIssue, type PlanPath } from './errors.js';
import { planSchema, type Plan } from './schema.js';
import { checkSemantics } from './semantics.js';

/** Far above any real plan (the demo's is 5 KB), and small enough to parse in well under a second. */
export const MAX_PLAN_BYTES = 16 * 1024 * 1024;
const READ_CHUNK_BYTES = 256 * 1024;

export interface LoadedPlan {
  plan: Plan;
  /** Absolute. */
  planPath: string;
  /** Absolute: paths inside the plan are relative to it. */
  planDir: string;
  /** As the user gave it, for messages. */
  file: string;
}

type ZodIssue = z.core.$ZodIssue;

/** Reads, parses and checks a plan; every problem comes back located, nothing throws for bad input. */
export async function loadPlan(
  planPath: string,
  opts: { cwd?: string } = {},
): Promise<LoadedPlan | { errors: PlanError[] }> {
  const file = planPath;
  const absolute = path.resolve(opts.cwd ?? process.cwd(), planPath);
  const at = (message: string, line = 1, col = 1): PlanError => ({ file, line, col, message });

  let text: string;
  try {
    const read = await readPlanText(absolute);
    if (typeof read !== 'string') return { errors: [at(`cannot read plan: ${read.problem}`)] };
    text = read;
  } catch (error) {
    return { errors: [at(`cannot read plan: ${readProblem(error)}`)] };
  }

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const position = (offset: number): PlanError => ({ file, ...lineCounter.linePos(offset), message: '' });
  // Schema errors on a document that did not parse would only be noise: fix the syntax first.
  if (doc.errors.length > 0) {
    const errors = doc.errors.map((error) => ({ ...position(error.pos[0]), message: `YAML: ${firstLine(error.message)}` }));
    return { errors: errors.sort(byPosition) };
  }
  if (!isMap(doc.contents)) {
    const found = doc.contents === null ? 'the file is empty' : `found ${describeValue(doc.contents.toJSON())}`;
    const offset = doc.contents?.range?.[0] ?? 0;
    return { errors: [{ ...position(offset), message: `a plan is a YAML mapping of keys (version, release, …): ${found}` }] };
  }

  let input: unknown;
  try {
    input = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return { errors: [at(`YAML: ${firstLine((error as Error).message)}`)] };
  }

  const locate = (issue: PlanIssue): PlanError => ({ ...position(offsetOf(doc, issue)), message: issue.message });
  const parsed = planSchema.safeParse(input);
  if (!parsed.success) {
    return { errors: schemaIssues(parsed.error.issues, input, []).map(locate).sort(byPosition) };
  }
  const planDir = path.dirname(absolute);
  const semanticIssues = await checkSemantics(parsed.data, planDir);
  if (semanticIssues.length > 0) return { errors: semanticIssues.map(locate).sort(byPosition) };
  return { plan: parsed.data, planPath: absolute, planDir, file };
}

/**
 * The plan's text, or why it is refused. Only a regular file is read: a FIFO would block until
 * a writer came, a device (/dev/zero) would never end. O_NONBLOCK keeps open() itself from
 * waiting on a FIFO swapped in after the stat; fstat then decides on what was really opened.
 */
async function readPlanText(absolute: string): Promise<string | { problem: string }> {
  const before = await stat(absolute);
  if (!before.isFile()) return { problem: notRegular(before) };
  const handle = await open(absolute, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { problem: notRegular(info) };
    if (info.size > MAX_PLAN_BYTES) return { problem: tooLarge(info.size) };
    // Read on to the end rather than trusting the size: a file that grows after the fstat is capped too.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const { bytesRead, buffer } = await handle.read({ buffer: Buffer.alloc(READ_CHUNK_BYTES) });
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > MAX_PLAN_BYTES) return { problem: tooLarge(total) };
      chunks.push(buffer.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    await handle.close();
  }
}

function notRegular(info: Stats): string {
  if (info.isDirectory()) return 'it is a directory';
  if (info.isFIFO()) return 'not a regular file (a named pipe)';
  if (info.isCharacterDevice()) return 'not a regular file (a character device)';
  if (info.isBlockDevice()) return 'not a regular file (a block device)';
  if (info.isSocket()) return 'not a regular file (a socket)';
  return 'not a regular file';
}

function tooLarge(bytes: number): string {
  return `too large: ${bytes} bytes, over the cap of ${MAX_PLAN_BYTES} bytes (16 MiB) for a plan`;
}

function readProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return code ?? (error as Error).message;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/** Turns zod's issues into messages in the plan's words, each pointing at a YAML node. */
function schemaIssues(issues: readonly ZodIssue[], input: unknown, prefix: PlanPath): PlanIssue[] {
  return issues.flatMap((issue): PlanIssue[] => {
    const at: PlanPath = [...prefix, ...issue.path.map((part) => (typeof part === 'number' ? part : String(part)))];
    const value = valueAt(input, at);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: [...at, key],
        at: 'key' as const,
        message: `unknown key "${key}" in ${describePath(at)}${suggestion(key, knownKeys(at))}`,
      }));
    }
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const branch = closestBranch(issue.errors, value);
      if (branch) return schemaIssues(branch, input, at);
    }
    if (value === undefined && at.length > 0) {
      const parent = at.slice(0, -1);
      const options = 'options' in issue && Array.isArray(issue.options) ? `: one of ${issue.options.join(', ')}` : '';
      return [{ path: parent, message: `missing key "${String(at[at.length - 1])}" in ${describePath(parent)}${options}` }];
    }
    if (issue.code === 'invalid_type') {
      const quote = issue.expected === 'string' && value !== null && typeof value !== 'object' ? ' (quote it)' : '';
      return [{ path: at, message: `${describePath(at)}: expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${describeValue(value)}${quote}` }];
    }
    // Messages written in the schema often name their key already ("version must be 1").
    const named = at.length > 0 && issue.message.startsWith(`${String(at[at.length - 1])} `);
    return [{ path: at, message: named ? issue.message : `${describePath(at)}: ${issue.message}` }];
  });
}

const EXPECTED: Record<string, string> = {
  string: 'text',
  number: 'a number',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
};

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `text "${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return `${typeof value} ${String(value)}`;
}

/** A check is `{name, run}` or `{name, http}`: report the branch the author evidently meant. */
function closestBranch(branches: readonly (readonly ZodIssue[])[], value: unknown): readonly ZodIssue[] | undefined {
  const missing = branches.map(
    (issues) => issues.filter((issue) => issue.path.length === 1 && valueAt(value, [String(issue.path[0])]) === undefined).length,
  );
  const fewest = Math.min(...missing);
  return missing.filter((count) => count === fewest).length === 1 ? branches[missing.indexOf(fewest)] : undefined;
}

function valueAt(input: unknown, at: PlanPath): unknown {
  let value = input;
  for (const part of at) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[part];
  }
  return value;
}

/** The keys the schema allows at a path, to suggest one for a typo. */
function knownKeys(at: PlanPath): string[] {
  const unwrap = (schema: unknown): unknown =>
    schema instanceof z.ZodDefault || schema instanceof z.ZodOptional ? unwrap(schema.unwrap()) : schema;
  const keysOf = (schema: unknown): string[] => {
    const inner = unwrap(schema);
    if (inner instanceof z.ZodObject) return Object.keys(inner.shape);
    if (inner instanceof z.ZodUnion) return [...new Set(inner.options.flatMap(keysOf))];
    return [];
  };
  let schema: unknown = planSchema;
  for (const part of at) {
    const inner = unwrap(schema);
    if (inner instanceof z.ZodObject) schema = inner.shape[String(part)];
    else if (inner instanceof z.ZodArray) schema = inner.element;
    else return [];
  }
  return keysOf(schema);
}

function suggestion(key: string, known: string[]): string {
  const close = known.filter((candidate) => editDistance(key.toLowerCase(), candidate.toLowerCase()) <= 2);
  return close.length > 0 ? ` (did you mean "${close[0]}"?)` : '';
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The YAML node an issue names, or its deepest ancestor that the author wrote. */
function offsetOf(doc: Document, issue: PlanIssue): number {
  let node: Node | null = doc.contents;
  let key: Node | null = null;
  let reached = 0;
  for (const part of issue.path) {
    if (isAlias(node)) node = node.resolve(doc) ?? null;
    let next: Node | null = null;
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(part));
      key = pair && isScalar(pair.key) ? pair.key : null;
      next = (pair?.value as Node | null | undefined) ?? key;
    } else if (isSeq(node) && typeof part === 'number') {
      key = null;
      next = (node.items[part] as Node | undefined) ?? null;
    }
    if (!next) break;
    node = next;
    reached++;
  }
  const target = issue.at === 'key' && reached === issue.path.length && key ? key : node;
  return target?.range?.[0] ?? 0;
}
