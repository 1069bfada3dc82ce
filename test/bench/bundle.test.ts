import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TmuxScreen } from '../e2e/tmux.js';

// dist/warroom.mjs alone in an empty folder, far from the repository's node_modules:
// what a bastion host that cannot reach a registry gets (SPEC section 12).

const REPO = resolve(import.meta.dirname, '../..');
const BUNDLE = join(REPO, 'dist/warroom.mjs');

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function node(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((done) => {
    execFile(process.execPath, args, { cwd, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) =>
      done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Every folder from `dir` up to the root: none may hold a node_modules the bundle could lean on. */
function foldersUp(dir: string): string[] {
  const folders = [dir];
  while (dirname(folders.at(-1)!) !== folders.at(-1)) folders.push(dirname(folders.at(-1)!));
  return folders;
}

describe('the single-file bundle', () => {
  let bastion: string;
  let cli: string;
  let demo: string;

  beforeAll(() => {
    expect(existsSync(BUNDLE), 'dist/warroom.mjs is missing: run npm run build').toBe(true);
    bastion = mkdtempSync(join(tmpdir(), 'warroom-bastion-'));
    cli = join(bastion, 'warroom.mjs');
    copyFileSync(BUNDLE, cli);
    demo = join(mkdtempSync(join(tmpdir(), 'warroom-bundle-demo-')), 'demo');
    cpSync(join(REPO, 'fixtures/demo'), demo, { recursive: true, filter: (source) => !['.run', '.warroom'].includes(basename(source)) });
  });
  afterAll(() => {
    // The demo's stand-in service would exit after 30 s idle; stop it now, as the demo's own tests do.
    try {
      execFileSync(process.execPath, [join(demo, 'service.mjs'), 'stop'], { env: { ...process.env, DEMO_RUN_DIR: join(demo, '.run') }, stdio: 'ignore' });
    } catch {
      // not running
    }
    rmSync(bastion, { recursive: true, force: true });
    rmSync(dirname(demo), { recursive: true, force: true });
  });

  it('sits in a folder with no node_modules anywhere above it', () => {
    expect(foldersUp(bastion).filter((folder) => existsSync(join(folder, 'node_modules')))).toEqual([]);
  });

  it('prints the help with plain node', async () => {
    const run = await node([cli, '--help'], bastion);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('warroom — a war-room console for production releases');
  });

  it('says the bundle carries no demo instead of crashing', async () => {
    const alone = await node([cli, 'demo'], bastion);
    expect(alone.stderr).toContain('no demo plan here (the single-file bundle carries none)');
    expect(alone.code).toBe(3);
  });

  it('prints the plan JSON Schema', async () => {
    const run = await node([cli, 'schema'], bastion);
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as { title: string }).title).toBe('warroom release plan (release.yaml)');
  });

  it('validates a copy of the demo plan', async () => {
    const run = await node([cli, 'validate', join(demo, 'release.yaml')], bastion);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('valid (2 deploy steps');
  });

  it('runs the demo release headless to exit 0 and writes a package that verifies', async () => {
    const evidence = join(demo, 'evidence');
    const run = await node([cli, 'run', join(demo, 'release.yaml'), '--headless', '--approvals', join(demo, 'approvals.json'), '--evidence', evidence], bastion, {
      DEMO_RUN_DIR: join(demo, '.run'),
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('ended released (complete), exit 0');
    const verify = await node([cli, 'verify', join(evidence, 'DEPLOYMENT-EVIDENCE.zip')], bastion);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain('intact');
  });

  it('draws the console in a terminal', async () => {
    const plan = join(dirname(demo), 'console');
    cpSync(demo, plan, { recursive: true, filter: (source) => !['.run', '.warroom', 'evidence'].includes(basename(source)) });
    const screen = new TmuxScreen(`cd '${bastion}' && node warroom.mjs run '${join(plan, 'release.yaml')}' --evidence '${join(plan, 'evidence')}'`, 120, 40, {
      DEMO_RUN_DIR: join(plan, '.run'),
    });
    try {
      await screen.waitFor((text) => text.includes('checkout-api v2.4.0') && text.includes('q quit'));
      // Quit at the freeze prompt: nothing has reached production.
      await screen.waitFor((text) => text.includes('Acknowledge the change freeze'));
      screen.keys('q');
      await screen.waitFor((text) => text.includes('y quit'));
      screen.keys('y');
      await screen.waitFor((text) => text.includes('[exit 2]'));
    } finally {
      screen.close();
    }
  });
});
