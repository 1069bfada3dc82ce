import { assign, emit, enqueueActions, setup } from 'xstate';
import { durationMs } from '../src/plan/duration.js';
import { freezeGate, launchGate, readinessGate, reportingGate } from '../src/evidence/gates.js';
import { gateArtifact, reportCompleteness } from '../src/evidence/files.js';
import { thresholdRule } from '../src/probes/thresholds.js';
import { announce } from './announcements.js';
import { sessionActors, type ChecksOutput } from './actors.js';
import type { CommandRecord } from '../src/runner/types.js';
import type { MetricSample } from '../src/probes/types.js';
import {
  actionableBreach,
  addSample,
  analysisBreaches,
  answerAcceptable,
  approvalWaitingFor,
  describeRoles,
  emptySeries,
  insideWindow,
  outstandingRoles,
  productionApproved,
  productionRoles,
  waiverAllowed,
} from './rules.js';
import type {
  AnnouncementKind,
  ArtifactName,
  Decision,
  GateName,
  GateResult,
  Outcome,
  PhaseName,
  Person,
  SessionContext,
  SessionEmitted,
  SessionEvent,
  SessionInput,
} from './types.js';

// Guards and actions of the release chart, named in the protocol's words.
// The chart itself (release.ts) reads as the protocol's steps.

const iso = (ms: number) => new Date(ms).toISOString();
const prefix = (context: SessionContext) => context.plan.announce.prefix;

/** Asks the session to write these artifacts from the context as it is now (a named action, so the chart reads `evidence('report')`). */
export const evidence = (...artifacts: ArtifactName[]) => ({ type: 'writeEvidence', params: { artifacts } }) as const;
/** The health log again, if there was a soak window: its ending is known only now. */
export const refreshHealthLog = { type: 'writeEvidence', params: { artifacts: ['health-log'] as ArtifactName[], onlyOnceSoakStarted: true } } as const;

function evaluate(gate: GateName, context: SessionContext): GateResult {
  const at = iso(context.now);
  switch (gate) {
    case 'readiness':
      return readinessGate([...context.readiness, ...context.scope], at);
    case 'freeze':
      return freezeGate(
        {
          staging: context.staging,
          stagingWaived: context.waivers.some((w) => w.step === STEP.staging),
          requiredRoles: context.plan.freeze.acknowledge,
          acknowledgements: context.acknowledgements,
        },
        at,
      );
    case 'launch':
      return launchGate(
        {
          approved: productionApproved(context),
          deployCommands: context.commands.filter((c) => context.plan.deploy.steps.some((s) => s.name === c.name)),
          expectedSteps: context.plan.deploy.steps.length,
          checks: context.checks,
          validationThreshold: context.plan.gates.launch.validationThreshold,
        },
        at,
      );
    case 'reporting': {
      const { completeness, missing } = reportCompleteness(context.evidence);
      return reportingGate(
        {
          metrics: context.plan.health.metrics.map((m) => ({ name: m.name, rule: thresholdRule(m), series: context.metrics[m.name] })),
          completeness,
          completenessThreshold: context.plan.gates.reporting.completenessThreshold,
          missingEvidence: missing,
        },
        at,
      );
    }
  }
}

/** The protocol's steps as the operator reads them in halts and the report. */
export const STEP = {
  evidence: 'Validate pre-deployment evidence',
  scope: 'Confirm release scope and stakeholders',
  window: 'Deployment window',
  readinessGate: 'Gate 1: Readiness Confirmation',
  staging: 'Reconfirm staging health',
  freezeLock: 'Change freeze lock',
  acknowledgements: 'Change freeze acknowledgements',
  dryRun: 'Final dry run',
  freezeGate: 'Gate 2: Approval & Change Freeze',
  approval: 'Production approval',
  launchGate: 'Gate 3: Production Launch',
  soak: 'Health window',
  reportingGate: 'Gate 4: Stabilization & Reporting',
  rollback: 'Rollback',
  evidenceWrite: 'Writing evidence',
} as const;

const REQUIRED_ACTION: Record<GateName, string> = {
  readiness: 'Halt deployment; resolve missing items; reschedule if necessary.',
  freeze: 'Delay deployment; obtain acknowledgements; repeat freeze confirmation.',
  launch: 'Initiate rollback per plan, notify stakeholders, engage Protocol 20.',
  reporting: 'Extend monitoring window; escalate to Protocol 19/13; update report before handoff.',
};

type Params<T> = { context: SessionContext; event: SessionEvent } & T;
/** The output of the invoked actor whose done event is being handled. */
const outputOf = <T>(event: unknown): T => (event as { output: T }).output;
const byOf = (event: SessionEvent): Person | undefined => ('by' in event ? event.by : undefined);

export const releaseSetup = setup({
  types: {
    context: {} as SessionContext,
    events: {} as SessionEvent,
    input: {} as SessionInput,
    emitted: {} as SessionEmitted,
  },
  actors: sessionActors,
  guards: {
    allItemsPass: (_, items: { status: string }[]) => items.every((i) => i.status === 'pass'),
    insideDeploymentWindow: ({ context }) => insideWindow(context.plan, context.now),
    gatePassed: ({ context }, params: { gate: GateName }) => context.gates[params.gate]?.verdict === 'pass',
    allChecksPass: (_, checks: { passed: boolean }[]) => checks.every((c) => c.passed),
    commandSucceeded: (_, record: { exitCode: number | null }) => record.exitCode === 0,
    hasCommand: ({ context }, params: { command: 'dryRun' | 'freezeLock' }) =>
      params.command === 'dryRun' ? context.plan.dryRun !== undefined : context.plan.freeze.lock !== undefined,
    freezeNeedsUnlock: ({ context }) => context.freezeLocked && context.plan.freeze.unlock !== undefined,
    acknowledgementAcceptable: ({ context, event }) =>
      event.type === 'ACKNOWLEDGE' && event.acknowledgement.for === 'freeze' && answerAcceptable(context.plan, context.plan.freeze.acknowledge, event.acknowledgement, context.acknowledgements),
    allAcknowledged: ({ context }) => outstandingRoles(context.plan.freeze.acknowledge, context.acknowledgements).length === 0,
    acknowledgementRefused: ({ context }) => context.acknowledgements.some((a) => a.decision === 'reject'),
    approvalAcceptable: ({ context, event }) =>
      event.type === 'APPROVAL' && event.approval.for === 'production' && answerAcceptable(context.plan, productionRoles(context.plan), event.approval, context.approvals),
    approvalRejected: ({ context }) => context.approvals.some((a) => a.decision === 'reject'),
    productionApproved: ({ context }) => productionApproved(context),
    deadlinePassed: ({ context }) => context.deadline !== undefined && context.now >= context.deadline,
    stepHasPause: ({ context }) => context.plan.deploy.steps[context.stepIndex]?.pause !== undefined,
    stepHasAnalysis: ({ context }) => (context.plan.deploy.steps[context.stepIndex]?.analysis?.length ?? 0) > 0,
    analysisPassed: (_, breaches: string[]) => breaches.length === 0,
    moreSteps: ({ context }) => context.stepIndex + 1 < context.plan.deploy.steps.length,
    metricBreached: ({ context }) => actionableBreach(context.plan, context.metrics) !== undefined,
    soakWindowOver: ({ context }) => context.soak !== undefined && context.now >= context.soak.endsAt,
    autoRollback: ({ context }) => context.plan.rollback.auto,
    productionStarted: ({ context }) => context.productionStarted,
    outcomeIs: ({ context }, params: { outcome: Outcome }) => context.outcome === params.outcome,
    waiverAllowed: ({ context, event }) => event.type === 'WAIVE' && waiverAllowed(context, event.by, event.reason),
    // Aborting a rollback under four eyes needs someone other than the operator.
    abortAllowed: ({ context, event }) => {
      if (!context.rollback || !context.plan.approvals.separationOfDuties) return true;
      const by = byOf(event);
      return by !== undefined && by.user !== context.operator.user && productionRoles(context.plan).includes(by.role);
    },
  },
  actions: {
    assignReadiness: assign({ readiness: ({ event }) => outputOf<SessionContext['readiness']>(event) }),
    assignScope: assign({ scope: ({ event }) => outputOf<SessionContext['scope']>(event) }),
    assignStaging: assign({ staging: ({ event }) => outputOf<ChecksOutput>(event).checks }),
    recordCommand: assign({ commands: ({ context, event }) => [...context.commands, outputOf<CommandRecord>(event)] }),
    recordRollbackCommand: assign({
      rollback: ({ context, event }) => (context.rollback ? { ...context.rollback, record: outputOf<CommandRecord>(event) } : context.rollback),
    }),
    recordRollbackChecks: assign({
      rollback: ({ context }, output: ChecksOutput) => (context.rollback ? { ...context.rollback, checks: output.checks } : context.rollback),
    }),
    recordAnalysis: assign({
      analyses: ({ context, event }) => {
        const samples = outputOf<MetricSample[]>(event);
        const step = context.plan.deploy.steps[context.stepIndex]?.name ?? 'deploy';
        return [...context.analyses, { step, samples, breaches: analysisBreaches(context.plan, samples), at: iso(context.now) }];
      },
    }),
    // The protocol asks for updates at start, 50 % and completion: announce the first step past half-way, and the last.
    announceProgressIfDue: enqueueActions(({ context, enqueue }) => {
      const total = context.plan.deploy.steps.length;
      const done = context.stepIndex + 1;
      const halfway = done / total >= 0.5 && done < total && !context.progressAnnounced.some((p) => p >= 50 && p < 100);
      const complete = done === total && !context.progressAnnounced.includes(100);
      if (!halfway && !complete) return;
      const percent = complete ? 100 : Math.round((done / total) * 100);
      const text = complete
        ? `Production deployment 100% complete (${done} of ${total} steps). Running post-deployment validation next.`
        : `Production deployment ${percent}% complete (${done} of ${total} steps, last: ${context.plan.deploy.steps[context.stepIndex]?.name}). No errors observed.`;
      enqueue.assign({ progressAnnounced: [...context.progressAnnounced, percent] });
      enqueue.emit({ type: 'announce', kind: 'progress', text: announce.progress(prefix(context), text) });
    }),
    writeEvidence: enqueueActions(({ context, enqueue }, params: { artifacts: ArtifactName[]; onlyOnceSoakStarted?: boolean }) => {
      if (params.onlyOnceSoakStarted && !context.soak) return;
      const written = [...new Set([...context.evidence, ...params.artifacts])];
      enqueue.assign({ evidence: written });
      enqueue.emit({ type: 'evidence', artifacts: params.artifacts, context: { ...context, evidence: written } });
    }),
    tick: assign({ now: ({ context, event }) => (event.type === 'TICK' ? Math.max(context.now, event.now) : context.now) }),
    startPhase: assign({
      phases: ({ context }, params: { phase: PhaseName }) => ({ ...context.phases, [params.phase]: { startedAt: iso(context.now) } }),
    }),
    endPhase: assign({
      phases: ({ context }, params: { phase: PhaseName }) => {
        const phase = context.phases[params.phase];
        return phase ? { ...context.phases, [params.phase]: { ...phase, endedAt: iso(context.now) } } : context.phases;
      },
    }),
    halt: assign(({ context }, params: { step: string; reason: string }) => ({
      halt: { step: params.step, reason: params.reason, since: iso(context.now) },
    })),
    announceHalt: emit(({ context }) => ({
      type: 'announce' as const,
      kind: 'error' as const,
      text: announce.error(prefix(context), context.halt?.step ?? 'unknown step', context.halt?.reason ?? 'unknown'),
    })),
    recordDecision: assign(({ context, event }, params: { kind: Decision['kind'] }) => {
      const step = context.halt?.step ?? 'session';
      const reason = 'reason' in event ? event.reason : undefined;
      const decision: Decision = { kind: params.kind, step, by: byOf(event), reason, at: iso(context.now) };
      return {
        decisions: [...context.decisions, decision],
        halts: context.halt ? [...context.halts, { ...context.halt, resolution: params.kind }] : context.halts,
        halt: undefined,
      };
    }),
    announceDecision: emit(({ context }) => {
      const last = context.decisions.at(-1);
      const who = last?.by ? ` by ${last.by.name} (${last.by.role}, ${last.by.source})` : '';
      const text = last ? `${last.kind} at ${last.step}${who}${last.reason ? `: ${last.reason}` : ''}` : 'decision recorded';
      return { type: 'announce' as const, kind: 'decision' as const, text: announce.decision(prefix(context), text) };
    }),
    recordWaiver: assign(({ context, event }) => {
      if (event.type !== 'WAIVE') return {};
      const step = context.halt?.step ?? 'session';
      return { waivers: [...context.waivers, { step, reason: event.reason, by: event.by, at: iso(context.now) }] };
    }),
    waiveFailingItems: assign({
      readiness: ({ context }) => context.readiness.map((i) => (i.status === 'fail' ? { ...i, status: 'waived' as const } : i)),
      scope: ({ context }) => context.scope.map((i) => (i.status === 'fail' ? { ...i, status: 'waived' as const } : i)),
    }),
    evaluateGate: assign(({ context }, params: { gate: GateName }) => ({
      gates: { ...context.gates, [params.gate]: evaluate(params.gate, context) },
    })),
    announceGate: emit(({ context }, params: { gate: GateName }): SessionEmitted => {
      const result = context.gates[params.gate]!;
      const text =
        result.verdict === 'pass'
          ? announce.gatePassed(prefix(context), result)
          : announce.gateFailed(prefix(context), result, REQUIRED_ACTION[params.gate]);
      return { type: 'announce', kind: result.verdict === 'pass' ? 'gate-passed' : 'gate-failed', text };
    }),
    startWait: assign(({ context }, params: { ms: number }) => ({ deadline: context.now + params.ms })),
    clearWait: assign({ deadline: undefined }),
    announceApprovalRequest: emit(({ context }) => ({
      type: 'announce' as const,
      kind: 'approval-request' as const,
      text: announce.approvalRequest(approvalWaitingFor(context)),
    })),
    announceFreezeRequest: emit(({ context }) => ({
      type: 'announce' as const,
      kind: 'acknowledgement-request' as const,
      text: announce.freezeRequest(describeRoles(context.plan, outstandingRoles(context.plan.freeze.acknowledge, context.acknowledgements))),
    })),
    recordAcknowledgement: assign({
      acknowledgements: ({ context, event }) => (event.type === 'ACKNOWLEDGE' ? [...context.acknowledgements, event.acknowledgement] : context.acknowledgements),
    }),
    recordApproval: assign({
      approvals: ({ context, event }) => (event.type === 'APPROVAL' ? [...context.approvals, event.approval] : context.approvals),
    }),
    resetApprovals: assign({ approvals: [] }),
    dropRefusedAcknowledgements: assign({ acknowledgements: ({ context }) => context.acknowledgements.filter((a) => a.decision === 'approve') }),
    markProductionStarted: assign({ productionStarted: true }),
    markFreezeLocked: assign({ freezeLocked: true }),
    markFreezeUnlocked: assign({ freezeLocked: false }),
    advanceStep: assign({ stepIndex: ({ context }) => context.stepIndex + 1 }),
    startSoakWindow: assign(({ context }, params: { fresh: boolean }) => {
      const ms = durationMs(context.plan.health.soak, 0);
      const extensions = params.fresh ? 0 : (context.soak?.extensions ?? 0) + 1;
      return {
        soak: { startedAt: context.now, endsAt: context.now + ms, extensions },
        metrics: params.fresh ? Object.fromEntries(context.plan.health.metrics.map((m) => [m.name, emptySeries()])) : context.metrics,
      };
    }),
    recordSample: assign({
      metrics: ({ context, event }) => {
        if (event.type !== 'SAMPLE') return context.metrics;
        const metric = context.plan.health.metrics.find((m) => m.name === event.sample.metric);
        if (!metric) return context.metrics;
        return { ...context.metrics, [metric.name]: addSample(context.metrics[metric.name] ?? emptySeries(), metric, event.sample) };
      },
    }),
    recordChecks: assign(({ context }, output: ChecksOutput) => ({ checks: output.checks, postDeploymentSnapshot: output.samples })),
    setOutcome: assign({ outcome: (_, params: { outcome: Outcome }) => params.outcome }),
    startRollback: assign(({ context, event }, params: { reason: string }) => ({
      rollback: { reason: 'reason' in event && event.reason ? event.reason : params.reason, by: byOf(event), startedAt: iso(context.now) },
      outcome: 'rolled-back' as const,
    })),
    recordResume: assign(({ context, event }) => {
      if (event.type !== 'RESUMED') return {};
      const at = iso(context.now);
      const resumes = [...context.resumes, { at, by: event.operator, from: event.from, ...(event.interrupted ? { interrupted: event.interrupted.step } : {}) }];
      return event.interrupted ? { resumes, halt: { step: event.interrupted.step, reason: event.interrupted.reason, since: at } } : { resumes };
    }),
    announceResume: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'RESUMED') return;
      enqueue.emit({ type: 'announce', kind: 'decision', text: announce.resumed(prefix(context), event.operator, event.from) });
      if (event.interrupted) enqueue.emit({ type: 'announce', kind: 'error', text: announce.error(prefix(context), event.interrupted.step, event.interrupted.reason) });
    }),
    announce: emit(({ context }, params: { kind: AnnouncementKind; text: (context: SessionContext) => string }): SessionEmitted => ({
      type: 'announce',
      kind: params.kind,
      text: params.text(context),
    })),
  },
});

