import type { SessionContext } from '../../../machines/types.js';
import { inline, personLabel } from './format.js';
import { rollbackDecider } from './rollback-plan.js';

// How the session ended (or stands), in one word and one sentence: the
// report's summary, its hand-off and the retrospective all start here.

export type ReportOutcome = 'released' | 'rolled back' | 'aborted' | 'halted' | 'in progress';

export interface SessionSummary {
  outcome: ReportOutcome;
  why: string;
}

function rollbackSentence(context: SessionContext): string {
  const rollback = context.rollback!;
  const base = `Rolled back ${context.plan.release.tag} because ${rollback.reason} (decided by ${rollbackDecider(context)})`;
  if (context.halt) return `${base}, but the rollback halted at ${context.halt.step}: ${context.halt.reason}.`;
  if (!rollback.record) return `${base}; the rollback command has not finished.`;
  if (rollback.record.exitCode !== 0) return `${base}; the rollback command failed (${rollback.record.error ?? `exit code ${rollback.record.exitCode}`}).`;
  const checks = rollback.checks ?? [];
  const failing = checks.filter((c) => !c.passed).map((c) => c.name);
  if (failing.length) return `${base}; the rollback command succeeded but checks still fail: ${failing.join(', ')}.`;
  return `${base}; the rollback command succeeded and ${checks.length} check(s) passed afterwards.`;
}

export function sessionOutcome(context: SessionContext): SessionSummary {
  const { release } = context.plan;
  if (context.outcome === 'released') {
    const gates = Object.values(context.gates);
    const passed = gates.filter((g) => g?.verdict === 'pass').length;
    const waivers = context.waivers.length ? `, with ${context.waivers.length} waiver(s) recorded` : '';
    return {
      outcome: 'released',
      why: inline(`Released ${release.tag} to ${release.environment} in ${context.plan.deploy.steps.length} step(s) (${release.strategy}); ${passed} of 4 quality gates passed${waivers}.`),
    };
  }
  if (context.outcome === 'rolled-back' && context.rollback) return { outcome: 'rolled back', why: inline(rollbackSentence(context)) };
  if (context.outcome === 'aborted') {
    const abort = context.decisions.filter((d) => d.kind === 'abort').at(-1);
    const by = abort?.by ? ` by ${personLabel(abort.by)}` : ' by the operator';
    return { outcome: 'aborted', why: inline(`Aborted at ${abort?.step ?? 'an unknown step'}${by}${abort?.reason ? `: ${abort.reason}` : ''}; nothing further was deployed.`) };
  }
  if (context.halt) {
    return {
      outcome: 'halted',
      why: inline(`Halted at ${context.halt.step} since ${context.halt.since}: ${context.halt.reason}. Awaiting the operator's decision (retry, waive, roll back or abort).`),
    };
  }
  return { outcome: 'in progress', why: 'The session is still running; this report is rewritten when it ends.' };
}
