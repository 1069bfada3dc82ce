import type { Plan } from './schema.js';
import { planCommands } from './semantics.js';
import { planVariables, substituteArgv } from './substitute.js';

/** The plan as it will run: every command's argv with ${TAG} and friends filled in. */
export function resolvePlan(plan: Plan, evidenceDir: string): Plan {
  const resolved = structuredClone(plan);
  const vars = planVariables(resolved, evidenceDir);
  // planCommands hands back the plan's own argv arrays, so filling them in place fills the plan.
  for (const command of planCommands(resolved)) command.run.splice(0, command.run.length, ...substituteArgv(command.run, vars));
  return resolved;
}
