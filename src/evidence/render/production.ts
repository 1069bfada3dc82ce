import { productionApproved, productionRoles } from '../../../machines/rules.js';
import type { SessionContext } from '../../../machines/types.js';
import { isBreach, thresholdRule } from '../../probes/thresholds.js';
import type { CommandRecord } from '../../runner/types.js';
import { validationSuccessRate } from '../gates.js';
import type { RenderExtras } from './extras.js';
import { json, releaseOf } from './format.js';

// Phase 3 evidence: the production approval bound to what was reviewed, every
// command with its result, and the immediate post-deployment validation.

export function renderProductionApproval(context: SessionContext, extras: RenderExtras): string {
  const { plan } = context;
  // SPEC §6: the approval names the tag and the SHA-256 of every artifact the approvers were shown.
  const reviewed = [...context.readiness, ...context.scope]
    .filter((item) => item.sha256 !== undefined)
    .map((item) => ({ path: item.name, sha256: item.sha256 }));
  return json({
    release: releaseOf(context),
    tag: plan.release.tag,
    generatedAt: extras.generatedAt,
    requiredRoles: productionRoles(plan),
    separationOfDuties: plan.approvals.separationOfDuties,
    operator: { user: context.operator.user, ...(context.operator.name ? { name: context.operator.name } : {}) },
    approvals: context.approvals.map((a) => ({
      role: a.role,
      name: a.name,
      user: a.user,
      decision: a.decision,
      at: a.at,
      source: a.source,
      ...(a.reason ? { reason: a.reason } : {}),
    })),
    approved: productionApproved(context),
    reviewed: { tag: plan.release.tag, artifacts: reviewed },
  });
}

/** What a command was for, since the record only carries its name. */
function commandKind(context: SessionContext, record: CommandRecord): string {
  if (context.plan.deploy.steps.some((s) => s.name === record.name)) return 'deploy';
  return record.name;
}

export function renderDeploymentReport(context: SessionContext, extras: RenderExtras): string {
  const commands = context.commands.map((r) => ({
    name: r.name,
    kind: commandKind(context, r),
    argv: r.argv,
    cwd: r.cwd,
    startedAt: r.startedAt,
    endedAt: r.endedAt,
    durationMs: r.durationMs,
    exitCode: r.exitCode,
    signal: r.signal,
    timedOut: r.timedOut,
    aborted: r.aborted,
    error: r.error ?? null,
    log: r.log,
    lines: r.lines,
  }));
  return json({
    release: releaseOf(context),
    generatedAt: extras.generatedAt,
    strategy: context.plan.release.strategy,
    steps: context.plan.deploy.steps.map((s) => s.name),
    commands,
    totals: {
      count: commands.length,
      failed: commands.filter((c) => c.exitCode !== 0).length,
      durationMs: commands.reduce((sum, c) => sum + c.durationMs, 0),
    },
    analyses: context.analyses,
    ...(context.rollback ? { rollback: { reason: context.rollback.reason, startedAt: context.rollback.startedAt, exitCode: context.rollback.record?.exitCode ?? null } } : {}),
  });
}

export function renderPostDeploymentValidation(context: SessionContext, extras: RenderExtras): string {
  const checks = context.checks;
  const threshold = context.plan.gates.launch.validationThreshold;
  const successRate = validationSuccessRate(checks);
  // Each sample is judged against its metric's threshold so Protocol 19 reads a baseline, not raw numbers.
  const metricsSnapshot = context.postDeploymentSnapshot.map((sample) => {
    const metric = context.plan.health.metrics.find((m) => m.name === sample.metric);
    return {
      ...sample,
      ...(metric ? { rule: thresholdRule(metric) } : {}),
      withinThreshold: metric && sample.value !== undefined ? !isBreach(metric, sample.value) : null,
    };
  });
  return json({
    release: releaseOf(context),
    generatedAt: extras.generatedAt,
    checks,
    passed: checks.filter((c) => c.passed).length,
    total: checks.length,
    successRate,
    threshold,
    metricsSnapshot,
    verdict: successRate >= threshold ? 'pass' : 'fail',
  });
}
