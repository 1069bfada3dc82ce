import { STEP } from '../../../machines/setup.js';
import { describeRoles, outstandingRoles } from '../../../machines/rules.js';
import type { SessionContext } from '../../../machines/types.js';
import { validationSuccessRate } from '../gates.js';
import type { RenderExtras } from './extras.js';
import { bullets, code, commandLine, document, fileLink, inline, json, releaseOf, releaseTitle, table } from './format.js';
import { exitStatus } from './tables.js';

// Phase 2 evidence: staging reconfirmation and the change freeze with its
// acknowledgements (Gate 2 reads both).

export function renderStagingResults(context: SessionContext, extras: RenderExtras): string {
  const checks = context.staging;
  const waiver = context.waivers.find((w) => w.step === STEP.staging);
  return json({
    release: releaseOf(context),
    generatedAt: extras.generatedAt,
    checks,
    passed: checks.filter((c) => c.passed).length,
    total: checks.length,
    successRate: validationSuccessRate(checks),
    failed: checks.filter((c) => !c.passed).map((c) => c.name),
    waived: waiver !== undefined,
    ...(waiver ? { waiver } : {}),
  });
}

export type FreezeStatus = 'confirmed' | 'waiting' | 'refused';

export function freezeStatus(context: SessionContext): FreezeStatus {
  if (context.acknowledgements.some((a) => a.decision === 'reject')) return 'refused';
  return outstandingRoles(context.plan.freeze.acknowledge, context.acknowledgements).length === 0 ? 'confirmed' : 'waiting';
}

function lockSection(context: SessionContext): string {
  const lock = context.commands.filter((c) => c.name === 'freeze-lock').at(-1);
  const unlock = context.commands.filter((c) => c.name === 'freeze-unlock').at(-1);
  if (!context.plan.freeze.lock) return 'The plan has no lock command: the freeze rests on the acknowledgements below.';
  if (!lock) return `Lock command ${code(commandLine(context.plan.freeze.lock.run))} has not run yet.`;
  const lines = [
    `- Freeze start: ${inline(lock.exitCode === 0 ? lock.endedAt : 'not in effect (the lock command failed)')}`,
    `- Lock command: ${code(commandLine(lock.argv))} — exit code ${inline(exitStatus(lock))}, log ${fileLink(lock.log)}${lock.error ? ` (${inline(lock.error)})` : ''}`,
  ];
  if (unlock) lines.push(`- Freeze lifted: ${inline(unlock.endedAt)} by ${code(commandLine(unlock.argv))} — exit code ${inline(exitStatus(unlock))}`);
  return lines.join('\n');
}

export function renderFreezeConfirmation(context: SessionContext, extras: RenderExtras): string {
  const plan = context.plan;
  const required = plan.freeze.acknowledge;
  const outstanding = outstandingRoles(required, context.acknowledgements);
  const status = freezeStatus(context);
  const rows = context.acknowledgements.map((a) => [a.name, a.role, a.user, a.decision === 'approve' ? '✔ acknowledged' : '✘ refused', a.at, a.source, a.reason ?? '']);
  // The announcements show when the freeze was called and who was asked, in the protocol's words.
  const announced = extras.communicationLog.filter((line) => line.includes('Change freeze'));
  const statusLine =
    status === 'confirmed'
      ? `**Status: confirmed** — ${required.length ? 'every required role acknowledged the freeze' : 'no acknowledgement is required by the plan'}.`
      : status === 'refused'
        ? '**Status: refused** — a stakeholder did not acknowledge the freeze; the release halted.'
        : `**Status: waiting** — outstanding: ${inline(describeRoles(plan, outstanding))}.`;
  return document([
    `# Change Freeze Confirmation: ${inline(releaseTitle(context))}`,
    `Plan ${code(extras.planFile)} · operator ${inline(extras.operator)} · generated ${inline(extras.generatedAt)}`,
    statusLine,
    `## Freeze\n\n${lockSection(context)}`,
    `## Required roles\n\n${bullets(required.map((role) => `${inline(describeRoles(plan, [role]))}${outstanding.includes(role) ? ' — outstanding' : ' — acknowledged'}`), '_The plan requires no acknowledgements._')}`,
    `## Acknowledgements\n\n${table(['Who', 'Role', 'Login', 'Answer', 'When', 'Source', 'Reason'], rows, '_No acknowledgements yet._')}`,
    `## Outstanding\n\n${outstanding.length ? bullets(outstanding.map((role) => inline(describeRoles(plan, [role])))) : '_Nobody: the freeze is acknowledged by every required role._'}`,
    announced.length ? `## Announcements\n\n${bullets(announced.map(code))}` : '',
  ]);
}
