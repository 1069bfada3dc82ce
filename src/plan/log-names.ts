// Every command and check writes its output to one file under the evidence folder's logs/.
// Two names that make the same file would interleave their output in one log, so validate
// refuses them. src/session/actors.ts names the logs; these functions must name them alike.

/** `Canary` → `canary`, `api up!` → `api-up`: how a name becomes part of a log file name. */
export function logSlug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '') || 'step';
}

/** `logs/<name>.log` for a deploy step, the dry run, the freeze commands and the rollback. */
export function commandLogPath(name: string): string {
  return `logs/${logSlug(name)}.log`;
}

/** The stage prefix of a check's log: a smoke check `api` writes logs/smoke-api.log. */
export type CheckLogStage = 'prerequisite' | 'staging' | 'smoke' | 'rollback';

export function checkLogPath(stage: CheckLogStage, name: string): string {
  return `logs/${stage}-${logSlug(name)}.log`;
}

/** The logs of warroom's own commands (machines/release.ts names them), with the plan key each runs. */
export const OWN_COMMAND_LOGS: ReadonlyArray<{ name: string; key: string }> = [
  { name: 'dry-run', key: 'dryRun' },
  { name: 'freeze-lock', key: 'freeze.lock' },
  { name: 'freeze-unlock', key: 'freeze.unlock' },
  { name: 'rollback', key: 'rollback' },
];
