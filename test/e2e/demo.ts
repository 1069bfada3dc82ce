import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';

// End-to-end helpers: a private copy of the demo and the real CLI in a child process.

export const REPO = resolve(import.meta.dirname, '../..');
export const CLI = join(REPO, 'bin/warroom.js');

export function demoCopy(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'warroom-e2e-')), 'demo');
  cpSync(join(REPO, 'fixtures/demo'), dir, { recursive: true, filter: (source) => !['.run', '.warroom'].includes(basename(source)) });
  return dir;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function warroom(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: options.cwd ?? REPO, env: { ...process.env, ...options.env }, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 },
      (error, stdout, stderr) => done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Runs a demo plan headless in a private copy, with the demo's approvals file. */
export async function runDemo(plan = 'release.yaml'): Promise<CliResult & { dir: string; evidence: string }> {
  const dir = demoCopy();
  const evidence = join(dir, 'evidence');
  const run = await warroom(['run', join(dir, plan), '--headless', '--approvals', join(dir, 'approvals.json'), '--evidence', evidence], {
    env: { DEMO_RUN_DIR: join(dir, '.run') },
  });
  return { ...run, dir, evidence };
}

/** The evidence folder of a clean demo release; throws if the demo did not release. */
export async function releasedDemoEvidence(): Promise<string> {
  const run = await runDemo();
  if (run.code !== 0) throw new Error(`the demo did not release (exit ${run.code}): ${run.stderr}`);
  return run.evidence;
}
