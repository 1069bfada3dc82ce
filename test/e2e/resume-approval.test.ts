import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { readJournal } from '../../src/journal/journal.js';
import { demoCopy, journalUntil, processesGone, startDemoRun, warroom } from './demo.js';

// Resume after a kill right after an approval, and the sessions resume refuses.

it('resumes after kill -9 right after an approval without asking or counting anyone twice', async () => {
  const dir = demoCopy();
  const evidence = join(dir, 'evidence');
  const run = startDemoRun(dir, evidence);
  await journalUntil(evidence, (entries) => entries.some((e) => e.type === 'answer' && (e.data as { type: string }).type === 'APPROVAL'));
  run.child.kill('SIGKILL');
  await run.exited;
  await processesGone('scripts/deploy.sh', dir);

  const resumed = await warroom(
    ['resume', '--state', join(dir, '.warroom'), '--headless', '--approvals', join(dir, 'approvals.json'), '--on-interrupted', 'retry'],
    { env: { DEMO_RUN_DIR: join(dir, '.run') } },
  );
  expect(resumed.code).toBe(0);
  const approval = JSON.parse(readFileSync(join(evidence, 'production-approval.json'), 'utf8')) as { approvals: Array<{ user: string }>; approved: boolean };
  expect(approval.approved).toBe(true);
  expect(approval.approvals.map((a) => a.user)).toEqual(['priya', 'sam']);
  expect(readJournal(join(evidence, 'journal.jsonl')).brokenAt).toBeUndefined();
});

it('refuses to resume a session that is still running, or whose journal was edited', async () => {
  const dir = demoCopy();
  const evidence = join(dir, 'evidence');
  const run = startDemoRun(dir, evidence);
  await journalUntil(evidence, (entries) => entries.some((e) => e.type === 'prompt'));

  const live = await warroom(['resume', '--state', join(dir, '.warroom'), '--headless']);
  expect(live.stderr).toMatch(/is still running \(pid \d+\)/);
  expect(live.code).toBe(3);

  run.child.kill('SIGKILL');
  await run.exited;
  await processesGone('scripts/', dir);
  const path = join(evidence, 'journal.jsonl');
  const lines = readFileSync(path, 'utf8').split('\n');
  lines[2] = lines[2]!.replace('"type":"', '"type":"x');
  writeFileSync(path, lines.join('\n'));
  const edited = await warroom(['resume', '--state', join(dir, '.warroom'), '--headless']);
  expect(edited.stderr).toContain(`${path}:4: the journal's chain breaks here`);
  expect(edited.code).toBe(3);
});

it('says clearly when there is nothing to resume', async () => {
  const dir = demoCopy();
  const none = await warroom(['resume', '--state', join(dir, '.warroom')]);
  expect(none.stderr).toBe(`warroom resume: no session state in ${join(dir, '.warroom')} (give the session folder, or --state DIR)\n`);
  expect(none.code).toBe(3);
  const unknown = await warroom(['resume', 'v9.9.9-nope', '--state', join(dir, '.warroom')], { cwd: dir });
  expect(unknown.stderr).toContain('no session v9.9.9-nope');
  expect(unknown.code).toBe(3);
  const badChoice = await warroom(['resume', '--on-interrupted', 'skip']);
  expect(badChoice.stderr).toContain('--on-interrupted takes retry, rollback or abort, not "skip"');
  expect(badChoice.code).toBe(3);
});
