import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import type { ReadinessItem } from '../../machines/types.js';
import { productionRoles } from '../../machines/rules.js';
import type { Plan } from '../plan/schema.js';

// Phase 1, step 2: is the scope clear and is every approver known, and can the
// rollback actually be run? The protocol forbids deploying without an
// executable rollback plan.

async function executable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where argv[0] would run from: a path relative to cwd, or a program on PATH. */
export async function resolveProgram(program: string, cwd: string, path = process.env.PATH ?? ''): Promise<string | undefined> {
  if (program.includes('/')) {
    const full = isAbsolute(program) ? program : resolve(cwd, program);
    return (await executable(full)) ? full : undefined;
  }
  for (const dir of path.split(delimiter).filter(Boolean)) {
    if (await executable(join(dir, program))) return join(dir, program);
  }
  return undefined;
}

const scopeItem = (name: string, ok: boolean, detail: string): ReadinessItem => ({ id: `scope:${name}`, kind: 'scope', name, status: ok ? 'pass' : 'fail', detail });

export async function confirmScope(plan: Plan, planDir: string): Promise<ReadinessItem[]> {
  const items: ReadinessItem[] = [scopeItem('Impacted services', plan.release.services.length > 0, plan.release.services.join(', ') || 'none listed')];
  const roles = [...new Set([...productionRoles(plan), ...plan.freeze.acknowledge])];
  for (const role of roles) {
    const holders = plan.stakeholders.filter((s) => s.role === role);
    items.push(scopeItem(`Stakeholder for ${role}`, holders.length > 0, holders.map((s) => `${s.name} (${s.user})`).join(', ') || 'nobody holds this role'));
  }
  const commands: Array<[string, { run: string[]; cwd?: string | undefined }]> = [
    ['Rollback command', plan.rollback],
    ...plan.deploy.steps.map((step): [string, typeof step] => [`Deploy step ${step.name}`, step]),
  ];
  for (const [name, command] of commands) {
    const cwd = resolve(planDir, command.cwd ?? '.');
    const program = command.run[0]!;
    const found = await resolveProgram(program, cwd);
    items.push(scopeItem(name, found !== undefined, found ? `${program} → ${found}` : `${program}: not found or not executable`));
  }
  return items;
}
