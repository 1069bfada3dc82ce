import { fromCallback, fromPromise } from 'xstate';
import type { Check, CommandSpec, Metric, Plan } from '../src/plan/schema.js';
import type { CheckResult, MetricSample } from '../src/probes/types.js';
import type { CommandRecord } from '../src/runner/types.js';
import type { ReadinessItem, SessionEvent } from './types.js';

// The chart names its long-running work; the session provides the real
// implementations (IO lives in src/). These defaults fail loudly if a caller
// forgot to provide one, except the clock, which is the real clock.

export type CheckStage = 'prerequisites' | 'staging' | 'smoke' | 'rollback';
export type CommandKind = 'freeze-lock' | 'freeze-unlock' | 'dry-run' | 'deploy' | 'rollback';

export interface CommandInput {
  name: string;
  kind: CommandKind;
  command: CommandSpec;
}

export interface ChecksInput {
  stage: CheckStage;
  checks: Check[];
  /** Metrics to sample once alongside, for the post-deployment snapshot. */
  metrics: Metric[];
}

export interface ChecksOutput {
  checks: CheckResult[];
  samples: MetricSample[];
}

const notProvided = (name: string) => () => Promise.reject(new Error(`the session did not provide the ${name} actor`));

export const TICK_MS = 250;

export const sessionActors = {
  clock: fromCallback<SessionEvent, { tickMs: number }>(({ sendBack, input }) => {
    const timer = setInterval(() => sendBack({ type: 'TICK', now: Date.now() }), input.tickMs);
    return () => clearInterval(timer);
  }),
  checkReadiness: fromPromise<ReadinessItem[], { plan: Plan }>(notProvided('checkReadiness')),
  confirmScope: fromPromise<ReadinessItem[], { plan: Plan }>(notProvided('confirmScope')),
  runChecks: fromPromise<ChecksOutput, ChecksInput>(notProvided('runChecks')),
  runCommand: fromPromise<CommandRecord, CommandInput>(notProvided('runCommand')),
  sampleMetrics: fromPromise<MetricSample[], { metrics: Metric[] }>(notProvided('sampleMetrics')),
  soakSampler: fromCallback<SessionEvent, { metrics: Metric[]; intervalMs: number }>(() => {
    throw new Error('the session did not provide the soakSampler actor');
  }),
};
