import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { readJournal, type JournalEntry } from '../../src/journal/journal.js';
import { demoCopy, journalUntil, processesGone, startDemoRun, warroom } from './demo.js';

// kill -9 of the real process, then `warroom resume`: nothing journaled is
// lost, the chain goes on, and a step that was running is not re-run unasked.

const types = (entries: JournalEntry[]) => entries.map((e) => e.type);

it('resumes after kill -9 during a deploy step: the step is interrupted, retried on request, and the release completes', async () => {
  const dir = demoCopy();
  const evidence = join(dir, 'evidence');
  const run = startDemoRun(dir, evidence);
  const before = await journalUntil(evidence, (entries) => entries.some((e) => e.type === 'command.spawned' && (e.data as { name: string }).name === 'canary-10'));
  run.child.kill('SIGKILL');
  await run.exited;
  // The orphaned step finishes on its own; an operator would check that before a retry.
  await processesGone('scripts/deploy.sh canary-10', dir);

  const resumed = await warroom(['resume', '--state', join(dir, '.warroom'), '--headless', '--on-interrupted', 'retry'], { env: { DEMO_RUN_DIR: join(dir, '.run') } });
  expect(resumed.stderr).toBe('');
  expect(resumed.stdout).toContain('resuming session');
  expect(resumed.stdout).toContain('Failed at Deployment step canary-10. Reason: interrupted');
  expect(resumed.stdout).toContain('retry at Deployment step canary-10');
  expect(resumed.code).toBe(0);

  const journal = readJournal(join(evidence, 'journal.jsonl'));
  expect(journal.brokenAt).toBeUndefined();
  // Everything journaled before the kill is still there, unchanged.
  expect(journal.entries.slice(0, before.length)).toEqual(before);
  const resume = journal.entries.find((e) => e.type === 'session.resume');
  expect(resume?.data).toMatchObject({ from: 'production.deploying.running', interrupted: { step: 'Deployment step canary-10' } });
  expect(journal.entries.find((e) => e.type === 'answer' && e.seq > resume!.seq)?.data).toMatchObject({ type: 'RETRY', by: { source: 'command-line' } });
  const verify = await warroom(['verify', evidence]);
  expect(verify.stdout).toContain('intact');
  expect(verify.code).toBe(0);
});

it('resumes after kill -9 in the soak window, dropping a torn last journal line, and keeps sampling', async () => {
  const dir = demoCopy();
  const evidence = join(dir, 'evidence');
  const run = startDemoRun(dir, evidence);
  await journalUntil(evidence, (entries) => {
    const soak = entries.findIndex((e) => e.type === 'transition' && (e.data as { to: string }).to === 'stabilisation.soak');
    return soak >= 0 && entries.slice(soak).filter((e) => e.type === 'metric').length >= 2;
  });
  run.child.kill('SIGKILL');
  await run.exited;
  // A write cut short by the kill: half a line, no newline.
  appendFileSync(join(evidence, 'journal.jsonl'), '{"seq":9999,"ts":"2026-11-24T10:00:00.000Z","type":"met');

  const resumed = await warroom(['resume', '--state', join(dir, '.warroom'), '--headless'], {
    env: { DEMO_RUN_DIR: join(dir, '.run') },
  });
  expect(resumed.stdout).toContain('RESUMED] Session resumed by');
  expect(resumed.stdout).not.toContain('Reason: interrupted');
  expect(resumed.code).toBe(0);

  const journal = readJournal(join(evidence, 'journal.jsonl'));
  expect(journal.brokenAt).toBeUndefined();
  const resume = journal.entries.find((e) => e.type === 'session.resume')!;
  expect(resume.data).toMatchObject({ from: 'stabilisation.soak', interrupted: null });
  expect((resume.data as { tornBytesDropped: number }).tornBytesDropped).toBeGreaterThan(0);
  expect(types(journal.entries.filter((e) => e.seq > resume.seq))).toContain('metric');
  expect(types(journal.entries).at(-1)).toBe('session.end');
  expect((await warroom(['verify', evidence])).code).toBe(0);
  // Nothing is left to resume.
  const again = await warroom(['resume', '--state', join(dir, '.warroom'), '--headless']);
  expect(again.stderr).toContain('no unfinished session');
  expect(again.code).toBe(3);
});
