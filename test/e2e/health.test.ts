import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'vitest';
import { PROVIDER_DOWN_AFTER } from '../../machines/rules.js';
import { readJournal, type JournalEntry } from '../../src/journal/journal.js';
import { KILL_GRACE_MS, PIPE_GRACE_MS } from '../../src/runner/command.js';
import { runDemo, warroom } from './demo.js';

// SPEC 4 and 11 on real processes: the demo's variant plans run headless through the
// real CLI. A breach in the health window, a deploy step past its timeout and a metrics
// provider that goes away each roll the release back (rollback.auto) and exit 1.

/** Each run is ~20 s of real scripts; room for a loaded CI machine. */
const RUN_TIMEOUT_MS = 120_000;

type Run = Awaited<ReturnType<typeof runDemo>>;
type MetricEvent = { metric: string; value?: number; error?: string };
type CommandEvent = { name: string; exitCode: number | null; timedOut: boolean; error?: string; durationMs: number };

const evidenceText = (run: Run, file: string) => readFileSync(join(run.evidence, file), 'utf8');
const evidenceJson = <T>(run: Run, file: string): T => JSON.parse(evidenceText(run, file)) as T;
/** What the run printed, for assertion messages. */
const printed = (run: Run) => `exit ${run.code}\n${run.stdout}\n${run.stderr}`;

function journalOf(run: Run): JournalEntry[] {
  const journal = readJournal(join(run.evidence, 'journal.jsonl'));
  if (journal.brokenAt) throw new Error(`journal chain broken at line ${journal.brokenAt.line}: ${journal.brokenAt.reason}`);
  return journal.entries;
}

/** Index of the first journal entry of this type whose data matches. */
function indexOf(entries: JournalEntry[], type: string, match: (data: Record<string, unknown>) => boolean): number {
  return entries.findIndex((e) => e.type === type && match(e.data as Record<string, unknown>));
}

/** The soak window in the journal: from entering it to the rollback command starting. */
function soakWindow(entries: JournalEntry[]): { opened: number; rolledBack: number } {
  return {
    opened: indexOf(entries, 'transition', (d) => d.to === 'stabilisation.soak'),
    rolledBack: indexOf(entries, 'command.start', (d) => d.name === 'rollback'),
  };
}

function metricEvents(entries: JournalEntry[], metric: string): MetricEvent[] {
  return entries.filter((e) => e.type === 'metric' && (e.data as MetricEvent).metric === metric).map((e) => e.data as MetricEvent);
}

function commandSummary(run: Run): string[] {
  return evidenceJson<{ commands: CommandEvent[] }>(run, 'production-deployment-report.json').commands.map((c) => `${c.name}:${c.exitCode}`);
}

/** Stops the demo service the run left behind (rollback restarts it) and removes the private copy. */
function cleanUp(run: Run | undefined): void {
  if (!run) return;
  try {
    execFileSync(process.execPath, [join(run.dir, 'service.mjs'), 'stop'], { env: { ...process.env, DEMO_RUN_DIR: join(run.dir, '.run') } });
  } finally {
    rmSync(dirname(run.dir), { recursive: true, force: true });
  }
}

/** A live (not zombie) process: its process group and command line, or undefined when gone. */
function processInfo(pid: number): { pgrp: number; cmdline: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid pgrp …": comm may contain spaces, so split after its ')'.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state === 'Z' || state === 'X') return undefined;
    return { pgrp: Number(pgrp), cmdline: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim() };
  } catch {
    return undefined;
  }
}

/** Processes still alive from the stuck step: in its process group, or one of the pids it recorded. */
function survivors(group: number, pids: number[]): string[] {
  const all = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
  return all
    .map((pid) => ({ pid, info: processInfo(pid) }))
    .filter(({ pid, info }) => info !== undefined && (info.pgrp === group || pids.includes(pid)))
    // A recycled pid is somebody else's process: only the step's own programs count.
    .filter(({ info }) => /\bsleep\b|deploy\.sh/.test(info!.cmdline))
    .map(({ pid, info }) => `${pid} (pgrp ${info!.pgrp}): ${info!.cmdline}`);
}

async function settled<T>(probe: () => T, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (done(value) || Date.now() >= deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.concurrent('health behaviour on real processes (headless)', () => {
  it('rolls back when the error ratio goes over its max in the soak window, and exits 1', async ({ expect }) => {
    let run: Run | undefined;
    try {
      run = await runDemo('release-soak-breach.yaml');
      expect(run.stderr, printed(run)).toBe('');
      expect(run.code, printed(run)).toBe(1);

      // Announcements: Gate 3 passed, Phase 4 started, then the breach rolled it back.
      const lines = run.stdout.split('\n');
      const launchGate = lines.findIndex((l) => l.startsWith('[WARROOM GATE PASSED: Production Launch Gate]'));
      const phase4 = lines.indexOf('[WARROOM | PHASE 4 START] - Monitoring post-deployment health window...');
      const rollback = lines.findIndex((l) =>
        /^\[WARROOM ROLLBACK\] Rolling back checkout-api v2\.4\.2-leak: health window breach: error_ratio = 0\.\d+ breaches its threshold \(max 0\.05\) for 1 sample\(s\)$/.test(l),
      );
      expect(launchGate, printed(run)).toBeGreaterThan(-1);
      expect(phase4).toBeGreaterThan(launchGate);
      expect(rollback, printed(run)).toBeGreaterThan(phase4);
      expect(run.stdout).toContain('[WARROOM | ESCALATION] Escalating to Protocol 20: health window breach: error_ratio = ');
      expect(lines).toContain('[WARROOM ROLLBACK] Rollback of v2.4.2-leak complete. Evidence: rollback-plan.md. Escalated to Protocol 20.');
      expect(run.stdout).not.toContain('PROTOCOL COMPLETE');

      // Journal: every error_ratio reading before the window was healthy; the window saw it climb.
      const entries = journalOf(run);
      const soak = soakWindow(entries);
      expect(soak.opened).toBeGreaterThan(-1);
      expect(soak.rolledBack).toBeGreaterThan(soak.opened);
      const before = metricEvents(entries.slice(0, soak.opened), 'error_ratio');
      const during = metricEvents(entries.slice(soak.opened, soak.rolledBack), 'error_ratio');
      // Canary analysis after each step, and the post-deployment snapshot.
      expect(before.length).toBeGreaterThanOrEqual(3);
      for (const reading of before) expect(reading.value).toBeLessThanOrEqual(0.05);
      expect(during.at(-1)?.value).toBeGreaterThan(0.05);
      expect(entries.filter((e) => e.type === 'transition').at(-1)?.data).toMatchObject({ to: 'rolledBack' });
      expect(entries.at(-1)).toMatchObject({ type: 'session.end', data: { exitCode: 1, outcome: 'rolled-back' } });

      // Evidence: Gate 3 passed on healthy numbers; the health log and the report name the metric.
      expect(evidenceJson<{ verdict: string }>(run, 'gates/launch.json').verdict).toBe('pass');
      const snapshot = evidenceJson<{ metricsSnapshot: Array<{ metric: string; withinThreshold: boolean }> }>(run, 'post-deployment-validation.json').metricsSnapshot;
      expect(snapshot.find((m) => m.metric === 'error_ratio')?.withinThreshold).toBe(true);
      expect(commandSummary(run)).toEqual(['freeze-lock:0', 'dry-run:0', 'canary-10:0', 'promote-100:0', 'rollback:0', 'freeze-unlock:0']);
      const healthLog = evidenceText(run, 'deployment-health-log.md');
      expect(healthLog).toMatch(/^\| error_ratio \| error_ratio ≤ 0\.05 \| 1 \| 0 \| /m);
      expect(healthLog).toMatch(/- error_ratio breached error_ratio ≤ 0\.05 1 time\(s\); last value 0\.\d+/);
      // Rewritten at the end: the window's ending and the rollback decision are in it.
      expect(healthLog).not.toContain('still open');
      expect(run.stdout).toMatch(/\[WARROOM ERROR\] - "Failed at Health window\. Reason: health window breach: error_ratio = 0\.\d+ .*Rolling back per plan \(rollback\.auto\)\."/);
      const report = evidenceText(run, 'DEPLOYMENT-REPORT.md');
      expect(report).toContain('**Outcome: rolled back**');
      expect(report).toMatch(/Trigger: health window breach: error_ratio = 0\.\d+ breaches its threshold \(max 0\.05\)/);
      expect(report).toContain('Escalated to Protocol 20');
      expect(evidenceText(run, 'communication-log.md')).toContain('[WARROOM ROLLBACK] Rolling back checkout-api v2.4.2-leak: health window breach: error_ratio');
      expect(existsSync(join(run.evidence, 'rollback-plan.md'))).toBe(true);
      expect((await warroom(['verify', run.evidence])).code).toBe(0);
    } finally {
      cleanUp(run);
    }
  }, RUN_TIMEOUT_MS);

  it('kills a deploy step past its timeout with its whole process group, rolls back and exits 1', async ({ expect }) => {
    let run: Run | undefined;
    let recorded: number[] = [];
    try {
      run = await runDemo('release-deploy-timeout.yaml');
      expect(run.stderr, printed(run)).toBe('');
      expect(run.code, printed(run)).toBe(1);

      // The step's pid (its process group: warroom starts every command as a group leader) and its helpers.
      const pidFile = join(run.dir, '.run', 'stuck-deploy.pids');
      expect(existsSync(pidFile), printed(run)).toBe(true);
      recorded = readFileSync(pidFile, 'utf8').trim().split(/\s+/).map(Number);
      expect(recorded).toHaveLength(3);
      const [group] = recorded as [number, number, number];
      // SIGKILL reaches the helper that ignores SIGTERM during the rollback; allow the kernel a moment.
      const left = await settled(() => survivors(group, recorded), (found) => found.length === 0, 5_000);
      expect(left).toEqual([]);

      expect(run.stdout).toContain('[WARROOM ERROR] - "Failed at Deployment step. Reason: promote-100 failed: timed out after 3s. Awaiting instructions."');
      expect(run.stdout).toContain('[WARROOM ROLLBACK] Rolling back checkout-api v2.4.3-stuck: headless rule: rollback.auto after a failure at Deployment step');
      expect(run.stdout).toContain('[WARROOM ROLLBACK] Rollback of v2.4.3-stuck complete. Evidence: rollback-plan.md. Escalated to Protocol 20.');
      expect(run.stdout).not.toContain('Production Launch Gate');
      expect(run.stdout).not.toContain('PHASE 4 START');

      // Evidence: the step was stopped at its timeout, not when it would have finished.
      const commands = evidenceJson<{ commands: CommandEvent[] }>(run, 'production-deployment-report.json').commands;
      const stuck = commands.find((c) => c.name === 'promote-100');
      expect(stuck).toMatchObject({ exitCode: null, timedOut: true, error: 'timed out after 3s' });
      expect(stuck!.durationMs).toBeGreaterThanOrEqual(3_000);
      expect(stuck!.durationMs).toBeLessThan(3_000 + PIPE_GRACE_MS + KILL_GRACE_MS + 10_000);
      expect(commandSummary(run)).toEqual(['freeze-lock:0', 'dry-run:0', 'canary-10:0', 'promote-100:null', 'rollback:0', 'freeze-unlock:0']);
      expect(evidenceText(run, 'logs/promote-100.log')).toContain('waiting for rollout: 0/3 new pods ready');

      const entries = journalOf(run);
      const ended = indexOf(entries, 'command.end', (d) => d.name === 'promote-100');
      expect(entries[ended]?.data).toMatchObject({ timedOut: true, exitCode: null });
      expect(indexOf(entries, 'command.start', (d) => d.name === 'rollback')).toBeGreaterThan(ended);
      expect(entries.at(-1)).toMatchObject({ type: 'session.end', data: { exitCode: 1, outcome: 'rolled-back' } });

      const report = evidenceText(run, 'DEPLOYMENT-REPORT.md');
      expect(report).toContain('**Outcome: rolled back**');
      expect(report).toContain('promote-100 failed: timed out after 3s');
      expect(report).toContain('## Rollback');
      expect(existsSync(join(run.evidence, 'rollback-plan.md'))).toBe(true);
      expect((await warroom(['verify', run.evidence])).code).toBe(0);
    } finally {
      // Never leave a stuck helper behind, even when the assertions above failed.
      for (const pid of recorded.slice(1)) if (processInfo(pid)?.cmdline.startsWith('sleep')) process.kill(pid, 'SIGKILL');
      cleanUp(run);
    }
  }, RUN_TIMEOUT_MS);

  it(`counts a metric unreadable ${PROVIDER_DOWN_AFTER} times in a row in the soak window as "metrics provider down" and rolls back`, async ({ expect }) => {
    let run: Run | undefined;
    try {
      run = await runDemo('release-metrics-down.yaml');
      expect(run.stderr, printed(run)).toBe('');
      expect(run.code, printed(run)).toBe(1);

      const lines = run.stdout.split('\n');
      const phase4 = lines.indexOf('[WARROOM | PHASE 4 START] - Monitoring post-deployment health window...');
      const rollback = lines.findIndex((l) =>
        l.startsWith('[WARROOM ROLLBACK] Rolling back checkout-api v2.4.4-metrics-crash: health window breach: error_ratio: metrics provider down: exit code 1: "cannot read demo_error_ratio: HTTP 503'),
      );
      expect(lines.some((l) => l.startsWith('[WARROOM GATE PASSED: Production Launch Gate]')), printed(run)).toBe(true);
      expect(phase4, printed(run)).toBeGreaterThan(-1);
      expect(rollback, printed(run)).toBeGreaterThan(phase4);
      expect(run.stdout).toContain('[WARROOM | ESCALATION] Escalating to Protocol 20: health window breach: error_ratio: metrics provider down');
      expect(lines).toContain('[WARROOM ROLLBACK] Rollback of v2.4.4-metrics-crash complete. Evidence: rollback-plan.md. Escalated to Protocol 20.');

      // Journal: readable before the window; in it, exactly the last three readings failed, and then it rolled back.
      const entries = journalOf(run);
      const soak = soakWindow(entries);
      expect(soak.opened).toBeGreaterThan(-1);
      expect(soak.rolledBack).toBeGreaterThan(soak.opened);
      for (const reading of metricEvents(entries.slice(0, soak.opened), 'error_ratio')) expect(reading.error).toBeUndefined();
      const during = metricEvents(entries.slice(soak.opened, soak.rolledBack), 'error_ratio');
      expect(during).toHaveLength(PROVIDER_DOWN_AFTER);
      for (const reading of during) {
        expect(reading.value).toBeUndefined();
        expect(reading.error).toMatch(/^exit code 1: "cannot read demo_error_ratio: HTTP 503/);
      }
      expect(entries.at(-1)).toMatchObject({ type: 'session.end', data: { exitCode: 1, outcome: 'rolled-back' } });

      // Evidence: shown as a provider outage, not as a value.
      const healthLog = evidenceText(run, 'deployment-health-log.md');
      expect(healthLog).toMatch(/^\| error_ratio \| error_ratio ≤ 0\.05 \| 0 \| 3 \| /m);
      expect(healthLog).toMatch(/- error_ratio: metrics provider down: exit code 1: .*\(counts as a breach\)/);
      // An outage, not a value over the threshold.
      expect(healthLog).not.toContain('error_ratio breached');
      const report = evidenceText(run, 'DEPLOYMENT-REPORT.md');
      expect(report).toContain('**Outcome: rolled back**');
      expect(report).toContain('Trigger: health window breach: error_ratio: metrics provider down');
      expect(commandSummary(run)).toEqual(['freeze-lock:0', 'dry-run:0', 'canary-10:0', 'promote-100:0', 'rollback:0', 'freeze-unlock:0']);
      expect((await warroom(['verify', run.evidence])).code).toBe(0);
    } finally {
      cleanUp(run);
    }
  }, RUN_TIMEOUT_MS);
});
