// Command output must not drive the operator's terminal (SPEC §10): every control
// sequence is removed, and carriage-return / backspace overwrites are resolved so a
// line shows what a terminal would finally show. Pure functions, no IO.

import { mapStrings } from './strings.js';

const ESC = 0x1b;
const BEL = 0x07;
const BS = 0x08;
const TAB = 0x09;
const CR = 0x0d;
const DEL = 0x7f;
const C1_ST = 0x9c;

/** Anything that needs the slow path: C0 controls except tab, DEL and C1 controls. */
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/;
/** Colours and text attributes only: `ESC [ 1;31 m`, also `38:2::255:0:0`. No private forms. */
const SGR = /^\x1b\[[0-9;:]{0,64}m$/;
const SGR_RESET = '\x1b[0m';

/** Plain text for the evidence, journal and logs: no control sequence of any kind. */
export function sanitizeForEvidence(line: string): string {
  return CONTROL.test(line) ? render(line, false) : line;
}

/** Text for the console: like the evidence, but colour (SGR) sequences may stay. */
export function sanitizeForTerminal(line: string): string {
  return CONTROL.test(line) ? render(line, true) : line;
}

/**
 * Text read from elsewhere (a journal from another host, a name inside a zip) for the
 * screen: sanitizeForEvidence line by line, so its line breaks stay and nothing else does.
 */
export function plainText(text: string): string {
  return CONTROL.test(text) ? text.split('\n').map(sanitizeForEvidence).join('\n') : text;
}

/**
 * A message that quotes names or text from a file, for the terminal: each control
 * character shown as its escape (`\u001b`), so nothing in it acts and nothing hides.
 * Line breaks and tabs stay.
 */
export function escapeControls(text: string): string {
  return CONTROL.test(text) ? text.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : text;
}

/** Every string in a parsed JSON value through plainText, keys too: the same value when none changes (a journal warroom wrote holds none). */
export const plainValue = <T>(value: T): T => mapStrings(value, plainText);

/** True when the line holds anything the sanitisers would change. */
export function hasControlCharacters(line: string): boolean {
  return CONTROL.test(line);
}

/**
 * Replays the line onto one row of cells: printable characters overwrite at the cursor,
 * `\r` returns to column 0, backspace moves left, sequences take no cell. A kept colour
 * sequence travels with the next character it styles.
 */
function render(line: string, keepSgr: boolean): string {
  if (!OVERWRITE.test(line)) return renderRuns(line, keepSgr);
  const cells: string[] = [];
  let column = 0;
  let pendingSgr = '';
  let keptSgr = false;
  let i = 0;
  while (i < line.length) {
    const code = line.charCodeAt(i);
    if (code === ESC || (code >= 0x80 && code <= 0x9f)) {
      const end = sequenceEnd(line, i);
      if (keepSgr && code === ESC) {
        const sequence = line.slice(i, end);
        if (SGR.test(sequence)) pendingSgr += withoutConceal(sequence);
      }
      i = end;
    } else if (code === CR) {
      column = 0;
      i += 1;
    } else if (code === BS) {
      column = Math.max(0, column - 1);
      i += 1;
    } else if ((code < 0x20 && code !== TAB) || code === DEL) {
      i += 1;
    } else {
      const width = isHighSurrogate(code) && isLowSurrogate(line.charCodeAt(i + 1)) ? 2 : 1;
      const cell = pendingSgr + line.slice(i, i + width);
      if (pendingSgr !== '') keptSgr = true;
      pendingSgr = '';
      if (column < cells.length) cells[column] = cell;
      else cells.push(cell);
      column += 1;
      i += width;
    }
  }
  const text = cells.join('') + pendingSgr;
  // Colours must not bleed into whatever the console draws next.
  if ((keptSgr || pendingSgr !== '') && !text.endsWith(SGR_RESET)) return text + SGR_RESET;
  return text;
}

/** What moves the cursor back over text already shown. */
const OVERWRITE = /[\r\x08]/;

/**
 * render() for a line with nothing that moves the cursor back: no cell is overwritten,
 * so the line is its runs of text in order, without what render drops. Most lines with
 * controls are coloured ones, and this spares them a cell per character.
 */
function renderRuns(line: string, keepSgr: boolean): string {
  let text = '';
  let keptSgr = false;
  let run = 0;
  let i = 0;
  while (i < line.length) {
    const code = line.charCodeAt(i);
    if (code === ESC || (code >= 0x80 && code <= 0x9f)) {
      text += line.slice(run, i);
      const end = sequenceEnd(line, i);
      if (keepSgr && code === ESC) {
        const sequence = line.slice(i, end);
        const kept = SGR.test(sequence) ? withoutConceal(sequence) : '';
        if (kept !== '') {
          text += kept;
          keptSgr = true;
        }
      }
      i = run = end;
    } else if ((code < 0x20 && code !== TAB) || code === DEL) {
      text += line.slice(run, i);
      i = run = i + 1;
    } else {
      i += 1;
    }
  }
  text += line.slice(run);
  return keptSgr && !text.endsWith(SGR_RESET) ? text + SGR_RESET : text;
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/**
 * Colour may stay, hiding may not: SGR 8 (conceal) would let a line show the operator
 * less than the log holds (`tests \e[8mFAILED`). Colour arguments (`38;5;8`) are kept.
 */
function withoutConceal(sequence: string): string {
  const parameters = sequence.slice(2, -1);
  if (!parameters.includes('8')) return sequence;
  const kept: string[] = [];
  const list = parameters.split(';');
  for (let i = 0; i < list.length; i += 1) {
    const parameter = list[i] ?? '';
    if (parameter === '38' || parameter === '48' || parameter === '58') {
      // Extended colour: 5;index or 2;r;g;b follow and are arguments, not attributes.
      const take = list[i + 1] === '5' ? 2 : list[i + 1] === '2' ? 4 : 0;
      kept.push(...list.slice(i, i + 1 + take));
      i += take;
    } else if (!/^0*8$/.test(parameter)) kept.push(parameter);
  }
  // An empty list would be a reset (`ESC [ m`), which the concealing sequence was not.
  return kept.length === 0 ? '' : `\x1b[${kept.join(';')}m`;
}

/** Index just after the escape sequence (or lone C0/C1 control) starting at `start`. */
function sequenceEnd(line: string, start: number): number {
  const code = line.charCodeAt(start);
  if (code !== ESC) {
    // 8-bit forms: CSI, OSC, DCS, SOS, PM, APC; other C1 controls stand alone.
    if (code === 0x9b) return controlSequenceEnd(line, start + 1);
    if (code === 0x9d || code === 0x90 || code === 0x98 || code === 0x9e || code === 0x9f) {
      return controlStringEnd(line, start + 1);
    }
    return start + 1;
  }
  const next = line.charCodeAt(start + 1);
  if (next === 0x5b) return controlSequenceEnd(line, start + 2); // ESC [  CSI
  // ESC ] OSC (titles, hyperlinks, clipboard), ESC P DCS, ESC X SOS, ESC ^ PM, ESC _ APC
  if (next === 0x5d || next === 0x50 || next === 0x58 || next === 0x5e || next === 0x5f) {
    return controlStringEnd(line, start + 2);
  }
  if (next >= 0x20 && next <= 0x2f) {
    // ESC intermediates final, e.g. ESC ( B (character set), ESC # 8 (screen fill)
    let i = start + 1;
    while (i < line.length && line.charCodeAt(i) >= 0x20 && line.charCodeAt(i) <= 0x2f) i += 1;
    const final = line.charCodeAt(i);
    return final >= 0x30 && final <= 0x7e ? i + 1 : i;
  }
  if (next >= 0x30 && next <= 0x7e) return start + 2; // ESC c (reset), ESC 7, ESC M …
  return start + 1;
}

/** CSI: parameter and intermediate bytes, then one final byte; stops early at anything else. */
function controlSequenceEnd(line: string, from: number): number {
  let i = from;
  while (i < line.length && line.charCodeAt(i) >= 0x20 && line.charCodeAt(i) <= 0x3f) i += 1;
  const final = line.charCodeAt(i);
  return final >= 0x40 && final <= 0x7e ? i + 1 : i;
}

/**
 * OSC/DCS/SOS/PM/APC: everything up to BEL or ST (ESC \ or 0x9C). Another ESC cancels
 * the string and starts a new sequence, as in xterm; unterminated, it runs to the end.
 */
function controlStringEnd(line: string, from: number): number {
  for (let i = from; i < line.length; i += 1) {
    const code = line.charCodeAt(i);
    if (code === BEL || code === C1_ST) return i + 1;
    if (code === ESC) return line.charCodeAt(i + 1) === 0x5c ? i + 2 : i;
  }
  return line.length;
}
