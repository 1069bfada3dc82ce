import { durationMs } from '../src/plan/duration.js';
import { announce } from './announcements.js';
import { TICK_MS, type CommandInput } from './actors.js';
import { actionableBreach, analysisBreaches, approvalWaitingFor, describeRoles, outstandingRoles } from './rules.js';
import { STEP, evidence, refreshHealthLog, releaseSetup } from './setup.js';
import type { GateName, SessionContext } from './types.js';

// Protocol 15 as a statechart: readiness → staging and change freeze →
// approval, deployment and immediate checks → soak window and report.
// Every [MUST] step that can fail has a `halted` child where the operator
// chooses retry, waive, roll back or abort; which of these a step offers is
// written at the step.

const prefix = (c: SessionContext) => c.plan.announce.prefix;
const outcome = (o: 'released' | 'rolled-back' | 'aborted') => ({ type: 'setOutcome' as const, params: { outcome: o } });
const decide = (kind: 'retry' | 'waive' | 'rollback' | 'abort' | 'extend') => ({ type: 'recordDecision' as const, params: { kind } });

interface HaltOptions {
  retry: string;
  waive?: string;
  /** What else a waiver changes, e.g. marking failed checklist items as waived. */
  waiveActions?: Array<'waiveFailingItems'>;
  rollback?: boolean;
  extend?: string;
}

/** A halted step: shows why, and waits for the operator's decision. */
function halted(options: HaltOptions) {
  return {
    tags: ['halted'],
    entry: 'announceHalt' as const,
    on: {
      RETRY: { target: options.retry, actions: [decide('retry'), 'announceDecision' as const] },
      ABORT: { guard: 'abortAllowed' as const, target: '#release.finishing', actions: [decide('abort'), 'announceDecision' as const, outcome('aborted')] },
      ...(options.waive
        ? { WAIVE: { guard: 'waiverAllowed' as const, target: options.waive, actions: ['recordWaiver' as const, ...(options.waiveActions ?? []), decide('waive'), 'announceDecision' as const] } }
        : {}),
      ...(options.rollback
        ? {
            ROLLBACK: {
              target: '#release.rollingBack',
              actions: [decide('rollback'), 'announceDecision' as const, { type: 'startRollback' as const, params: { reason: 'rollback chosen by the operator' } }],
            },
          }
        : {}),
      ...(options.extend ? { EXTEND_SOAK: { target: options.extend, actions: [decide('extend'), 'announceDecision' as const] } } : {}),
    },
  };
}

/**
 * A step whose command was running when the session died: its outcome is
 * unknown, so nothing re-runs it unasked. Only `warroom resume` lands here
 * (machines/resume.ts); it offers what the step's own halt offers.
 */
function interrupted(options: HaltOptions) {
  return { ...halted(options), tags: ['halted', 'interrupted'] };
}

/** The operator may stop a phase at any moment; halted children handle these first. */
const ABORT_ANYTIME = {
  ABORT: { guard: 'abortAllowed' as const, target: '#release.finishing', actions: [decide('abort'), 'announceDecision' as const, outcome('aborted')] },
};
const ROLLBACK_ANYTIME = {
  ROLLBACK: {
    guard: 'productionStarted' as const,
    target: '#release.rollingBack',
    actions: [decide('rollback'), 'announceDecision' as const, { type: 'startRollback' as const, params: { reason: 'rollback chosen by the operator' } }],
  },
};

/** A gate: evaluated on entry, announced, written to gates/<gate>.json. */
function gateEntry(gate: GateName) {
  return [{ type: 'evaluateGate' as const, params: { gate } }, evidence(`gate:${gate}`), { type: 'announceGate' as const, params: { gate } }];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- done and error events differ per invoke
type Args = { context: SessionContext; event: any };
const haltBecause = (step: string, reason: (args: Args) => string) => ({ type: 'halt' as const, params: (args: Args) => ({ step, reason: reason(args) }) });

const errorText = ({ event }: { event: any }) => (event.error instanceof Error ? event.error.message : String(event.error));

function command(context: SessionContext, kind: CommandInput['kind']): CommandInput {
  const plan = context.plan;
  switch (kind) {
    case 'freeze-lock':
      return { name: 'freeze-lock', kind, command: plan.freeze.lock! };
    case 'freeze-unlock':
      return { name: 'freeze-unlock', kind, command: plan.freeze.unlock! };
    case 'dry-run':
      return { name: 'dry-run', kind, command: plan.dryRun! };
    case 'rollback':
      return { name: 'rollback', kind, command: plan.rollback };
    case 'deploy': {
      const step = plan.deploy.steps[context.stepIndex]!;
      return { name: step.name, kind, command: step };
    }
  }
}

/** Phase 1's checklist steps: run the checks, record the items, halt naming every failed one (waivable). */
function checklistStep(options: {
  src: 'checkReadiness' | 'confirmScope';
  assign: 'assignReadiness' | 'assignScope';
  artifact: 'readiness-checklist' | 'release-manifest';
  step: string;
  next: string;
}) {
  const failedItems = ({ event }: Args) =>
    event.output
      .filter((i: { status: string }) => i.status === 'fail')
      .map((i: { name: string; detail: string }) => `${i.name}: ${i.detail}`)
      .join('; ');
  return {
    initial: 'checking',
    states: {
      checking: {
        invoke: {
          src: options.src,
          input: ({ context }: Args) => ({ plan: context.plan }),
          onDone: [
            {
              guard: { type: 'allItemsPass' as const, params: ({ event }: Args) => event.output },
              target: options.next,
              actions: [{ type: options.assign }, evidence(options.artifact)],
            },
            { target: 'halted', actions: [{ type: options.assign }, evidence(options.artifact), haltBecause(options.step, failedItems)] },
          ],
          onError: { target: 'halted', actions: haltBecause(options.step, errorText) },
        },
      },
      halted: halted({ retry: 'checking', waive: options.next, waiveActions: ['waiveFailingItems'] }),
    },
  };
}

/** The health window: sample every metric each interval until the window closes or one breaches. */
function soakWindow(params: { fresh: boolean }) {
  return {
    entry: { type: 'startSoakWindow' as const, params },
    invoke: {
      src: 'soakSampler' as const,
      input: ({ context }: Args) => ({ metrics: context.plan.health.metrics, intervalMs: durationMs(context.plan.health.interval, 10_000) }),
    },
    on: { SAMPLE: { actions: 'recordSample' as const } },
    always: [
      { guard: 'metricBreached' as const, target: 'breached' },
      { guard: 'soakWindowOver' as const, target: 'report' },
    ],
  };
}

const failedCommand = (step: string) =>
  haltBecause(step, ({ event }) => `${event.output.name} failed: ${event.output.error ?? `exit code ${event.output.exitCode}`}`);
const failedChecks = ({ event }: { event: any }) =>
  (event.output.checks ?? event.output)
    .filter((c: { passed: boolean }) => !c.passed)
    .map((c: { name: string; detail: string }) => `${c.name} (${c.detail})`)
    .join(', ');

export const releaseMachine = releaseSetup.createMachine({
  id: 'release',
  context: ({ input }) => ({
    plan: input.plan,
    operator: input.operator,
    evidenceDir: input.evidenceDir,
    now: input.now,
    startedAt: new Date(input.now).toISOString(),
    phases: {},
    readiness: [],
    scope: [],
    staging: [],
    acknowledgements: [],
    approvals: [],
    commands: [],
    stepIndex: 0,
    productionStarted: false,
    progressAnnounced: [],
    analyses: [],
    checks: [],
    postDeploymentSnapshot: [],
    metrics: {},
    gates: {},
    evidence: [],
    waivers: [],
    decisions: [],
    halts: [],
    freezeLocked: false,
    resumes: [],
  }),
  invoke: { src: 'clock', input: { tickMs: TICK_MS } },
  on: {
    TICK: { actions: 'tick' },
    RESUMED: { actions: ['recordResume', 'announceResume'] },
    EVIDENCE_FAILED: {
      target: '.evidenceFailed',
      actions: haltBecause(STEP.evidenceWrite, ({ event }) => `could not write ${event.path}: ${event.error}`),
    },
  },
  initial: 'readiness',
  states: {
    readiness: {
      entry: [{ type: 'startPhase', params: { phase: 'readiness' } }, { type: 'announce', params: { kind: 'phase-start', text: (c: SessionContext) => announce.phaseStart(prefix(c), 1) } }],
      exit: { type: 'endPhase', params: { phase: 'readiness' } },
      on: ABORT_ANYTIME,
      initial: 'validateEvidence',
      states: {
        validateEvidence: checklistStep({
          src: 'checkReadiness',
          assign: 'assignReadiness',
          artifact: 'readiness-checklist',
          step: STEP.evidence,
          next: '#release.readiness.confirmScope',
        }),
        confirmScope: {
          entry: { type: 'announce', params: { kind: 'step', text: () => announce.step(1, 'Release scope and stakeholder confirmations underway...') } },
          ...checklistStep({
            src: 'confirmScope',
            assign: 'assignScope',
            artifact: 'release-manifest',
            step: STEP.scope,
            next: '#release.readiness.deploymentWindow',
          }),
        },
        deploymentWindow: {
          initial: 'checking',
          states: {
            checking: {
              always: [
                { guard: 'insideDeploymentWindow', target: '#release.readiness.readinessGate' },
                {
                  target: 'halted',
                  actions: haltBecause(STEP.window, ({ context }) => `outside the deployment window ${context.plan.window?.start} – ${context.plan.window?.end}`),
                },
              ],
            },
            // Overriding the window is a waiver: an approver (not the operator, under four eyes) gives a reason.
            halted: halted({ retry: 'checking', waive: '#release.readiness.readinessGate' }),
          },
        },
        readinessGate: {
          initial: 'evaluating',
          states: {
            evaluating: {
              // The checklist is final here: scope items and any waivers are in it.
              entry: [evidence('readiness-checklist'), ...gateEntry('readiness')],
              always: [
                { guard: { type: 'gatePassed', params: { gate: 'readiness' } }, target: '#release.staging' },
                { target: 'halted', actions: haltBecause(STEP.readinessGate, ({ context }) => context.gates.readiness!.criteria.filter((c) => !c.passed).map((c) => `${c.name}: ${c.actual}`).join('; ')) },
              ],
            },
            halted: halted({ retry: '#release.readiness.validateEvidence' }),
          },
        },
      },
    },

    staging: {
      entry: [{ type: 'startPhase', params: { phase: 'staging' } }, { type: 'announce', params: { kind: 'phase-start', text: (c: SessionContext) => announce.phaseStart(prefix(c), 2) } }],
      exit: { type: 'endPhase', params: { phase: 'staging' } },
      on: ABORT_ANYTIME,
      initial: 'reconfirmStaging',
      states: {
        reconfirmStaging: {
          initial: 'checking',
          states: {
            checking: {
              invoke: {
                src: 'runChecks',
                input: ({ context }) => ({ stage: 'staging' as const, checks: context.plan.staging.checks, metrics: [] }),
                onDone: [
                  {
                    guard: { type: 'allChecksPass', params: ({ event }: Args) => event.output.checks },
                    target: '#release.staging.changeFreeze',
                    actions: [{ type: 'assignStaging' }, evidence('staging-results')],
                  },
                  { target: 'halted', actions: [{ type: 'assignStaging' }, evidence('staging-results'), haltBecause(STEP.staging, (a) => `staging validation failed: ${failedChecks(a)}`)] },
                ],
                onError: { target: 'halted', actions: haltBecause(STEP.staging, errorText) },
              },
            },
            halted: halted({ retry: 'checking', waive: '#release.staging.changeFreeze' }),
          },
        },
        changeFreeze: {
          initial: 'locking',
          states: {
            // Without a lock command the freeze is the acknowledgements alone.
            locking: {
              always: [{ guard: { type: 'hasCommand', params: { command: 'freezeLock' } }, target: 'runningLock' }, { target: 'acknowledging' }],
            },
            runningLock: {
              invoke: {
                src: 'runCommand',
                input: ({ context }) => command(context, 'freeze-lock'),
                onDone: [
                  { guard: { type: 'commandSucceeded', params: ({ event }: Args) => event.output }, target: 'acknowledging', actions: ['recordCommand', 'markFreezeLocked', evidence('deployment-report')] },
                  { target: 'lockHalted', actions: ['recordCommand', evidence('deployment-report'), failedCommand(STEP.freezeLock)] },
                ],
                onError: { target: 'lockHalted', actions: haltBecause(STEP.freezeLock, errorText) },
              },
            },
            lockHalted: halted({ retry: 'runningLock' }),
            lockInterrupted: interrupted({ retry: 'runningLock' }),
            acknowledging: {
              tags: ['awaiting-acknowledgement'],
              entry: [{ type: 'startWait', params: ({ context }: Args) => ({ ms: durationMs(context.plan.approvals.timeout, 30 * 60_000) }) }, 'announceFreezeRequest', evidence('freeze-confirmation')],
              exit: 'clearWait',
              on: {
                ACKNOWLEDGE: { guard: 'acknowledgementAcceptable', actions: ['recordAcknowledgement', evidence('freeze-confirmation')] },
                HALT: { target: 'halted', actions: haltBecause(STEP.acknowledgements, ({ event }) => event.reason) },
              },
              always: [
                {
                  guard: 'acknowledgementRefused',
                  target: 'halted',
                  actions: haltBecause(STEP.acknowledgements, ({ context }) =>
                    `freeze not acknowledged by ${context.acknowledgements.filter((a) => a.decision === 'reject').map((a) => `${a.name} (${a.role})${a.reason ? `: ${a.reason}` : ''}`).join(', ')}`,
                  ),
                },
                { guard: 'allAcknowledged', target: '#release.staging.dryRun' },
                {
                  guard: 'deadlinePassed',
                  target: 'halted',
                  actions: haltBecause(STEP.acknowledgements, ({ context }) =>
                    `no acknowledgement within ${context.plan.approvals.timeout} from ${describeRoles(context.plan, outstandingRoles(context.plan.freeze.acknowledge, context.acknowledgements))}`,
                  ),
                },
              ],
            },
            halted: {
              ...halted({ retry: 'acknowledging' }),
              exit: 'dropRefusedAcknowledgements',
            },
          },
        },
        dryRun: {
          initial: 'deciding',
          states: {
            deciding: {
              always: [{ guard: { type: 'hasCommand', params: { command: 'dryRun' } }, target: 'running' }, { target: '#release.staging.freezeGate' }],
            },
            running: {
              invoke: {
                src: 'runCommand',
                input: ({ context }) => command(context, 'dry-run'),
                onDone: [
                  { guard: { type: 'commandSucceeded', params: ({ event }: Args) => event.output }, target: '#release.staging.freezeGate', actions: ['recordCommand', evidence('deployment-report')] },
                  { target: 'halted', actions: ['recordCommand', evidence('deployment-report'), failedCommand(STEP.dryRun)] },
                ],
                onError: { target: 'halted', actions: haltBecause(STEP.dryRun, errorText) },
              },
            },
            halted: halted({ retry: 'running', waive: '#release.staging.freezeGate' }),
            interrupted: interrupted({ retry: 'running', waive: '#release.staging.freezeGate' }),
          },
        },
        freezeGate: {
          initial: 'evaluating',
          states: {
            evaluating: {
              entry: [evidence('staging-results'), ...gateEntry('freeze'), evidence('freeze-confirmation')],
              always: [
                { guard: { type: 'gatePassed', params: { gate: 'freeze' } }, target: '#release.production' },
                { target: 'halted', actions: haltBecause(STEP.freezeGate, ({ context }) => context.gates.freeze!.criteria.filter((c) => !c.passed).map((c) => `${c.name}: ${c.actual}`).join('; ')) },
              ],
            },
            halted: halted({ retry: '#release.staging.reconfirmStaging' }),
          },
        },
      },
    },

    production: {
      entry: { type: 'startPhase', params: { phase: 'production' } },
      exit: { type: 'endPhase', params: { phase: 'production' } },
      on: { ...ABORT_ANYTIME, ...ROLLBACK_ANYTIME },
      initial: 'approval',
      states: {
        approval: {
          initial: 'waiting',
          states: {
            waiting: {
              tags: ['awaiting-approval'],
              entry: ['resetApprovals', { type: 'startWait', params: ({ context }: Args) => ({ ms: durationMs(context.plan.approvals.timeout, 30 * 60_000) }) }, 'announceApprovalRequest'],
              exit: 'clearWait',
              on: {
                APPROVAL: { guard: 'approvalAcceptable', actions: ['recordApproval', evidence('production-approval')] },
                HALT: { target: 'halted', actions: haltBecause(STEP.approval, ({ event }) => event.reason) },
              },
              always: [
                {
                  guard: 'approvalRejected',
                  target: 'halted',
                  actions: haltBecause(STEP.approval, ({ context }) =>
                    `production deployment rejected by ${context.approvals.filter((a) => a.decision === 'reject').map((a) => `${a.name} (${a.role})${a.reason ? `: ${a.reason}` : ''}`).join(', ')}`,
                  ),
                },
                { guard: 'productionApproved', target: '#release.production.deploying', actions: evidence('production-approval') },
                {
                  guard: 'deadlinePassed',
                  target: 'halted',
                  actions: haltBecause(STEP.approval, ({ context }) => `no approval within ${context.plan.approvals.timeout}; waiting for ${approvalWaitingFor(context)}`),
                },
              ],
            },
            // A production approval is never waived: retry asks again, from scratch.
            halted: halted({ retry: 'waiting' }),
          },
        },
        deploying: {
          entry: [
            { type: 'announce', params: { kind: 'phase-start', text: (c: SessionContext) => announce.phaseStart(prefix(c), 3) } },
            {
              type: 'announce',
              params: {
                kind: 'progress',
                text: (c: SessionContext) =>
                  announce.progress(prefix(c), `Production deployment started: ${c.plan.deploy.steps.length} step(s), ${c.plan.release.strategy} strategy (${c.plan.deploy.steps.map((s) => s.name).join(' → ')}).`),
              },
            },
          ],
          initial: 'running',
          states: {
            running: {
              entry: 'markProductionStarted',
              invoke: {
                src: 'runCommand',
                input: ({ context }) => command(context, 'deploy'),
                onDone: [
                  {
                    guard: { type: 'commandSucceeded', params: ({ event }: Args) => event.output },
                    target: 'afterStep',
                    actions: ['recordCommand', evidence('deployment-report'), 'announceProgressIfDue'],
                  },
                  { target: 'halted', actions: ['recordCommand', evidence('deployment-report'), failedCommand('Deployment step')] },
                ],
                onError: { target: 'halted', actions: haltBecause('Deployment step', errorText) },
              },
            },
            // A failed step offers retry / roll back / abort; it is never waived.
            halted: halted({ retry: 'running', rollback: true }),
            interrupted: interrupted({ retry: 'running', rollback: true }),
            afterStep: {
              always: [{ guard: 'stepHasPause', target: 'pausing' }, { target: 'analysisDue' }],
            },
            pausing: {
              entry: { type: 'startWait', params: ({ context }: Args) => ({ ms: durationMs(context.plan.deploy.steps[context.stepIndex]?.pause, 0) }) },
              exit: 'clearWait',
              always: { guard: 'deadlinePassed', target: 'analysisDue' },
            },
            analysisDue: {
              always: [{ guard: 'stepHasAnalysis', target: 'analysing' }, { target: 'nextStep' }],
            },
            analysing: {
              invoke: {
                src: 'sampleMetrics',
                input: ({ context }) => ({
                  metrics: context.plan.health.metrics.filter((m) => context.plan.deploy.steps[context.stepIndex]?.analysis?.includes(m.name)),
                }),
                onDone: [
                  { guard: { type: 'analysisPassed', params: ({ context, event }: Args) => analysisBreaches(context.plan, event.output) }, target: 'nextStep', actions: 'recordAnalysis' },
                  {
                    target: 'analysisHalted',
                    actions: ['recordAnalysis', haltBecause('Canary analysis', ({ context }) => `analysis after ${context.plan.deploy.steps[context.stepIndex]?.name}: ${context.analyses.at(-1)?.breaches.join('; ')}`)],
                  },
                ],
                onError: { target: 'analysisHalted', actions: haltBecause('Canary analysis', errorText) },
              },
            },
            // Skipping an analysis is a waiver (four eyes under separationOfDuties).
            analysisHalted: halted({ retry: 'analysing', waive: 'nextStep', rollback: true }),
            nextStep: {
              always: [{ guard: 'moreSteps', target: 'running', actions: 'advanceStep' }, { target: '#release.production.immediateChecks' }],
            },
          },
        },
        immediateChecks: {
          entry: { type: 'announce', params: { kind: 'step', text: () => announce.step(3, 'Running post-deployment validation checks...') } },
          invoke: {
            src: 'runChecks',
            input: ({ context }) => ({ stage: 'smoke' as const, checks: context.plan.checks, metrics: context.plan.health.metrics }),
            onDone: { target: 'launchGate', actions: [{ type: 'recordChecks', params: ({ event }: Args) => event.output }, evidence('post-deployment-validation')] },
            onError: { target: 'launchGate', actions: haltBecause('Immediate checks', errorText) },
          },
        },
        launchGate: {
          initial: 'evaluating',
          states: {
            evaluating: {
              entry: gateEntry('launch'),
              always: [
                { guard: { type: 'gatePassed', params: { gate: 'launch' } }, target: '#release.stabilisation' },
                { guard: 'autoRollback', target: '#release.rollingBack', actions: { type: 'startRollback', params: { reason: 'Production Launch Gate failed' } } },
                { target: 'halted', actions: haltBecause(STEP.launchGate, ({ context }) => context.gates.launch!.criteria.filter((c) => !c.passed).map((c) => `${c.name}: ${c.actual}`).join('; ')) },
              ],
            },
            halted: halted({ retry: '#release.production.immediateChecks', waive: '#release.stabilisation', rollback: true }),
          },
        },
      },
    },

    stabilisation: {
      entry: [{ type: 'startPhase', params: { phase: 'stabilisation' } }, { type: 'announce', params: { kind: 'phase-start', text: (c: SessionContext) => announce.phaseStart(prefix(c), 4) } }],
      exit: { type: 'endPhase', params: { phase: 'stabilisation' } },
      on: { ...ABORT_ANYTIME, ...ROLLBACK_ANYTIME },
      initial: 'soak',
      states: {
        soak: soakWindow({ fresh: true }),
        // Gate 4 failing offers more time: the window restarts its clock and keeps its samples.
        extendedSoak: soakWindow({ fresh: false }),
        breached: {
          entry: evidence('health-log'),
          always: [
            {
              guard: 'autoRollback',
              target: '#release.rollingBack',
              actions: [
                {
                  type: 'announce',
                  params: { kind: 'error', text: (c: SessionContext) => announce.autoRollback(prefix(c), STEP.soak, `health window breach: ${actionableBreach(c.plan, c.metrics)}`) },
                },
                { type: 'startRollback', params: ({ context }: Args) => ({ reason: `health window breach: ${actionableBreach(context.plan, context.metrics)}` }) },
              ],
            },
            { target: 'halted', actions: haltBecause(STEP.soak, ({ context }) => `health window breach: ${actionableBreach(context.plan, context.metrics)}`) },
          ],
        },
        halted: halted({ retry: 'soak', waive: 'report', rollback: true }),
        report: {
          entry: [
            { type: 'announce', params: { kind: 'step', text: () => announce.step(4, 'Compiling final release report and evidence bundle...') } },
            evidence('health-log', 'report'),
          ],
          always: 'retrospective',
        },
        retrospective: {
          entry: evidence('retrospective'),
          always: 'reportingGate',
        },
        reportingGate: {
          initial: 'evaluating',
          states: {
            evaluating: {
              entry: gateEntry('reporting'),
              always: [
                { guard: { type: 'gatePassed', params: { gate: 'reporting' } }, target: '#release.finishing', actions: outcome('released') },
                {
                  target: 'halted',
                  actions: haltBecause(STEP.reportingGate, ({ context }) => {
                    const gate = context.gates.reporting!;
                    const open = gate.criteria.filter((c) => !c.passed || gate.verdict === 'inconclusive').map((c) => `${c.name}: ${c.actual}`);
                    return `${gate.verdict === 'inconclusive' ? 'inconclusive (fewer than 3 samples of a metric)' : 'failed'}: ${open.join('; ')}`;
                  }),
                },
              ],
            },
            halted: halted({ retry: 'evaluating', waive: '#release.finishing', extend: '#release.stabilisation.extendedSoak', rollback: true }),
          },
        },
      },
    },

    rollingBack: {
      entry: [
        { type: 'announce', params: { kind: 'rollback', text: (c: SessionContext) => announce.rollback(prefix(c), `Rolling back ${c.plan.release.name} ${c.plan.release.tag}: ${c.rollback?.reason}`) } },
        { type: 'announce', params: { kind: 'rollback', text: (c: SessionContext) => announce.escalation(prefix(c), c.rollback?.reason ?? 'rollback') } },
      ],
      initial: 'running',
      states: {
        running: {
          invoke: {
            src: 'runCommand',
            input: ({ context }) => command(context, 'rollback'),
            onDone: [
              { guard: { type: 'commandSucceeded', params: ({ event }: Args) => event.output }, target: 'verifying', actions: ['recordCommand', 'recordRollbackCommand', evidence('deployment-report')] },
              { target: 'halted', actions: ['recordCommand', 'recordRollbackCommand', evidence('deployment-report', 'rollback-plan'), failedCommand(STEP.rollback)] },
            ],
            onError: { target: 'halted', actions: haltBecause(STEP.rollback, errorText) },
          },
        },
        verifying: {
          entry: { type: 'announce', params: { kind: 'rollback', text: (c: SessionContext) => announce.rollback(prefix(c), 'Rollback command finished; verifying service health...') } },
          invoke: {
            src: 'runChecks',
            input: ({ context }) => ({ stage: 'rollback' as const, checks: context.plan.rollback.checks, metrics: [] }),
            onDone: [
              {
                guard: { type: 'allChecksPass', params: ({ event }: Args) => event.output.checks },
                target: '#release.finishing',
                actions: [{ type: 'recordRollbackChecks', params: ({ event }: Args) => event.output }, evidence('rollback-plan')],
              },
              {
                target: 'halted',
                actions: [
                  { type: 'recordRollbackChecks', params: ({ event }: Args) => event.output },
                  evidence('rollback-plan'),
                  haltBecause(STEP.rollback, (a) => `rollback finished but its checks fail: ${failedChecks(a)}`),
                ],
              },
            ],
            onError: { target: 'halted', actions: haltBecause(STEP.rollback, errorText) },
          },
        },
        // A failed rollback is never waived; aborting it needs a second person under four eyes.
        halted: halted({ retry: 'running' }),
        interrupted: interrupted({ retry: 'running' }),
      },
    },

    // Every ending passes here so the change freeze is lifted on release, rollback and abort alike.
    finishing: {
      initial: 'deciding',
      states: {
        deciding: {
          always: [{ guard: 'freezeNeedsUnlock', target: 'unlocking' }, { target: 'done' }],
        },
        unlocking: {
          invoke: {
            src: 'runCommand',
            input: ({ context }) => command(context, 'freeze-unlock'),
            onDone: { target: 'done', actions: ['recordCommand', 'markFreezeUnlocked'] },
            onError: { target: 'done' },
          },
        },
        done: {
          // The health log written at a breach would otherwise end "still open" though the window ended in a rollback.
          entry: [refreshHealthLog, evidence('deployment-report', 'report', 'retrospective')],
          always: [
            { guard: { type: 'outcomeIs', params: { outcome: 'released' } }, target: '#release.complete' },
            { guard: { type: 'outcomeIs', params: { outcome: 'rolled-back' } }, target: '#release.rolledBack' },
            { target: '#release.aborted' },
          ],
        },
      },
    },

    // The session could not write evidence: nothing more happens until someone looks.
    evidenceFailed: {
      tags: ['halted'],
      entry: 'announceHalt',
    },
    complete: {
      type: 'final',
      entry: [
        { type: 'announce', params: { kind: 'phase-complete', text: (c: SessionContext) => announce.phaseComplete(prefix(c)) } },
        { type: 'announce', params: { kind: 'handoff', text: (c: SessionContext) => announce.handoff(prefix(c)) } },
      ],
    },
    rolledBack: {
      type: 'final',
      entry: { type: 'announce', params: { kind: 'rollback', text: (c: SessionContext) => announce.rollback(prefix(c), `Rollback of ${c.plan.release.tag} complete. Evidence: rollback-plan.md. Escalated to Protocol 20.`) } },
    },
    aborted: {
      type: 'final',
      entry: { type: 'announce', params: { kind: 'error', text: (c: SessionContext) => `[${prefix(c)} | ABORTED] Release ${c.plan.release.tag} aborted. Evidence: DEPLOYMENT-REPORT.md.` } },
    },
  },
});

/** True when `path` (`production.deploying.running`) names a leaf state of the chart, as journal transitions do. */
export function isLeafStatePath(path: string): boolean {
  let node: { states: Record<string, unknown> } = releaseMachine.root;
  for (const key of path.split('.')) {
    const next = Object.hasOwn(node.states, key) ? (node.states[key] as typeof node) : undefined;
    if (next === undefined) return false;
    node = next;
  }
  return Object.keys(node.states).length === 0;
}
