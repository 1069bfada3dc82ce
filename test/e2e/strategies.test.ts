import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJournal, type JournalEntry } from '../../src/journal/journal.js';
import { runDemo } from './demo.js';

// The demo release under the two other strategies: each is a sequence of deploy steps
// with pauses and analysis between them, walked by the same protocol as the canary.

interface StrategyCase {
  plan: string;
  strategy: string;
  steps: string[];
  /** The step announced as past half-way: the first whose completion reaches 50 %. */
  halfway: string;
  /** Steps followed by an analysis, and the metrics it samples. */
  analysis: Record<string, string[]>;
}

const CASES: StrategyCase[] = [
  {
    plan: 'release-blue-green.yaml',
    strategy: 'blue-green',
    steps: ['deploy-green', 'switch-traffic', 'retire-blue'],
    halfway: 'switch-traffic',
    analysis: { 'deploy-green': ['error_ratio', 'p95_latency_ms'], 'switch-traffic': ['error_ratio', 'p95_latency_ms'] },
  },
  {
    plan: 'release-rolling.yaml',
    strategy: 'rolling',
    steps: ['batch-1-of-3', 'batch-2-of-3', 'batch-3-of-3'],
    halfway: 'batch-2-of-3',
    analysis: { 'batch-1-of-3': ['error_ratio', 'p95_latency_ms'], 'batch-2-of-3': ['error_ratio', 'p95_latency_ms'] },
  },
];

const PROGRESS = '[WARROOM ANNOUNCEMENT] Production deployment ';

const named = (entry: JournalEntry, type: string, name: string): boolean =>
  entry.type === type && (entry.data as { name?: string }).name === name;

describe.each(CASES)('the $strategy demo ($plan)', ({ plan, strategy, steps, halfway, analysis }) => {
  it('releases step by step with analysis between the steps, announcing start, half-way and completion', { timeout: 120_000 }, async () => {
    const run = await runDemo(plan);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    const done = steps.indexOf(halfway) + 1;
    const percent = Math.round((done / steps.length) * 100);
    expect(done / steps.length).toBeGreaterThanOrEqual(0.5);
    expect(run.stdout.split('\n').filter((line) => line.startsWith(PROGRESS))).toEqual([
      `${PROGRESS}started: ${steps.length} step(s), ${strategy} strategy (${steps.join(' → ')}).`,
      `${PROGRESS}${percent}% complete (${done} of ${steps.length} steps, last: ${halfway}). No errors observed.`,
      `${PROGRESS}100% complete (${steps.length} of ${steps.length} steps). Running post-deployment validation next.`,
    ]);

    const journal = readJournal(join(run.evidence, 'journal.jsonl'));
    expect(journal.brokenAt).toBeUndefined();
    const entries = journal.entries;
    const deploys = entries.filter((e) => e.type === 'command.start' && (e.data as { kind?: string }).kind === 'deploy');
    expect(deploys.map((e) => (e.data as { name: string }).name)).toEqual(steps);

    steps.forEach((step, i) => {
      const ended = entries.findIndex((e) => named(e, 'command.end', step));
      const next = steps[i + 1];
      const nextStarted = next === undefined ? entries.length : entries.findIndex((e) => named(e, 'command.start', next));
      expect(ended, `${step} ended`).toBeGreaterThan(-1);
      expect(nextStarted, `${next} started after ${step} ended`).toBeGreaterThan(ended);
      if (next === undefined) return;
      const between = entries.slice(ended + 1, nextStarted).filter((e) => e.type === 'metric');
      const samples = between.map((e) => e.data as { metric: string; value?: number; error?: string });
      expect(samples.map((s) => s.metric).sort(), `analysis after ${step}`).toEqual([...(analysis[step] ?? [])].sort());
      for (const sample of samples) expect(sample.error, `${sample.metric} after ${step}`).toBeUndefined();
    });

    // The half-way announcement follows the step that crossed it; completion follows the last.
    const announced = (text: string) => entries.findIndex((e) => e.type === 'announcement' && (e.data as { text: string }).text.startsWith(`${PROGRESS}${text}`));
    const halfwayAt = announced(`${percent}% complete`);
    const completeAt = announced('100% complete');
    expect(halfwayAt).toBeGreaterThan(entries.findIndex((e) => named(e, 'command.end', halfway)));
    expect(completeAt).toBeGreaterThan(halfwayAt);
    expect(completeAt).toBeGreaterThan(entries.findIndex((e) => named(e, 'command.end', steps.at(-1) ?? '')));

    const report = JSON.parse(readFileSync(join(run.evidence, 'production-deployment-report.json'), 'utf8')) as {
      strategy: string;
      commands: { name: string; exitCode: number }[];
    };
    expect(report.strategy).toBe(strategy);
    expect(report.commands.map((c) => `${c.name}:${c.exitCode}`)).toEqual([
      'freeze-lock:0',
      'dry-run:0',
      ...steps.map((step) => `${step}:0`),
      'freeze-unlock:0',
    ]);
  });
});
