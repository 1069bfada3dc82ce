import { STEP } from '../../../machines/setup.js';
import { describeRoles, productionRoles } from '../../../machines/rules.js';
import type { ReadinessItem, SessionContext } from '../../../machines/types.js';
import type { RenderExtras } from './extras.js';
import { bullets, code, commandLine, document, inline, json, percent, releaseOf, releaseTitle, table } from './format.js';
import { waiversTable } from './tables.js';

// Phase 1 evidence: the readiness checklist (Gate 1 reads it) and the
// release manifest annotated with the scope confirmations.

/** Waivers recorded at a Phase 1 step: they are what lets a failing item through. */
const PHASE_1_STEPS: string[] = [STEP.evidence, STEP.scope, STEP.window, STEP.readinessGate];

/** Gate 1 counts artifacts, scripts, checks and scope items alike. */
const checklistItems = (context: SessionContext): ReadinessItem[] => [...context.readiness, ...context.scope];

export function renderReadinessChecklist(context: SessionContext, extras: RenderExtras): string {
  const items = checklistItems(context);
  const done = items.filter((i) => i.status !== 'fail').length;
  return json({
    release: releaseOf(context),
    generatedAt: extras.generatedAt,
    items: items.map((i) => ({ id: i.id, kind: i.kind, name: i.name, status: i.status, detail: i.detail, ...(i.sha256 ? { sha256: i.sha256 } : {}) })),
    completion: {
      done,
      total: items.length,
      ratio: items.length === 0 ? 1 : done / items.length,
      waived: items.filter((i) => i.status === 'waived').length,
      failing: items.filter((i) => i.status === 'fail').map((i) => i.name),
    },
    waivers: context.waivers.filter((w) => PHASE_1_STEPS.includes(w.step)),
  });
}

const annotation = (item: ReadinessItem): string =>
  item.status === 'pass' ? '✔ confirmed' : item.status === 'waived' ? '✘ waived' : '✘ not confirmed';

function scopeSection(context: SessionContext): string {
  if (context.scope.length === 0) return '_Scope confirmation has not run yet._';
  const confirmed = context.scope.filter((i) => i.status === 'pass').length;
  const rows = context.scope.map((i) => [annotation(i), i.name, i.detail]);
  return `${confirmed} of ${context.scope.length} confirmed (${percent(confirmed / context.scope.length)}).\n\n${table(['Status', 'Item', 'Detail'], rows)}`;
}

function windowSection(context: SessionContext): string {
  const window = context.plan.window;
  if (!window) return 'No deployment window in the plan: the release may run at any time.';
  const overridden = context.waivers.filter((w) => w.step === STEP.window);
  const lines = [`- Deployment window: ${inline(window.start)} – ${inline(window.end)}`];
  for (const w of overridden) lines.push(`- Window overridden by ${inline(w.by.name)} (${inline(w.by.role)}) at ${inline(w.at)}: ${inline(w.reason)}`);
  return lines.join('\n');
}

function approvalsSection(context: SessionContext): string {
  const plan = context.plan;
  const lines = [
    `- Production approval: ${inline(describeRoles(plan, productionRoles(plan)))}${plan.release.securityImpacting ? ' (includes security sign-off: the release is security-impacting)' : ''}`,
    `- Separation of duties: ${plan.approvals.separationOfDuties ? `yes — an approver other than the operator (${inline(context.operator.user)}) must approve` : 'no'}`,
    `- Change freeze acknowledgements: ${plan.freeze.acknowledge.length ? inline(describeRoles(plan, plan.freeze.acknowledge)) : 'none required'}`,
    `- Answer timeout: ${inline(plan.approvals.timeout)} (a pending answer past it halts; it never approves itself)`,
  ];
  return lines.join('\n');
}

function stepsSection(context: SessionContext): string {
  const plan = context.plan;
  const rows = plan.deploy.steps.map((s, i) => [
    String(i + 1),
    s.name,
    code(commandLine(s.run)),
    s.timeout ?? 'default',
    s.pause ?? '',
    s.analysis?.join(', ') ?? '',
  ]);
  const around: string[] = [];
  if (plan.freeze.lock) around.push(`Freeze lock: ${code(commandLine(plan.freeze.lock.run))}`);
  if (plan.dryRun) around.push(`Dry run: ${code(commandLine(plan.dryRun.run))}`);
  if (plan.freeze.unlock) around.push(`Freeze unlock: ${code(commandLine(plan.freeze.unlock.run))}`);
  return `${table(['#', 'Step', 'Command', 'Timeout', 'Pause after', 'Analysis'], rows)}\n\n${bullets(around, '')}`.trimEnd();
}

export function renderReleaseManifest(context: SessionContext, extras: RenderExtras): string {
  const { release, stakeholders, rollback } = context.plan;
  const scope = table(
    ['Field', 'Value'],
    [
      ['Release', release.name],
      ['Tag', release.tag],
      ['Environment', release.environment],
      ['Strategy', release.strategy],
      ['Services', release.services.join(', ')],
      ['Security-impacting', release.securityImpacting ? 'yes' : 'no'],
    ],
  );
  const rollbackLine = `${code(commandLine(rollback.run))} (timeout ${inline(rollback.timeout ?? 'default')}; ${rollback.auto ? 'runs automatically when Gate 3 fails or the health window breaches' : 'runs on the operator’s confirmation'})`;
  return document([
    `# Release Manifest: ${inline(releaseTitle(context))}`,
    `Plan ${code(extras.planFile)} · operator ${inline(extras.operator)} · generated ${inline(extras.generatedAt)}`,
    `## Release scope\n\n${scope}`,
    `## Stakeholders\n\n${table(['Name', 'Role', 'Login'], stakeholders.map((s) => [s.name, s.role, s.user]))}`,
    `## Required approvals and acknowledgements\n\n${approvalsSection(context)}`,
    `## Deployment window\n\n${windowSection(context)}`,
    `## Deploy steps\n\n${stepsSection(context)}`,
    `## Rollback\n\n${rollbackLine}`,
    `## Scope confirmation\n\n${scopeSection(context)}`,
    context.waivers.some((w) => PHASE_1_STEPS.includes(w.step))
      ? `## Waivers\n\n${waiversTable(context.waivers.filter((w) => PHASE_1_STEPS.includes(w.step)))}`
      : '',
  ]);
}
