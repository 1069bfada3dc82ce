import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
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

/** One line of plain text: newlines become spaces, control sequences go (SPEC §10: no control characters in evidence). */
export const evidenceText = (text: string): string => sanitizeForEvidence(text.replace(/\r\n|[\r\n\u2028\u2029]/g, ' ')).trim();

/** JSON inside an HTML comment: `<` and `>` only occur inside strings, so escaping them keeps `-->` out. */
const commentJson = (entry: ManualValidation): string => JSON.stringify(entry).replace(/</g, '\\u003c').replace(/>/g, '\\u003e');

function renderEntry(entry: ManualValidation): string {
  return [
    `## ${entry.at} — ${entry.step}: ${entry.result}`,
    '',
    `- Step: ${entry.step}`,
    `- Result: **${entry.result}**`,
    `- Recorded by: ${entry.by} (OS login ${entry.login})`,
    `- Note: ${entry.note}`,
    '',
    `<!-- ${MARKER} ${commentJson(entry)} -->`,
    '',
  ].join('\n');
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
  const existing = existsSync(path) ? readFileSync(path, 'utf8') : HEADER;
  writeFileAtomic(path, `${existing.trimEnd()}\n\n${renderEntry(entry)}`);
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
