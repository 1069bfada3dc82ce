import { closeSync, constants, existsSync, lstatSync, openSync, readFileSync, realpathSync, type Stats } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { sanitizeForEvidence } from '../safety/sanitize.js';
import { MANUAL_VALIDATION_LOG } from './files.js';
import { writeFileAtomic } from './writer.js';

// Protocol 15, Manual Fallbacks: "When automation is unavailable … document results in
// .artifacts/protocol-15/manual-validation-log.md". One `##` section per validation, for
// people, each carrying its entry as JSON in an HTML comment, for the report.

export interface ManualValidation {
  at: string;
  step: string;
  result: 'pass' | 'fail';
  /** The name the validator gave (--by). */
  by: string;
  /** The OS login that ran the command: who was actually at the keyboard. */
  login: string;
  note: string;
}

const MARKER = 'warroom:manual-validation';
const ENTRY = new RegExp(`^<!-- ${MARKER} (.*) -->$`);
const HEADER = `# Manual Validation Log (Protocol 15)

Validations recorded by hand when automation for a step was unavailable (\`warroom manual\`).
Each entry: time, step, result, who (name given and OS login) and a note.
`;

/** The log sits in the \`protocol-15\` folder beside the evidence folder. */
export const manualValidationLogPath = (evidenceDir: string): string => resolve(join(evidenceDir, MANUAL_VALIDATION_LOG));

/** Something the user can fix (where the log would go, what is in its place): one line, nothing written. */
export class ManualLogError extends Error {}

/** One line of plain text: newlines become spaces, control sequences go (SPEC §10: no control characters in evidence). */
export const evidenceText = (text: string): string => sanitizeForEvidence(text.replace(/\r\n|[\r\n\u2028\u2029]/g, ' ')).trim();

/** JSON inside an HTML comment: `<` and `>` only occur inside strings, so escaping them keeps `-->` out. */
const commentJson = (entry: ManualValidation): string => JSON.stringify(entry).replace(/</g, '\\u003c').replace(/>/g, '\\u003e');

/** Text shown in rendered Markdown: no `<` to open an HTML comment or tag that would hide what follows. */
const shown = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function renderEntry(entry: ManualValidation): string {
  return [
    `## ${entry.at} — ${shown(entry.step)}: ${entry.result}`,
    '',
    `- Step: ${shown(entry.step)}`,
    `- Result: **${entry.result}**`,
    `- Recorded by: ${shown(entry.by)} (OS login ${shown(entry.login)})`,
    `- Note: ${shown(entry.note)}`,
    '',
    `<!-- ${MARKER} ${commentJson(entry)} -->`,
    '',
  ].join('\n');
}

const lstatOrUndefined = (path: string): Stats | undefined => {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
};

/** `verify` would name a log inside the evidence as an added file: refuse `/` and a link whose parent is within it. */
function assertBesideEvidence(evidenceDir: string, logDir: string): void {
  let evidence: string;
  try {
    evidence = realpathSync(evidenceDir);
  } catch {
    return; // no evidence folder on disk: nothing the log could land inside
  }
  const parent = realpathSync(dirname(logDir));
  if (parent === evidence || parent.startsWith(evidence.endsWith(sep) ? evidence : evidence + sep)) {
    throw new ManualLogError(`${logDir}: inside the evidence folder ${evidenceDir} (the log goes beside it); nothing recorded`);
  }
}

/** The log as it is on disk, bytes untouched; links are never followed (O_NOFOLLOW closes the race after lstat). */
function existingLog(path: string): Buffer | undefined {
  const folder = lstatOrUndefined(dirname(path));
  if (folder?.isSymbolicLink()) throw new ManualLogError(`${dirname(path)}: a symlink, not followed; nothing recorded`);
  if (folder && !folder.isDirectory()) throw new ManualLogError(`${dirname(path)}: not a folder; nothing recorded`);
  const log = lstatOrUndefined(path);
  if (log === undefined) return undefined;
  if (log.isSymbolicLink()) throw new ManualLogError(`${path}: a symlink, not followed; nothing recorded`);
  if (!log.isFile()) throw new ManualLogError(`${path}: not a regular file; nothing recorded`);
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Earlier entries keep their exact bytes: only a blank line (as needed) and the new entry are added. */
function separator(existing: Buffer): string {
  if (existing.subarray(-2).equals(Buffer.from('\n\n'))) return '';
  return existing.subarray(-1).equals(Buffer.from('\n')) ? '\n' : '\n\n';
}

/** Appends one validation (read, append, atomic rewrite, mode 0640) and returns it as written. */
export function recordManualValidation(
  evidenceDir: string,
  input: { step: string; result: 'pass' | 'fail'; by: string; login: string; note: string },
  now: Date = new Date(),
): { entry: ManualValidation; path: string } {
  const entry: ManualValidation = {
    at: now.toISOString(),
    step: evidenceText(input.step),
    result: input.result,
    by: evidenceText(input.by),
    login: evidenceText(input.login),
    note: evidenceText(input.note),
  };
  const path = manualValidationLogPath(evidenceDir);
  assertBesideEvidence(evidenceDir, dirname(path));
  const existing = existingLog(path);
  const earlier = existing?.length ? existing : Buffer.from(HEADER);
  writeFileAtomic(path, Buffer.concat([earlier, Buffer.from(`${separator(earlier)}${renderEntry(entry)}`)]));
  return { entry, path };
}

function parseEntry(json: string): ManualValidation | undefined {
  try {
    const value = JSON.parse(json) as Partial<Record<keyof ManualValidation, unknown>>;
    const text = (key: keyof ManualValidation) => (typeof value[key] === 'string' ? (value[key] as string) : undefined);
    const [at, step, result, by, login, note] = (['at', 'step', 'result', 'by', 'login', 'note'] as const).map(text);
    if (at === undefined || step === undefined || by === undefined || login === undefined || note === undefined) return undefined;
    if (result !== 'pass' && result !== 'fail') return undefined;
    return { at, step, result, by, login, note };
  } catch {
    return undefined;
  }
}

/** Every validation recorded for this evidence folder, oldest first; none when the log does not exist. */
export function readManualValidations(evidenceDir: string): ManualValidation[] {
  const path = manualValidationLogPath(evidenceDir);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => ENTRY.exec(line)?.[1])
    .flatMap((json) => (json === undefined ? [] : (parseEntry(json) ?? [])));
}
