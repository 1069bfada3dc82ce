import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { readJournal } from '../../src/journal/journal.js';
import { CLI, demoCopy, warroom } from './demo.js';

// The disk fills up (here: a file size limit, so a write fails with EFBIG) while the
// journal is being written. The session must stop where it stands with a clear error,
// leave a journal of whole lines, and carry on with `warroom resume` once there is room.

it('stops with a clear error when the journal cannot be written, keeps it whole, and resumes to the end', async () => {
  const dir = demoCopy();
  const evidence = join(dir, 'evidence');
  const env = { ...process.env, DEMO_RUN_DIR: join(dir, '.run') };
  try {
    // 30 KiB per file: the journal reaches it in the middle of the release. SIGXFSZ ignored, so the write fails instead.
    const run = [CLI, 'run', join(dir, 'release.yaml'), '--headless', '--approvals', join(dir, 'approvals.json'), '--evidence', evidence].map((arg) => `'${arg}'`).join(' ');
    const full = spawnSync('bash', ['-c', `trap '' XFSZ; ulimit -f 30; exec '${process.execPath}' ${run}`], { cwd: dir, env, encoding: 'utf8', timeout: 120_000 });
    expect(full.status).toBe(2);
    expect(full.stdout).toMatch(/\[WARROOM ERROR\] - "Failed at [a-z.]+\. Reason: cannot write journal\.jsonl: EFBIG: file too large, write\. Awaiting instructions\."/);
    expect(full.stdout).toContain('warroom: to continue: warroom resume ');
    // No crash: nothing on stderr but what warroom says itself.
    expect(full.stderr).not.toMatch(/\n\s+at |Error:/);
    const stopped = readJournal(join(evidence, 'journal.jsonl'));
    expect(stopped.brokenAt).toBeUndefined();
    expect(stopped.entries.at(-1)?.type).not.toBe('session.end');

    const session = readdirSync(join(dir, '.warroom'))[0]!;
    const resumed = await warroom(['resume', join(dir, '.warroom', session), '--headless', '--approvals', join(dir, 'approvals.json')], { cwd: dir, env });
    expect(resumed.stdout).toContain('ended released (complete), exit 0');
    expect(resumed.code).toBe(0);
    const verified = await warroom(['verify', evidence]);
    expect(verified.stdout).toContain('intact');
    expect(verified.code).toBe(0);
  } finally {
    execFileSync(process.execPath, [join(dir, 'service.mjs'), 'stop'], { env });
  }
}, 180_000);
