import { STEP } from './setup.js';
import type { SessionContext } from './types.js';

// Resuming a stopped session. Restoring a snapshot restarts every actor that
// was running in it; for a check or a metric sampler that is what the
// operator wants (they only read), but a command that was running when the
// session died may have half-happened. Such a state is swapped for its
// `interrupted` sibling, which asks before anything runs again.

/** State paths whose command has side effects, and the sibling that asks instead. */
const INTERRUPTIBLE: Record<string, { leaf: string; step: (context: SessionContext) => string; what: string }> = {
  'staging.changeFreeze.runningLock': { leaf: 'lockInterrupted', step: () => STEP.freezeLock, what: 'the freeze lock command' },
  'staging.dryRun.running': { leaf: 'interrupted', step: () => STEP.dryRun, what: 'the dry run' },
  'production.deploying.running': {
    leaf: 'interrupted',
    step: (context) => `Deployment step ${context.plan.deploy.steps[context.stepIndex]?.name ?? context.stepIndex + 1}`,
    what: 'the deployment step',
  },
  'rollingBack.running': { leaf: 'interrupted', step: () => STEP.rollback, what: 'the rollback command' },
};

/** The parts of XState's persisted snapshot that resuming reads and rewrites. */
export interface PersistedRelease {
  status: string;
  value: unknown;
  context: SessionContext;
  children: Record<string, unknown>;
  [key: string]: unknown;
}

export interface ResumePoint {
  snapshot: PersistedRelease;
  /** Where the session stood, e.g. `production.deploying.running`. */
  from: string;
  interrupted?: { step: string; reason: string };
}

/** `production.deploying.running` from `{production: {deploying: 'running'}}`. */
export function statePath(value: unknown): string {
  if (typeof value === 'string') return value;
  return Object.entries(value as Record<string, unknown>)
    .map(([key, child]) => `${key}.${statePath(child)}`)
    .join(',');
}

function valueOf(path: string): unknown {
  const parts = path.split('.');
  let value: unknown = parts.pop();
  for (const part of parts.reverse()) value = { [part]: value };
  return value;
}

/** Where to continue from a persisted snapshot; throws when the session has already ended. */
export function resumePoint(persisted: PersistedRelease): ResumePoint {
  if (persisted.status !== 'active') throw new Error(`the session has already ended (${statePath(persisted.value)})`);
  const from = statePath(persisted.value);
  // Snapshots written before a field existed get its empty value.
  const context: SessionContext = { ...persisted.context, resumes: persisted.context.resumes ?? [] };
  const swap = INTERRUPTIBLE[from];
  if (!swap) return { snapshot: { ...persisted, context }, from };
  const stem = from.slice(0, from.lastIndexOf('.'));
  // The running command's actor is left out, so restoring does not start it again.
  const children = Object.fromEntries(Object.entries(persisted.children).filter(([id]) => !id.endsWith(`.release.${from}`)));
  return {
    snapshot: { ...persisted, value: valueOf(`${stem}.${swap.leaf}`), context, children },
    from,
    interrupted: {
      step: swap.step(context),
      reason: `interrupted: warroom stopped while ${swap.what} was running, so its outcome is unknown`,
    },
  };
}
