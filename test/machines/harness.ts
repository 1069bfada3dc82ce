import { createActor, fromCallback, fromPromise, type SnapshotFrom } from 'xstate';
import { releaseMachine } from '../../machines/release.js';
import type { ChecksInput, ChecksOutput, CommandInput } from '../../machines/actors.js';
import type { Approval, ReadinessItem, SessionEmitted, SessionEvent } from '../../machines/types.js';
import { planSchema, type Metric, type Plan } from '../../src/plan/schema.js';
import type { CommandRecord } from '../../src/runner/types.js';
import type { CheckResult, MetricSample } from '../../src/probes/types.js';

// Drives the release chart with plain events and scripted actor results:
// no processes, no timers (the clock is the TICK events the test sends).

export const T0 = Date.parse('2026-11-24T10:00:00Z');

export function testPlan(overrides: Record<string, unknown> = {}): Plan {
  return planSchema.parse({
    version: 1,
    release: { name: 'checkout-api', tag: 'v2.4.0', environment: 'production', services: ['checkout-api'], strategy: 'canary' },
    stakeholders: [
      { name: 'Priya Raman', role: 'product-owner', user: 'priya' },
      { name: 'Sam Okafor', role: 'sre', user: 'sam' },
      { name: 'Dana Ortiz', role: 'qa', user: 'dana' },
      { name: 'Olive Operator', role: 'sre', user: 'operator' },
    ],
    approvals: { production: ['product-owner', 'sre'], separationOfDuties: true, timeout: '30m' },
    freeze: { acknowledge: ['sre', 'qa'], lock: { run: ['lock'] }, unlock: { run: ['unlock'] } },
    dryRun: { run: ['deploy', '--dry-run'] },
    deploy: {
      steps: [
        { name: 'canary-10', run: ['deploy', 'canary'], pause: '2s', analysis: ['error_ratio'] },
        { name: 'promote-100', run: ['deploy', 'all'] },
      ],
    },
    rollback: { run: ['rollback'], auto: true, checks: [{ name: 'healthz', run: ['probe'] }] },
    checks: [{ name: 'healthz', run: ['probe'] }],
    health: { soak: '5s', interval: '1s', metrics: [{ name: 'error_ratio', source: 'command', run: ['metric'], max: 0.05 }] },
    ...overrides,
  });
}

export interface Script {
  readiness?: ReadinessItem[];
  scope?: ReadinessItem[];
  checks?: (input: ChecksInput) => CheckResult[];
  command?: (input: CommandInput) => number | null;
  samples?: (metrics: Metric[]) => MetricSample[];
  /** Commands for which this is true never finish (a session killed mid-step). */
  hold?: (input: CommandInput) => boolean;
}

const pass = (name: string): ReadinessItem => ({ id: name, kind: 'artifact', name, status: 'pass', detail: 'ok' });

export function checkResult(name: string, passed: boolean): CheckResult {
  return { name, kind: 'run', passed, detail: passed ? 'exit 0' : 'exit 1', startedAt: new Date(T0).toISOString(), durationMs: 5 };
}

export function record(input: CommandInput, exitCode: number | null): CommandRecord {
  return {
    name: input.name,
    argv: input.command.run,
    cwd: '/plan',
    startedAt: new Date(T0).toISOString(),
    endedAt: new Date(T0 + 10).toISOString(),
    durationMs: 10,
    exitCode,
    signal: null,
    timedOut: false,
    aborted: false,
    ...(exitCode === 0 ? {} : { error: `exit code ${exitCode}` }),
    log: `logs/${input.name}.log`,
    lines: 3,
  };
}

/** Starts the chart, or restores it from a persisted snapshot (`resume`). */
export function startRelease(plan: Plan = testPlan(), script: Script = {}, operator = 'operator', snapshot?: unknown) {
  const commands: CommandInput[] = [];
  const machine = releaseMachine.provide({
    actors: {
      clock: fromCallback(() => () => {}),
      checkReadiness: fromPromise(async () => script.readiness ?? [pass('PRE-DEPLOYMENT-PACKAGE.zip')]),
      confirmScope: fromPromise(async () => script.scope ?? [pass('stakeholders')]),
      runChecks: fromPromise<ChecksOutput, ChecksInput>(async ({ input }) => ({
        checks: script.checks ? script.checks(input) : input.checks.map((c) => checkResult(c.name, true)),
        samples: [],
      })),
      runCommand: fromPromise<CommandRecord, CommandInput>(async ({ input }) => {
        commands.push(input);
        if (script.hold?.(input)) return new Promise<CommandRecord>(() => {});
        return record(input, script.command ? script.command(input) : 0);
      }),
      sampleMetrics: fromPromise<MetricSample[], { metrics: Metric[] }>(async ({ input }) =>
        script.samples ? script.samples(input.metrics) : input.metrics.map((m) => ({ metric: m.name, at: 'now', value: 0.01 })),
      ),
      soakSampler: fromCallback(() => () => {}),
    },
  });
  const emitted: SessionEmitted[] = [];
  const actor = createActor(machine, { input: { plan, operator: { user: operator }, evidenceDir: '/evidence', now: T0 }, ...(snapshot ? { snapshot: snapshot as never } : {}) });
  actor.on('*', (event) => emitted.push(event as SessionEmitted));
  actor.start();
  const announcements = () => emitted.filter((e) => e.type === 'announce').map((e) => (e.type === 'announce' ? e.text : ''));
  return { actor, emitted, announcements, commands };
}

export type ReleaseSnapshot = SnapshotFrom<typeof releaseMachine>;

export function stateOf(snapshot: ReleaseSnapshot): string {
  const flatten = (value: unknown): string =>
    typeof value === 'string' ? value : Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k}.${flatten(v)}`).join(',');
  return flatten(snapshot.value);
}

export type ReleaseActor = ReturnType<typeof startRelease>['actor'];

/** Waits until the chart reaches a state whose path contains `fragment`. */
export async function until(actor: ReleaseActor, fragment: string): Promise<ReleaseSnapshot> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const snapshot = actor.getSnapshot();
    if (stateOf(snapshot).includes(fragment)) return snapshot;
    if (snapshot.status !== 'active' && !stateOf(snapshot).includes(fragment)) throw new Error(`ended in ${stateOf(snapshot)}, never reached ${fragment}`);
    if (Date.now() > deadline) throw new Error(`stuck in ${stateOf(snapshot)}, never reached ${fragment}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export function approval(name: string, role: string, user: string, decision: 'approve' | 'reject' = 'approve', forWhat: Approval['for'] = 'production'): Approval {
  return { for: forWhat, role, name, user, decision, at: new Date(T0).toISOString(), source: 'file' };
}

export const acknowledge = (name: string, role: string, user: string): SessionEvent => ({
  type: 'ACKNOWLEDGE',
  acknowledgement: approval(name, role, user, 'approve', 'freeze'),
});
export const approve = (name: string, role: string, user: string, decision: 'approve' | 'reject' = 'approve'): SessionEvent => ({
  type: 'APPROVAL',
  approval: approval(name, role, user, decision),
});
export const tick = (ms: number): SessionEvent => ({ type: 'TICK', now: T0 + ms });

// The walk every test plan shares (testPlan's stakeholders, a 2s canary pause):
// each helper waits for the state it acts in, then sends what a person or the clock would.

/** Waits for the change freeze and acknowledges it for both roles the plan asks: sre (Sam) and qa (Dana). */
export async function acknowledgeFreeze(actor: ReleaseActor): Promise<void> {
  await until(actor, 'acknowledging');
  actor.send(acknowledge('Sam Okafor', 'sre', 'sam'));
  actor.send(acknowledge('Dana Ortiz', 'qa', 'dana'));
}

/** Acknowledges the freeze and waits at the production approval, approving nothing yet. */
export async function walkToApproval(actor: ReleaseActor): Promise<ReleaseSnapshot> {
  await acknowledgeFreeze(actor);
  return until(actor, 'approval.waiting');
}

/** Waits for the production approval and approves it for both roles the plan asks: product-owner (Priya) and sre (Sam). */
export async function approveProduction(actor: ReleaseActor): Promise<void> {
  await until(actor, 'approval.waiting');
  actor.send(approve('Priya Raman', 'product-owner', 'priya'));
  actor.send(approve('Sam Okafor', 'sre', 'sam'));
}

/** Acknowledges, approves and deploys the canary, then moves the clock past its 2s pause; what follows is up to the script. */
export async function walkPastCanaryPause(actor: ReleaseActor): Promise<void> {
  await acknowledgeFreeze(actor);
  await approveProduction(actor);
  await until(actor, 'pausing');
  actor.send(tick(2_000));
}

/** Walks a release that deploys cleanly to the start of the Phase 4 soak window. */
export async function walkToSoak(actor: ReleaseActor): Promise<ReleaseSnapshot> {
  await walkPastCanaryPause(actor);
  return until(actor, 'stabilisation.soak');
}

/** Sends one SAMPLE reading of `metric` for each value, in order. */
export function sendSamples(actor: ReleaseActor, metric: string, values: number[]): void {
  for (const value of values) actor.send({ type: 'SAMPLE', sample: { metric, at: 'now', value } });
}

/** Sends `count` SAMPLE events in a row in which `metric` could not be read. */
export function sendUnreadableSamples(actor: ReleaseActor, metric: string, error: string, count: number): void {
  for (let i = 0; i < count; i++) actor.send({ type: 'SAMPLE', sample: { metric, at: 'now', error } });
}
