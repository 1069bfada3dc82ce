import { EXIT } from './exit-codes.js';
import { writeLine, type CliIo } from './io.js';
import { formatPlanError } from '../plan/errors.js';
import { loadPlan } from '../plan/load.js';
import type { Plan } from '../plan/schema.js';

const USAGE = 'usage: warroom validate PLAN';

/** `warroom validate PLAN`: every problem as FILE:LINE:COL on stderr (exit 3), or one summary line. */
export async function validateCommand(args: string[], io: CliIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    writeLine(io.stdout, USAGE);
    return EXIT.ok;
  }
  const [planArg, ...extra] = args;
  if (planArg === undefined || planArg.startsWith('-') || extra.length > 0) {
    writeLine(io.stderr, planArg === undefined ? `${USAGE} (which plan? e.g. release.yaml)` : USAGE);
    return EXIT.badInput;
  }
  const loaded = await loadPlan(planArg, { cwd: io.cwd });
  if ('errors' in loaded) {
    for (const error of loaded.errors) writeLine(io.stderr, formatPlanError(error));
    return EXIT.badInput;
  }
  writeLine(io.stdout, `${loaded.file}: valid (${planSummary(loaded.plan)})`);
  return EXIT.ok;
}

/** `3 deploy steps, 2 checks, 2 metrics`: checks counts every check the plan runs (readiness, staging, smoke). */
export function planSummary(plan: Plan): string {
  const checks = plan.prerequisites.checks.length + plan.staging.checks.length + plan.checks.length;
  return [
    count(plan.deploy.steps.length, 'deploy step'),
    count(checks, 'check'),
    count(plan.health.metrics.length, 'metric'),
  ].join(', ');
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
