import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { readJournal } from '../../src/journal/journal.js';
import { CLI } from './demo.js';
import { TmuxScreen } from './tmux.js';

// The war room as a newcomer meets it: `warroom demo` in an 80x24 terminal,
// walked to a completed release with only the keys the screen shows.

let screen: TmuxScreen | undefined;

async function waitUntil(ready: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error('condition never held');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
afterEach(() => screen?.close());

const TAG = 'v2.4.0';

/** Answers the open approval or acknowledgement prompt: pick the first stakeholder listed, type the tag. */
async function answerPrompt(term: TmuxScreen, waitingFor: RegExp): Promise<void> {
  // Not the previous answer's tag prompt still on screen: its footer offers Enter too.
  await term.waitFor((s) => waitingFor.test(s) && /Enter confirm/.test(s) && !s.includes('type the release tag'));
  term.keys('Enter');
  await term.waitFor((s) => s.includes('type the release tag'));
  term.type(TAG);
  term.keys('Enter');
}

it('walks the demo release to completion at 80x24 with the keys on screen, and leaves verified evidence', async () => {
  const home = mkdtempSync(join(tmpdir(), 'warroom-console-'));
  const term = (screen = new TmuxScreen(`cd ${home} && node ${CLI} demo`, 80, 24, { TMPDIR: home, NO_COLOR: '' }));

  const first = await term.waitFor((s) => s.includes('WARROOM checkout-api v2.4.0'));
  expect(first).toMatch(/Phase \d\/4/);
  for (const line of first.split('\n')) expect(line.length).toBeLessThanOrEqual(80);

  term.keys('?');
  await term.waitFor((s) => s.includes('Help · any key closes') && s.includes('roll back'));
  term.keys('Escape');

  for (let ack = 0; ack < 3; ack++) await answerPrompt(term, /Change freeze: waiting for/);
  for (let approval = 0; approval < 2; approval++) await answerPrompt(term, /Production approval: waiting for/);

  const done = await term.waitFor((s) => s.includes('Released checkout-api v2.4.0 to production'), 90_000);
  expect(done).toContain('G4 ✔ pass');
  expect(done).toContain('Evidence: ');
  term.keys('Enter');
  const after = await term.waitFor((s) => s.includes('[exit 0]'));
  expect(after).toContain('ended released');
  // The demo ran in a scratch copy under our TMPDIR.
  const scratch = readdirSync(home).find((name) => name.startsWith('warroom-demo-'));
  const evidence = join(home, scratch!, 'demo', '.artifacts', 'deployment');

  const journal = readJournal(join(evidence, 'journal.jsonl'));
  expect(journal.brokenAt).toBeUndefined();
  const sources = journal.entries.filter((e) => e.type === 'answer').map((e) => JSON.stringify(e.data));
  expect(sources.filter((a) => a.includes('"source":"console"'))).toHaveLength(5);
  expect(existsSync(join(evidence, 'DEPLOYMENT-EVIDENCE.zip'))).toBe(true);
  expect(readFileSync(join(evidence, 'DEPLOYMENT-REPORT.md'), 'utf8')).toContain('Ready for Protocol 19');
}, 150_000);

it('asks before quitting a running release, says how to resume, and resumes where it was left', async () => {
  const home = mkdtempSync(join(tmpdir(), 'warroom-console-'));
  const term = (screen = new TmuxScreen(`cd ${home} && node ${CLI} demo`, 80, 24, { TMPDIR: home }));
  await term.waitFor((s) => s.includes('Change freeze: waiting for'));
  await answerPrompt(term, /Change freeze: waiting for/);
  term.keys('q');
  const asking = await term.waitFor((s) => s.includes('Quit the console?'));
  expect(asking).toContain('Resume: warroom resume ');
  term.keys('y');
  const after = await term.waitFor((s) => s.includes('[exit 2]'));
  expect(after).toContain('left resumable');
  expect(after).toContain('to continue: warroom resume ');
  term.close();

  const scratch = readdirSync(home).find((name) => name.startsWith('warroom-demo-'));
  const state = join(home, scratch!, 'demo', '.warroom');
  const journalPath = join(home, scratch!, 'demo', '.artifacts', 'deployment', 'journal.jsonl');
  const acknowledged = () => readJournal(journalPath).entries.filter((e) => e.type === 'answer' && (e.data as { type: string }).type === 'ACKNOWLEDGE');
  expect(acknowledged()).toHaveLength(1);
  const session = readdirSync(state).find((name) => existsSync(join(state, name, 'session.json')));
  const again = (screen = new TmuxScreen(`cd ${home} && node ${CLI} resume ${join(state, session!)}`, 80, 24, { TMPDIR: home }));
  // Back at the change freeze; the acknowledgement given before quitting still counts, so two are asked for.
  await again.waitFor((s) => s.includes('Change freeze: waiting for') && s.includes('RESUMED'));
  await answerPrompt(again, /Change freeze: waiting for/);
  await again.waitFor((s) => s.includes('Change freeze: waiting for') && !s.includes('type the release tag'));
  await waitUntil(() => acknowledged().length === 2);
  again.keys('q');
  await again.waitFor((s) => s.includes('Quit the console?'));
  again.keys('y');
  await again.waitFor((s) => s.includes('[exit 2]'));
  const people = acknowledged().map((e) => (e.data as { acknowledgement: { user: string } }).acknowledgement.user);
  expect(new Set(people).size).toBe(2);
  expect(readJournal(journalPath).brokenAt).toBeUndefined();
}, 90_000);
