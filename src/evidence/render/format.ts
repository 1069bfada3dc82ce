import { sanitizeForEvidence } from '../../safety/sanitize.js';
import { formatDuration } from '../../plan/duration.js';
import type { SessionContext } from '../../../machines/types.js';

// Small pure helpers every renderer shares: JSON layout, Markdown escaping,
// shell-style argv, percentages, durations and sparklines.

/** JSON artifacts: two-space indent and a trailing newline, so hashes and diffs are stable. */
export const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** Session text on one line with no terminal control sequences: the auditor's file is plain text. */
const oneLine = (text: string): string => sanitizeForEvidence(text.replace(/\r?\n/g, ' '));

/**
 * Session text (reasons, details, names) for Markdown: one line, and no `<`, so a command's
 * output cannot open an HTML comment or tag that hides the rest of the report when rendered.
 */
export function inline(text: string): string {
  return oneLine(text).replace(/</g, '&lt;');
}

/** A Markdown table cell: one line, pipes escaped (GFM splits cells on `|` even inside code spans). */
const cell = (text: string): string => inline(text).replace(/\|/g, '\\|');

/** A code span that survives backticks inside the text. */
export function code(text: string): string {
  // Inside a code span `<` is shown as it is, and `&lt;` would be too.
  const clean = oneLine(text);
  return clean.includes('`') ? `\`\` ${clean} \`\`` : `\`${clean}\``;
}

export function table(headers: string[], rows: string[][], empty = '_None recorded._'): string {
  if (rows.length === 0) return empty;
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(headers), `|${headers.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

export const bullets = (items: string[], empty = '_None._'): string => (items.length ? items.map((i) => `- ${i}`).join('\n') : empty);

/** A Markdown link to an evidence file, relative to the evidence folder. */
export const fileLink = (path: string): string => `[${inline(path)}](${encodeURI(path)})`;

/** Joins Markdown sections with one blank line and ends the file with a newline. */
export const document = (sections: string[]): string => `${sections.filter((s) => s !== '').join('\n\n')}\n`;

/** An argv as a release engineer would type it: plain words bare, anything else single-quoted. */
export function shellWord(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
export const commandLine = (argv: readonly string[]): string => argv.map(shellWord).join(' ');

export const percent = (ratio: number): string => `${(ratio * 100).toFixed(ratio === 1 || ratio === 0 ? 0 : 1)}%`;

export const isoAt = (ms: number): string => new Date(ms).toISOString();

/** "1m 33s" between two ISO times; undefined when either end is missing. */
export function between(start: string | undefined, end: string | undefined): string | undefined {
  if (!start || !end) return undefined;
  return formatDuration(Math.max(0, Date.parse(end) - Date.parse(start)));
}

export const number = (value: number | undefined): string => (value === undefined ? 'no value' : String(value));

const BARS = '▁▂▃▄▅▆▇█';

/** Recent samples as eight-level bars scaled between their own min and max; a flat series is a flat line. */
export function sparkline(values: readonly number[]): string {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return '';
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  return finite.map((v) => BARS[hi === lo ? 0 : Math.min(BARS.length - 1, Math.floor(((v - lo) / (hi - lo)) * BARS.length))]).join('');
}

export const releaseOf = (context: SessionContext) => ({
  name: context.plan.release.name,
  tag: context.plan.release.tag,
  environment: context.plan.release.environment,
});

export const releaseTitle = (context: SessionContext): string => `${context.plan.release.name} ${context.plan.release.tag}`;

/** "Sam Okafor (sre, sam)": who, in which role, under which login. */
export const personLabel = (p: { name: string; role: string; user: string }): string => `${p.name} (${p.role}, ${p.user})`;
