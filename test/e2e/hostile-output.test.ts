import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';

const saved = vi.hoisted(() => {
  // Ink prints only the last frame when it believes it runs in CI; colour is forced so the
  // console test proves that colour (SGR) is all that reaches the frame, not that none does.
  const before = { CI: process.env.CI, FORCE_COLOR: process.env.FORCE_COLOR };
  delete process.env.CI;
  process.env.FORCE_COLOR = '1';
  return before;
});

import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { cleanup } from 'ink-testing-library';
import { readJournal } from '../../src/journal/journal.js';
import { LineSplitter } from '../../src/runner/lines.js';
import { createOutputFilter } from '../../src/safety/output.js';
import { testPlan, until } from '../machines/harness.js';
import { CORPORA, corpusBytes, EVIDENCE_CONTROL, expectations, forbiddenSecrets, HAS_SGR, linesOf, SGR } from '../safety/corpora.js';
import { fakeSession } from '../views/fake-session.js';
import { flat, renderScreen } from '../views/screen.js';
import { warroom } from './demo.js';

// fixtures/corpora/release.yaml run headless with the real CLI: its one deploy step prints
// fake secrets, ordinary lines and terminal-escape forgeries. Nothing may reach the screen,
// the step's log, the journal or the evidence zip unmasked or able to drive a terminal.

afterEach(() => cleanup());
afterAll(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

const STEP = 'hostile-output';
const corpus = corpusBytes();
/** What the step's output must become, line by line, wherever it is recorded. */
const expectedLines = [
  ...expectations.secrets.map((e) => e.masked),
  ...linesOf(corpus.clean.toString('utf8')),
  ...expectations.escapes.map((e) => e.screen),
];

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Every string inside a JSON value. */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([key, inner]) => [key, ...stringsOf(inner)]);
  return [];
}

/** A file's text, and for JSON the decoded strings too: `\u001b` in JSON is an escape once read. */
function textsOf(name: string, bytes: Buffer): string[] {
  const text = bytes.toString('utf8');
  if (name.endsWith('.jsonl')) return [text, ...linesOf(text).flatMap((line) => stringsOf(JSON.parse(line)))];
  if (name.endsWith('.json')) return [text, ...stringsOf(JSON.parse(text))];
  return [text];
}

/** Typed into the argv of the plan's second step (check-args.mjs): given to the command, recorded masked. */
const TYPED_SECRETS = ['hunter2FAKEpw', 'ckt_Typed4Into5The6Plan7'];

function expectClean(where: string, texts: string[]): void {
  for (const text of texts) {
    expect(text, `${where} holds a control character`).not.toMatch(EVIDENCE_CONTROL);
    for (const secret of [...forbiddenSecrets(), ...TYPED_SECRETS]) expect(text.includes(secret), `${where} holds ${secret}`).toBe(false);
  }
}

describe('hostile output, headless', () => {
  it('masks every secret and neutralises every escape on screen, in the log, the journal and the evidence zip', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'warroom-hostile-')), 'corpora');
    cpSync(CORPORA, dir, { recursive: true });
    const evidence = join(dir, 'evidence');
    const run = await warroom(['run', join(dir, 'release.yaml'), '--headless', '--approvals', join(dir, 'approvals.json'), '--evidence', evidence], {
      env: { [expectations.env.name]: expectations.env.value },
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    // The screen of headless mode: the step's lines, masked, colour the only escape left.
    for (const secret of forbiddenSecrets()) expect(run.stdout.includes(secret), `stdout holds ${secret}`).toBe(false);
    const shown = run.stdout.replace(SGR, '');
    expect(shown).not.toMatch(EVIDENCE_CONTROL);
    expect(run.stdout).toContain('typed-secrets | received 4 arguments as typed');
    const stepLines = linesOf(run.stdout).filter((line) => line.startsWith(`${STEP} | `));
    expect(stepLines.map((line) => line.slice(STEP.length + 3).replace(SGR, ''))).toEqual(expectedLines);
    const coloured = expectations.escapes.find((e) => e.sgr)!;
    expect(stepLines.find((line) => line.replace(SGR, '').endsWith(coloured.screen))).toMatch(HAS_SGR);

    // The step's log and the journal: exactly the expected lines, in order (a forgery's target stays before it).
    const log = readFileSync(join(evidence, `logs/${STEP}.log`), 'utf8');
    expect(linesOf(log)).toEqual(expectedLines);
    const journal = readJournal(join(evidence, 'journal.jsonl'));
    expect(journal.brokenAt).toBeUndefined();
    const journaled = journal.entries
      .filter((entry) => entry.type === 'output' && (entry.data as { step: string }).step === STEP)
      .flatMap((entry) => (entry.data as { lines: string[] }).lines);
    expect(journaled).toEqual(expectedLines);

    // Every evidence file on disk, and every entry of the zip as `unzip` reads it.
    const onDisk = filesUnder(evidence).filter((path) => !path.endsWith('.zip'));
    expect(onDisk.length).toBeGreaterThan(5);
    for (const path of onDisk) expectClean(relative(evidence, path), textsOf(path, readFileSync(path)));
    const zip = join(evidence, 'DEPLOYMENT-EVIDENCE.zip');
    const entries = execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).split('\n').filter((name) => name !== '' && !name.endsWith('/'));
    expect(entries).toContain(`logs/${STEP}.log`);
    expect(entries).toContain('journal.jsonl');
    for (const name of entries) {
      const bytes = execFileSync('unzip', ['-p', zip, name], { maxBuffer: 64 * 1024 * 1024 });
      expectClean(`${name} in the zip`, textsOf(name, bytes));
      if (name === `logs/${STEP}.log`) expect(linesOf(bytes.toString('utf8'))).toEqual(expectedLines);
    }
  });
});

describe('hostile output, on the console', () => {
  it('renders the corpora through the same filter with no escape but colour, and shows the final text of each forgery', async () => {
    const session = fakeSession(testPlan({ health: { soak: '0s', metrics: [] } }));
    await until(session.release.actor, 'acknowledging');
    const screen = renderScreen(session, { columns: 240, rows: 60 });
    await screen.until('Who acknowledges?');

    const filter = createOutputFilter({ values: [expectations.env.value], patterns: expectations.patterns });
    const terminal: string[] = [];
    const splitter = new LineSplitter((lines) => terminal.push(...filter.lines(lines).terminal));
    for (const bytes of [corpus.secrets, corpus.clean, corpus.escapes]) splitter.write(bytes);
    splitter.flush();
    expect(terminal.map((line) => line.replace(SGR, ''))).toEqual(expectedLines);

    // A few lines at a time, each batch on screen before the next: every line is drawn once.
    for (let start = 0; start < terminal.length; start += 8) {
      const batch = terminal.slice(start, start + 8);
      for (const text of batch) session.output.push({ step: STEP, stream: 'stdout', text });
      const last = flat(expectedLines[start + batch.length - 1]!);
      await screen.until((frame) => flat(frame).includes(last));
    }
    const visible = flat(screen.frame());
    for (const escape of expectations.escapes.slice(-8)) expect(visible).toContain(flat(escape.screen));

    expect(screen.frames.length).toBeGreaterThan(0);
    for (const frame of screen.frames) {
      expect(frame.replace(SGR, '')).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
      for (const secret of forbiddenSecrets()) expect(frame.includes(secret), `a frame holds ${secret}`).toBe(false);
    }
    expect(screen.frames.some((frame) => HAS_SGR.test(frame))).toBe(true);
  });
});
