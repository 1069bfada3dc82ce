import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readlinkSync } from 'node:fs';
import type { JournalEntry } from '../../src/journal/journal.js';
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

/** Processes whose command line matches and whose working directory is `cwd` (other tests run the demo too). */
export function processesMatching(pattern: string, cwd: string): string[] {
  let pids: string[];
  try {
    pids = execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
  return pids.filter((pid) => {
    try {
      return readlinkSync(`/proc/${pid}/cwd`) === cwd;
    } catch {
      return false;
    }
  });
}

/** Starts a headless demo run in `dir` without waiting for it. */
export function startDemoRun(dir: string, evidence: string, plan = 'release.yaml'): { child: ChildProcess; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [CLI, 'run', join(dir, plan), '--headless', '--approvals', join(dir, 'approvals.json'), '--evidence', evidence], {
    env: { ...process.env, DEMO_RUN_DIR: join(dir, '.run') },
    stdio: 'ignore',
  });
  return { child, exited: new Promise((done) => child.on('exit', (code) => done(code))) };
}

/** Polls a live journal (complete lines only) until `ready` holds for its entries. */
export async function journalUntil(evidence: string, ready: (entries: JournalEntry[]) => boolean, timeoutMs = 60_000): Promise<JournalEntry[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let entries: JournalEntry[] = [];
    try {
      const text = readFileSync(join(evidence, 'journal.jsonl'), 'utf8');
      entries = text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter(Boolean).map((line) => JSON.parse(line) as JournalEntry);
    } catch {
      // not written yet
    }
    if (ready(entries)) return entries;
    if (Date.now() > deadline) throw new Error(`journal never got there; last entry: ${JSON.stringify(entries.at(-1))}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits until no process matching `pattern` runs in `cwd` (a step orphaned by kill -9 finishing on its own). */
export async function processesGone(pattern: string, cwd: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (processesMatching(pattern, cwd).length > 0) {
    if (Date.now() > deadline) throw new Error(`${pattern} still running in ${cwd}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
