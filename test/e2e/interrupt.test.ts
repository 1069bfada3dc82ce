import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { readJournal } from '../../src/journal/journal.js';
import { CLI, demoCopy, processesMatching } from './demo.js';

it('stops a running deploy step\'s whole process group on SIGTERM, exits 2 and keeps the evidence', async () => {
  const dir = demoCopy();
  const evidence = join(dir, 'evidence');
  const child = spawn(process.execPath, [CLI, 'run', join(dir, 'release.yaml'), '--headless', '--approvals', join(dir, 'approvals.json'), '--evidence', evidence], {
    env: { ...process.env, DEMO_RUN_DIR: join(dir, '.run') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  await new Promise<void>((started) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('canary-10 | ')) started();
    });
  });
  // The step runs scripts/deploy.sh from this private copy; it must be alive now and gone after the interrupt.
  const step = 'scripts/deploy.sh canary-10';
  expect(processesMatching(step, dir).length).toBeGreaterThan(0);
  child.kill('SIGTERM');
  expect(await exited).toBe(2);
  expect(processesMatching(step, dir)).toEqual([]);
  expect(stdout).toContain('Reason: interrupted by SIGTERM. Awaiting instructions.');
  const journal = readJournal(join(evidence, 'journal.jsonl'));
  expect(journal.brokenAt).toBeUndefined();
  expect(journal.entries.map((e) => e.type)).toContain('session.interrupted');
  expect(journal.entries.at(-1)?.type).toBe('session.end');
  expect(existsSync(join(evidence, 'DEPLOYMENT-REPORT.md'))).toBe(true);
  execFileSync(process.execPath, [join(dir, 'service.mjs'), 'stop'], { env: { ...process.env, DEMO_RUN_DIR: join(dir, '.run') } });
});
