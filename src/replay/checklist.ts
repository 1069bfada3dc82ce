import { productionRoles } from '../../machines/rules.js';
import type { ReadinessItem } from '../../machines/types.js';
import type { Plan } from '../plan/schema.js';
import type { CheckResult } from '../probes/types.js';

// Phase 1's checklist items are not journaled one by one (only the checklist's
// hash, the prerequisite checks and the halt that names failing items). Replay
// rebuilds them from the plan, the journaled checks and that halt's reason, so
// the chart takes the same path and Gate 1 counts the same items.

const RECORDED = 'as recorded';

function item(kind: ReadinessItem['kind'], name: string, detail = RECORDED): ReadinessItem {
  return { id: `${kind}:${name}`, kind, name, status: 'pass', detail };
}

/** Marks the items a halt named (`name: detail; name: detail`) as failed; a reason naming none becomes one failed item. */
function applyHalt(items: ReadinessItem[], haltReason: string | undefined, kind: ReadinessItem['kind']): ReadinessItem[] {
  if (haltReason === undefined) return items;
  let named = false;
  const marked = items.map((i) => {
    const prefix = `${i.name}: `;
    const part = haltReason.split('; ').find((p) => p.startsWith(prefix));
    if (part === undefined) return i;
    named = true;
    return { ...i, status: 'fail' as const, detail: part.slice(prefix.length) };
  });
  return named ? marked : [...marked, { id: `${kind}:recorded failure`, kind, name: 'recorded failure', status: 'fail', detail: haltReason }];
}

/** Phase 1 step 1: artifacts, scripts and prerequisite checks; failed where the recorded halt says so. */
export function readinessItems(plan: Plan, checks: CheckResult[], haltReason?: string): ReadinessItem[] {
  const items = [
    ...plan.prerequisites.artifacts.map((a) => item('artifact', a.path)),
    ...plan.prerequisites.scripts.map((s) => item('script', s)),
    ...plan.prerequisites.checks.map((c) => {
      const result = checks.find((r) => r.name === c.name);
      return { ...item('check', c.name, result?.detail ?? RECORDED), id: `check:${c.name}`, status: result && !result.passed ? ('fail' as const) : ('pass' as const) };
    }),
  ];
  return applyHalt(items, haltReason, 'artifact');
}

/** Phase 1 step 2, as src/probes/scope.ts lists it; commands are not looked up again on this host. */
export function scopeItems(plan: Plan, haltReason?: string): ReadinessItem[] {
  const scope = (name: string, ok: boolean, detail: string): ReadinessItem => ({ ...item('scope', name, detail), status: ok ? 'pass' : 'fail' });
  const roles = [...new Set([...productionRoles(plan), ...plan.freeze.acknowledge])];
  const items = [
    scope('Impacted services', plan.release.services.length > 0, plan.release.services.join(', ') || 'none listed'),
    ...roles.map((role) => {
      const holders = plan.stakeholders.filter((s) => s.role === role);
      return scope(`Stakeholder for ${role}`, holders.length > 0, holders.map((s) => `${s.name} (${s.user})`).join(', ') || 'nobody holds this role');
    }),
    scope('Rollback command', true, `${plan.rollback.run[0]} (${RECORDED})`),
    ...plan.deploy.steps.map((step) => scope(`Deploy step ${step.name}`, true, `${step.run[0]} (${RECORDED})`)),
  ];
  return applyHalt(items, haltReason, 'scope');
}
