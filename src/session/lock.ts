import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '../journal/journal.js';
import { isAlive } from './restore.js';

// One live release per plan: a second `warroom run` (or `resume`) of a plan whose
// session is still running is refused and pointed at `warroom attach`. The lock
// names its owner's pid; a lock whose owner is gone (kill -9) is stale and taken over.

export interface PlanLock {
  release(): void;
}

export function lockPlan(stateDir: string, planPath: string): PlanLock | { heldBy: number } {
  const path = join(stateDir, `run-${sha256(planPath).slice(0, 12)}.lock`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o640);
      writeSync(fd, `${JSON.stringify({ pid: process.pid, planPath, at: new Date().toISOString() })}\n`);
      closeSync(fd);
      return {
        release: () => {
          try {
            if ((JSON.parse(readFileSync(path, 'utf8')) as { pid: number }).pid === process.pid) unlinkSync(path);
          } catch {
            // already gone
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let owner: number | undefined;
    try {
      owner = (JSON.parse(readFileSync(path, 'utf8')) as { pid: number }).pid;
    } catch {
      // half-written or unreadable: treated as stale
    }
    if (owner !== undefined && owner !== process.pid && isAlive(owner)) return { heldBy: owner };
    try {
      unlinkSync(path);
    } catch {
      // someone else took it over first; the next attempt finds out
    }
  }
  throw new Error(`cannot take the plan's lock in ${stateDir}`);
}
