import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { addSample, answerAcceptable, emptySeries, outstandingRoles, productionRoles, separationSatisfied } from '../../machines/rules.js';
import type { Approval, GateName, GateResult, MetricSeries, ReadinessItem } from '../../machines/types.js';
import { readJournal } from '../journal/journal.js';
import { issueText, readSessionStart } from '../journal/session-start.js';
import type { Plan } from '../plan/schema.js';
import { thresholdRule } from '../probes/thresholds.js';
import { ARTIFACT_FILES, JOURNAL, REPORTING_EVIDENCE, artifactPath, evidenceFolderProblem, reportCompleteness } from './files.js';
import { freezeGate, launchGate, readinessGate, reportingGate } from './gates.js';

// The protocol's automation hooks (`warroom gate …`): one quality gate evaluated from
// the evidence folder alone, with the same gate functions and thresholds the chart used.

export type GateEvaluation = { result: GateResult; notes: string[] } | { error: string };

/** A user-fixable problem with the evidence; caught below and returned as a one-line reason. */
class EvidenceProblem extends Error {}

const person = { name: z.string(), role: z.string(), user: z.string(), source: z.enum(['console', 'attach', 'file', 'headless-rule']) };
const answer = { ...person, decision: z.enum(['approve', 'reject']), at: z.string(), reason: z.string().optional() };
const readinessItem = z.looseObject({
  id: z.string(), kind: z.enum(['artifact', 'script', 'check', 'scope']), name: z.string(),
  status: z.enum(['pass', 'fail', 'waived']), detail: z.string(), sha256: z.string().optional(),
});
const checkResult = z.looseObject({ name: z.string(), kind: z.enum(['run', 'http']), passed: z.boolean(), detail: z.string(), startedAt: z.string(), durationMs: z.number() });
const commandRecord = z
  .object({
    name: z.string(), argv: z.array(z.string()), cwd: z.string(), startedAt: z.string(), endedAt: z.string(), durationMs: z.number(),
    exitCode: z.number().nullable(), signal: z.string().nullable(), timedOut: z.boolean(), aborted: z.boolean(), log: z.string(), lines: z.number(),
    error: z.string().nullable().optional(),
  })
  .transform(({ error, ...record }) => ({ ...record, ...(error ? { error } : {}) }));

const FILES = {
  checklist: z.object({ items: z.array(readinessItem) }),
  staging: z.object({ checks: z.array(checkResult), waived: z.boolean().optional() }),
  approval: z.object({ approvals: z.array(z.object(answer)) }),
  deployment: z.object({ commands: z.array(commandRecord) }),
  validation: z.object({ checks: z.array(checkResult) }),
};
const acknowledgeAnswer = z.object({ type: z.literal('ACKNOWLEDGE'), acknowledgement: z.object({ ...answer, for: z.literal('freeze') }) });
const metricSample = z.object({ metric: z.string(), at: z.string(), value: z.number().optional(), error: z.string().optional() });

function readJson<T>(dir: string, file: string, schema: z.ZodType<T>, why: string): T {
  const path = join(dir, file);
  if (!existsSync(path)) throw new EvidenceProblem(`${file}: missing (${why})`);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new EvidenceProblem(`${file}: not readable as JSON (${(error as Error).message})`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new EvidenceProblem(`${file}: ${issueText(parsed.error)}`);
  return parsed.data;
}

interface JournalLine {
  type: string;
  data: unknown;
}

/** What the session's journal says, replayed the way the chart saw it. */
interface SessionFacts {
  plan: Plan;
  operator: string;
  acknowledgements: Approval[];
  /** Halted states in which a waiver was accepted (since that step last ran). */
  waived: Set<string>;
  /** The soak window's series; undefined when the window never opened. */
  metrics: Record<string, MetricSeries> | undefined;
}

const SOAK_STATES = ['stabilisation.soak', 'stabilisation.extendedSoak'];
const inSoak = (state: string) => SOAK_STATES.some((s) => state.startsWith(s));
/** Re-running these steps rewrites their results on disk, so an earlier waiver no longer applies. */
const RERUN_CLEARS: Record<string, string> = {
  'readiness.validateEvidence.checking': 'readiness.validateEvidence.halted',
  'readiness.confirmScope.checking': 'readiness.confirmScope.halted',
};

function journalLines(path: string): JournalLine[] {
  if (!existsSync(path)) throw new EvidenceProblem(`${JOURNAL}: missing (the session's journal holds the plan and its answers)`);
  // Every line is read even past a broken chain: a gate judges content, `warroom verify` judges integrity.
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      try {
        const entry = JSON.parse(line) as Partial<JournalLine> | null;
        return { type: String(entry?.type), data: entry?.data };
      } catch {
        throw new EvidenceProblem(`${JOURNAL}:${index + 1}: not a JSON object`);
      }
    });
}

function replaySession(dir: string): SessionFacts {
  const lines = journalLines(join(dir, JOURNAL));
  const start = lines.find((line) => line.type === 'session.start');
  if (!start) throw new EvidenceProblem(`${JOURNAL}: no session.start event, so no plan to judge against`);
  const recorded = readSessionStart(start.data);
  if ('problem' in recorded) throw new EvidenceProblem(`${JOURNAL}: ${recorded.problem}`);
  const { plan, operator } = recorded;
  const facts: SessionFacts = { plan, operator, acknowledgements: [], waived: new Set(), metrics: undefined };

  let state = '';
  for (const line of lines) {
    if (line.type === 'transition') {
      const to = String((line.data as { to?: unknown } | undefined)?.to ?? '');
      // Entering the soak window starts fresh series; the extended window keeps them (machines/setup.ts startSoakWindow).
      if (to.startsWith('stabilisation.soak') && !inSoak(state)) facts.metrics = Object.fromEntries(facts.plan.health.metrics.map((m) => [m.name, emptySeries()]));
      const cleared = RERUN_CLEARS[to];
      if (cleared) facts.waived.delete(cleared);
      state = to;
    } else if (line.type === 'answer') {
      const ack = acknowledgeAnswer.safeParse(line.data);
      if (ack.success && answerAcceptable(facts.plan, facts.plan.freeze.acknowledge, ack.data.acknowledgement)) facts.acknowledgements.push(ack.data.acknowledgement);
      if ((line.data as { type?: unknown } | undefined)?.type === 'WAIVE') facts.waived.add(state);
    } else if (line.type === 'metric' && inSoak(state) && facts.metrics) {
      const sample = metricSample.safeParse(line.data);
      const metric = sample.success ? facts.plan.health.metrics.find((m) => m.name === sample.data.metric) : undefined;
      if (sample.success && metric) facts.metrics[metric.name] = addSample(facts.metrics[metric.name] ?? emptySeries(), metric, sample.data);
    }
  }
  return facts;
}

const MISSING_BEFORE = (step: string) => `the session did not reach ${step}`;

function evaluate(gate: GateName, dir: string, facts: SessionFacts, at: string, notes: string[]): GateResult {
  const { plan } = facts;
  switch (gate) {
    case 'readiness': {
      const { items } = readJson(dir, ARTIFACT_FILES['readiness-checklist'], FILES.checklist, MISSING_BEFORE('pre-deployment evidence validation'));
      if (!items.some((i) => i.kind === 'scope')) notes.push(`${ARTIFACT_FILES['readiness-checklist']} holds no scope items (written before scope confirmation): counted here are its ${items.length} items`);
      // A waiver marks the failing items waived in the chart, after the checklist was written.
      const waivedAt = (item: ReadinessItem) => facts.waived.has(item.kind === 'scope' ? 'readiness.confirmScope.halted' : 'readiness.validateEvidence.halted');
      const checklist = items.map((item): ReadinessItem => (item.status === 'fail' && waivedAt(item) ? { ...item, status: 'waived' } : item));
      return readinessGate(checklist, at);
    }
    case 'freeze': {
      const staging = readJson(dir, ARTIFACT_FILES['staging-results'], FILES.staging, MISSING_BEFORE('staging reconfirmation'));
      const stagingWaived = staging.waived === true || facts.waived.has('staging.reconfirmStaging.halted');
      return freezeGate({ staging: staging.checks, stagingWaived, requiredRoles: plan.freeze.acknowledge, acknowledgements: facts.acknowledgements }, at);
    }
    case 'launch': {
      const approval = readJson(dir, ARTIFACT_FILES['production-approval'], FILES.approval, MISSING_BEFORE('production approval'));
      const deployment = readJson(dir, ARTIFACT_FILES['deployment-report'], FILES.deployment, MISSING_BEFORE('production deployment'));
      const validation = readJson(dir, ARTIFACT_FILES['post-deployment-validation'], FILES.validation, MISSING_BEFORE('post-deployment checks'));
      const roles = productionRoles(plan);
      // Only answers the chart would take count: a stakeholder holding a required role.
      const approvals = approval.approvals.map((a): Approval => ({ ...a, for: 'production' })).filter((a) => answerAcceptable(plan, roles, a));
      const approved = outstandingRoles(roles, approvals).length === 0 && separationSatisfied({ plan, operator: { user: facts.operator } }, approvals);
      return launchGate(
        {
          approved,
          deployCommands: deployment.commands.filter((c) => plan.deploy.steps.some((s) => s.name === c.name)),
          expectedSteps: plan.deploy.steps.length,
          checks: validation.checks,
          validationThreshold: plan.gates.launch.validationThreshold,
        },
        at,
      );
    }
    case 'reporting': {
      const written = REPORTING_EVIDENCE.filter((name) => existsSync(join(dir, artifactPath(name))));
      const { completeness, missing } = reportCompleteness(written);
      if (!facts.metrics) notes.push('the journal shows no soak window: no metric samples to judge');
      return reportingGate(
        {
          metrics: plan.health.metrics.map((m) => ({ name: m.name, rule: thresholdRule(m), series: facts.metrics?.[m.name] })),
          completeness,
          completenessThreshold: plan.gates.reporting.completenessThreshold,
          missingEvidence: missing,
        },
        at,
      );
    }
  }
}

/** What the session itself recorded for this gate, when it differs: an auditor wants both. */
function recordedVerdictNote(dir: string, gate: GateName, result: GateResult): string | undefined {
  const file = artifactPath(`gate:${gate}`);
  if (!existsSync(join(dir, file))) return undefined;
  try {
    const { verdict } = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { verdict?: unknown };
    return verdict !== result.verdict ? `the session recorded verdict "${String(verdict)}" in ${file}` : undefined;
  } catch {
    return `${file} is not readable as JSON`;
  }
}

/** Evaluates one quality gate from an evidence folder; bad evidence is a one-line reason, never an exception. */
export async function evaluateGateFromEvidence(gate: GateName, evidenceDir: string, now: Date = new Date()): Promise<GateEvaluation> {
  try {
    const problem = evidenceFolderProblem(evidenceDir);
    if (problem !== undefined) return { error: problem };
    const facts = replaySession(evidenceDir);
    const notes: string[] = [];
    const result = evaluate(gate, evidenceDir, facts, now.toISOString(), notes);
    const chain = readJournal(join(evidenceDir, JOURNAL)).brokenAt;
    if (chain) notes.push(`${JOURNAL}: chain breaks at line ${chain.line} (${chain.reason}); run warroom verify`);
    const recorded = recordedVerdictNote(evidenceDir, gate, result);
    if (recorded) notes.push(recorded);
    return { result, notes };
  } catch (error) {
    if (error instanceof EvidenceProblem) return { error: error.message };
    const code = (error as NodeJS.ErrnoException).code;
    if (code) return { error: `cannot read the evidence in ${evidenceDir}: ${code} ${(error as NodeJS.ErrnoException).path ?? ''}`.trim() };
    throw error;
  }
}
