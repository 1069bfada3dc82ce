import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT } from './exit-codes.js';
import { writeLine, type CliIo } from './io.js';
import { consoleCapable, executeRelease } from './run.js';

// The demo runs in a scratch copy, so it works from a read-only checkout and twice in a row.
export const DEMO_DIR = fileURLToPath(new URL('../../../fixtures/demo', import.meta.url));

export function copyDemo(): string {
  const scratch = mkdtempSync(join(tmpdir(), 'warroom-demo-'));
  const target = join(scratch, 'demo');
  cpSync(DEMO_DIR, target, { recursive: true, filter: (source) => basename(source) !== '.run' && basename(source) !== '.warroom' });
  return target;
}

export async function demoCommand(args: string[], io: CliIo): Promise<number> {
  if (args.length > 0) {
    writeLine(io.stderr, `warroom demo: takes no arguments (got ${args.join(' ')})`);
    return EXIT.badInput;
  }
  const dir = copyDemo();
  writeLine(io.stdout, `warroom: demo release in ${dir}`);
  // At a terminal the newcomer answers the prompts; without one, the demo's approvals file does.
  const interactive = consoleCapable(io);
  return executeRelease(
    {
      planPath: join(dir, 'release.yaml'),
      approvalsPath: interactive ? undefined : join(dir, 'approvals.json'),
      evidenceDir: join(dir, '.artifacts', 'deployment'),
    },
    { ...io, env: { ...io.env, DEMO_RUN_DIR: join(dir, '.run') } },
  );
}
