import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT } from './exit-codes.js';
import { writeLine, type CliIo } from './io.js';
import { consoleCapable, executeRelease } from './run.js';

// The demo runs in a scratch copy, so it works from a read-only checkout and twice in a row.
// From the tsc build (dist/src/cli/) or the single-file bundle (dist/warroom.mjs); WARROOM_DEMO_DIR overrides.
const DEMO_CANDIDATES = ['../../../fixtures/demo', '../fixtures/demo'].map((relative) => fileURLToPath(new URL(relative, import.meta.url)));

export function demoDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return [env.WARROOM_DEMO_DIR, ...DEMO_CANDIDATES].find((dir): dir is string => dir !== undefined && existsSync(join(dir, 'release.yaml')));
}

export function copyDemo(source: string): string {
  const scratch = mkdtempSync(join(tmpdir(), 'warroom-demo-'));
  const target = join(scratch, 'demo');
  cpSync(source, target, { recursive: true, filter: (source) => basename(source) !== '.run' && basename(source) !== '.warroom' });
  return target;
}

export async function demoCommand(args: string[], io: CliIo): Promise<number> {
  if (args.length > 0) {
    writeLine(io.stderr, `warroom demo: takes no arguments (got ${args.join(' ')})`);
    return EXIT.badInput;
  }
  const source = demoDir(io.env);
  if (source === undefined) {
    writeLine(io.stderr, 'warroom demo: no demo plan here (the single-file bundle carries none): set WARROOM_DEMO_DIR to a copy of fixtures/demo, or run your own plan with warroom run PLAN');
    return EXIT.badInput;
  }
  const dir = copyDemo(source);
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
