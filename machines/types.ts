import type { Metric, Plan } from '../src/plan/schema.js';
import type { CommandRecord } from '../src/runner/types.js';
import type { CheckResult, MetricSample } from '../src/probes/types.js';

export type PhaseName = 'readiness' | 'staging' | 'production' | 'stabilisation';
export type GateName = 'readiness' | 'freeze' | 'launch' | 'reporting';
export type Outcome = 'released' | 'rolled-back' | 'aborted';
export type AnswerSource = 'console' | 'attach' | 'file' | 'headless-rule' | 'command-line';

/** Someone who answers a prompt or takes a decision. */
export interface Person {
  name: string;
  role: string;
  user: string;
  source: AnswerSource;
}

/** A production approval or a change-freeze acknowledgement. */
export interface Approval extends Person {
  for: 'production' | 'freeze';
  decision: 'approve' | 'reject';
  at: string;
  reason?: string;
}

/** One line of deployment-readiness-checklist.json. */
export interface ReadinessItem {
  id: string;
  kind: 'artifact' | 'script' | 'check' | 'scope';
  name: string;
  status: 'pass' | 'fail' | 'waived';
  detail: string;
  sha256?: string;
}

export interface GateCriterion {
  name: string;
  required: string;
  actual: string;
  passed: boolean;
}

export interface GateResult {
  gate: GateName;
  title: string;
  verdict: 'pass' | 'fail' | 'inconclusive';
  criteria: GateCriterion[];
  evaluatedAt: string;
  /** Thresholds in force, with where they came from (protocol default or plan). */
  thresholds: Record<string, number>;
}

export interface Halt {
  /** The protocol step that halted, in the operator's words. */
  step: string;
  reason: string;
  since: string;
  resolution?: 'retry' | 'waive' | 'rollback' | 'abort' | 'extend';
}

export interface Waiver {
  step: string;
  reason: string;
  by: Person;
  at: string;
}

export interface Decision {
  kind: 'retry' | 'waive' | 'rollback' | 'abort' | 'extend';
  step: string;
  by?: Person;
  reason?: string;
  at: string;
}

/** What the chart keeps of a metric: bounded, whatever the soak length. */
export interface MetricSeries {
  samples: number;
  failures: number;
  consecutiveFailures: number;
  consecutiveBreaches: number;
  /** Times a value crossed the threshold (for the plan's number of samples in a row). */
  breaches: number;
  /** Times the source went unreadable 3 samples in a row ("metrics provider down"): each counts as a breach. */
  outages: number;
  min?: number;
  max?: number;
  last?: number;
  lastError?: string;
  recent: number[];
}

export interface AnalysisResult {
  step: string;
  samples: MetricSample[];
  breaches: string[];
  at: string;
}

export interface RollbackRecord {
  reason: string;
  by?: Person;
  startedAt: string;
  record?: CommandRecord;
  checks?: CheckResult[];
}

/** The session was stopped (quit, signal, crash) and continued with `warroom resume`. */
export interface Resume {
  at: string;
  by: string;
  /** The state it was in when it stopped. */
  from: string;
  /** The step whose command was running and whose outcome is unknown. */
  interrupted?: string;
}

export interface SessionContext {
  plan: Plan;
  operator: { user: string; name?: string };
  evidenceDir: string;
  /** The machine's clock: set by TICK events so time is an input. */
  now: number;
  startedAt: string;
  phases: Partial<Record<PhaseName, { startedAt: string; endedAt?: string }>>;
  readiness: ReadinessItem[];
  scope: ReadinessItem[];
  staging: CheckResult[];
  acknowledgements: Approval[];
  approvals: Approval[];
  commands: CommandRecord[];
  stepIndex: number;
  productionStarted: boolean;
  progressAnnounced: number[];
  analyses: AnalysisResult[];
  checks: CheckResult[];
  postDeploymentSnapshot: MetricSample[];
  metrics: Record<string, MetricSeries>;
  soak?: { startedAt: number; endsAt: number; extensions: number };
  gates: Partial<Record<GateName, GateResult>>;
  /** Evidence files the chart asked for and the session wrote (relative paths). */
  evidence: ArtifactName[];
  waivers: Waiver[];
  decisions: Decision[];
  halt?: Halt;
  halts: Halt[];
  /** When the current wait (pause, approval, acknowledgement) gives up. */
  deadline?: number;
  freezeLocked: boolean;
  rollback?: RollbackRecord;
  outcome?: Outcome;
  resumes: Resume[];
}

export interface SessionInput {
  plan: Plan;
  operator: { user: string; name?: string };
  evidenceDir: string;
  now: number;
}

export type SessionEvent =
  | { type: 'TICK'; now: number }
  | { type: 'APPROVAL'; approval: Approval }
  | { type: 'ACKNOWLEDGE'; acknowledgement: Approval }
  | { type: 'RETRY'; by?: Person }
  | { type: 'WAIVE'; by: Person; reason: string }
  | { type: 'ROLLBACK'; by?: Person; reason?: string }
  | { type: 'ABORT'; by?: Person; reason?: string }
  | { type: 'EXTEND_SOAK'; by?: Person }
  | { type: 'HALT'; reason: string }
  | { type: 'SAMPLE'; sample: MetricSample }
  | { type: 'EVIDENCE_FAILED'; path: string; error: string }
  | { type: 'RESUMED'; operator: string; from: string; interrupted?: { step: string; reason: string } };

export type ArtifactName =
  | 'readiness-checklist'
  | 'release-manifest'
  | 'staging-results'
  | 'freeze-confirmation'
  | 'production-approval'
  | 'deployment-report'
  | 'post-deployment-validation'
  | 'health-log'
  | 'report'
  | 'retrospective'
  | 'rollback-plan'
  | `gate:${GateName}`;

export type AnnouncementKind =
  | 'phase-start'
  | 'phase-complete'
  | 'step'
  | 'approval-request'
  | 'acknowledgement-request'
  | 'progress'
  | 'gate-passed'
  | 'gate-failed'
  | 'error'
  | 'rollback'
  | 'decision'
  | 'handoff'
  | 'presence';

export type SessionEmitted =
  | { type: 'announce'; kind: AnnouncementKind; text: string }
  | { type: 'evidence'; artifacts: ArtifactName[]; context: SessionContext };

export type { Metric };
