import type { SnapshotFrom } from 'xstate';
import type { releaseMachine } from '../../machines/release.js';
import { EXIT } from '../cli/exit-codes.js';

export type ReleaseSnapshot = SnapshotFrom<typeof releaseMachine>;

export { statePath } from '../../machines/resume.js';

/** SPEC section 2: 0 released, 1 rolled back, 2 halted or aborted. */
export function exitCodeOf(snapshot: ReleaseSnapshot): number {
  if (snapshot.matches('complete')) return EXIT.released;
  if (snapshot.matches('rolledBack')) return EXIT.rolledBack;
  return EXIT.halted;
}

export function outcomeOf(snapshot: ReleaseSnapshot): string {
  if (snapshot.matches('complete')) return 'released';
  if (snapshot.matches('rolledBack')) return 'rolled-back';
  if (snapshot.matches('aborted')) return 'aborted';
  return 'halted';
}
