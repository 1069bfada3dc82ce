import type { Metric, Plan } from '../src/plan/schema.js';
import type { MetricSample } from '../src/probes/types.js';
import { isBreach } from '../src/probes/thresholds.js';
import type { Approval, MetricSeries, Person, SessionContext } from './types.js';

// The protocol's rules about people and numbers, as plain functions the
// chart's guards call. No IO, no clock: everything comes in as arguments.

/** A metric source unreadable this many times in a row is a breach ("metrics provider down"). */
export const PROVIDER_DOWN_AFTER = 3;
const RECENT_SAMPLES = 60;

export function productionRoles(plan: Plan): string[] {
  const roles = [...plan.approvals.production];
  if (plan.release.securityImpacting) roles.push(...plan.approvals.security.filter((r) => !roles.includes(r)));
  return roles;
}

export function outstandingRoles(required: string[], answers: Approval[]): string[] {
  const approved = new Set(answers.filter((a) => a.decision === 'approve').map((a) => a.role));
  return required.filter((role) => !approved.has(role));
}

/** "sre (Sam Okafor), qa (Dana Ortiz)": who the session waits for, by name. */
export function describeRoles(plan: Plan, roles: string[]): string {
  return roles
    .map((role) => {
      const names = plan.stakeholders.filter((s) => s.role === role).map((s) => s.name);
      return names.length ? `${role} (${names.join(' or ')})` : role;
    })
    .join(', ');
}

export function holdsRole(plan: Plan, person: Pick<Person, 'name' | 'user' | 'role'>): boolean {
  return plan.stakeholders.some((s) => s.role === person.role && s.user === person.user && s.name === person.name);
}

/** A required role, held by whoever answers, who has not answered this round already (an answer counts once). */
export function answerAcceptable(plan: Plan, required: string[], answer: Approval, given: Approval[] = []): boolean {
  const twice = given.some((a) => a.user === answer.user && a.role === answer.role && a.name === answer.name);
  return required.includes(answer.role) && holdsRole(plan, answer) && !twice;
}

/** Four eyes: with separationOfDuties someone other than the operator must approve. */
export function separationSatisfied(ctx: Pick<SessionContext, 'plan' | 'operator'>, approvals: Approval[]): boolean {
  if (!ctx.plan.approvals.separationOfDuties) return true;
  return approvals.some((a) => a.decision === 'approve' && a.user !== ctx.operator.user);
}

export function productionApproved(ctx: SessionContext): boolean {
  return outstandingRoles(productionRoles(ctx.plan), ctx.approvals).length === 0 && separationSatisfied(ctx, ctx.approvals);
}

export function approvalWaitingFor(ctx: SessionContext): string {
  const missing = outstandingRoles(productionRoles(ctx.plan), ctx.approvals);
  const parts = missing.length ? [describeRoles(ctx.plan, missing)] : [];
  if (!separationSatisfied(ctx, ctx.approvals)) parts.push(`an approver other than the operator (${ctx.operator.user})`);
  return parts.join('; ');
}

/** A waiver is recorded by an approving stakeholder with a reason; under four eyes, not by the operator. */
export function waiverAllowed(ctx: Pick<SessionContext, 'plan' | 'operator'>, by: Person, reason: string): boolean {
  if (reason.trim() === '') return false;
  if (!productionRoles(ctx.plan).includes(by.role) || !holdsRole(ctx.plan, by)) return false;
  return !ctx.plan.approvals.separationOfDuties || by.user !== ctx.operator.user;
}

export function emptySeries(): MetricSeries {
  return { samples: 0, failures: 0, consecutiveFailures: 0, consecutiveBreaches: 0, breaches: 0, outages: 0, recent: [] };
}

export function addSample(series: MetricSeries, metric: Metric, sample: MetricSample): MetricSeries {
  if (sample.value === undefined) {
    const consecutiveFailures = series.consecutiveFailures + 1;
    const providerDown = consecutiveFailures >= PROVIDER_DOWN_AFTER;
    return {
      ...series,
      failures: series.failures + 1,
      consecutiveFailures,
      outages: series.outages + (consecutiveFailures === PROVIDER_DOWN_AFTER ? 1 : 0),
      lastError: providerDown ? `metrics provider down: ${sample.error ?? 'unreadable'}` : (sample.error ?? 'unreadable'),
    };
  }
  const breach = isBreach(metric, sample.value);
  const consecutiveBreaches = breach ? series.consecutiveBreaches + 1 : 0;
  return {
    samples: series.samples + 1,
    failures: series.failures,
    consecutiveFailures: 0,
    consecutiveBreaches,
    breaches: series.breaches + (consecutiveBreaches === metric.breachesBeforeAction ? 1 : 0),
    outages: series.outages,
    min: series.min === undefined ? sample.value : Math.min(series.min, sample.value),
    max: series.max === undefined ? sample.value : Math.max(series.max, sample.value),
    last: sample.value,
    recent: [...series.recent.slice(-(RECENT_SAMPLES - 1)), sample.value],
  };
}

/** Names the metric that demands action now, with why; undefined when all are within bounds. */
export function actionableBreach(plan: Plan, metrics: Record<string, MetricSeries>): string | undefined {
  for (const metric of plan.health.metrics) {
    const series = metrics[metric.name];
    if (!series) continue;
    if (series.consecutiveFailures >= PROVIDER_DOWN_AFTER) return `${metric.name}: ${series.lastError}`;
    if (series.consecutiveBreaches >= metric.breachesBeforeAction) {
      return `${metric.name} = ${series.last} breaches its threshold (${describeBounds(metric)}) for ${series.consecutiveBreaches} sample(s)`;
    }
  }
  return undefined;
}

function describeBounds(metric: Metric): string {
  return [metric.min !== undefined ? `min ${metric.min}` : '', metric.max !== undefined ? `max ${metric.max}` : ''].filter(Boolean).join(', ');
}

export function insideWindow(plan: Plan, now: number): boolean {
  if (!plan.window) return true;
  return now >= Date.parse(plan.window.start) && now <= Date.parse(plan.window.end);
}

/** What a canary analysis found wrong in one round of samples. */
export function analysisBreaches(plan: Plan, samples: MetricSample[]): string[] {
  return samples.flatMap((sample) => {
    const metric = plan.health.metrics.find((m) => m.name === sample.metric);
    if (!metric) return [];
    if (sample.value === undefined) return [`${metric.name} unreadable: ${sample.error ?? 'no value'}`];
    return isBreach(metric, sample.value) ? [`${metric.name} = ${sample.value} (${describeBounds(metric)})`] : [];
  });
}
