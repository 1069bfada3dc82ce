import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TmuxScreen } from '../e2e/tmux.js';

// dist/warroom.mjs alone in an empty folder, far from the repository's node_modules:
// what a bastion host that cannot reach a registry gets (SPEC section 12).

const REPO = resolve(import.meta.dirname, '../..');
const BUNDLE = join(REPO, 'dist/warroom.mjs');
/** The bundle's compile cache (docs/bundle.md) goes here, not into the home folder of whoever runs the tests. */
const CACHE = join(mkdtempSync(join(tmpdir(), 'warroom-compile-cache-')), 'cache');

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function node(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((done) => {
    execFile(process.execPath, args, { cwd, env: { ...process.env, WARROOM_COMPILE_CACHE: CACHE, ...env }, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) =>
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
      WARROOM_COMPILE_CACHE: CACHE,
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

describe("the bundle's compile cache", () => {
  const validate = (cli: string, cache: string) => node([cli, 'validate', join(REPO, 'fixtures/demo/release.yaml')], dirname(cli), { WARROOM_COMPILE_CACHE: cache });
  const cachesIn = (folder: string) => (existsSync(folder) ? readdirSync(folder).filter((name) => name.endsWith('.v8cache')) : []);
  let cli: string;

  beforeAll(() => {
    cli = join(mkdtempSync(join(tmpdir(), 'warroom-bastion-')), 'warroom.mjs');
    copyFileSync(BUNDLE, cli);
  });

  it('is written by the first start of a command, private to its user, and used by the next', async () => {
    const cache = join(mkdtempSync(join(tmpdir(), 'warroom-cc-')), 'warroom');
    const first = await validate(cli, cache);
    expect(first.code).toBe(0);
    const [file] = cachesIn(cache);
    expect(file).toMatch(/^validate-[0-9a-f]{16}-/);
    expect(statSync(cache).mode & 0o777).toBe(0o700);
    expect(statSync(join(cache, file!)).mode & 0o777).toBe(0o600);
    const written = readFileSync(join(cache, file!));
    const second = await validate(cli, cache);
    expect(second).toEqual(first);
    // Taken by V8, so not written again.
    expect(cachesIn(cache)).toEqual([file]);
    expect(readFileSync(join(cache, file!)).equals(written)).toBe(true);
  });

  it('ignores a damaged cache, runs as before and writes a good one again', async () => {
    const cache = join(mkdtempSync(join(tmpdir(), 'warroom-cc-')), 'warroom');
    const first = await validate(cli, cache);
    const path = join(cache, cachesIn(cache)[0]!);
    const bytes = readFileSync(path);
    const middle = bytes.length >> 1;
    bytes.writeUInt8(bytes.readUInt8(middle) ^ 0xff, middle);
    writeFileSync(path, bytes);
    const damaged = await validate(cli, cache);
    expect(damaged).toEqual(first);
    expect(readFileSync(path).equals(bytes)).toBe(false);
  });

  it('runs without a cache where none can be kept safely: off, a folder others may write, a folder that cannot be made', async () => {
    const shared = mkdtempSync(join(tmpdir(), 'warroom-cc-shared-'));
    chmodSync(shared, 0o777);
    const notAFolder = join(mkdtempSync(join(tmpdir(), 'warroom-cc-')), 'file');
    writeFileSync(notAFolder, '');
    const reference = await validate(cli, 'off');
    expect(reference.code).toBe(0);
    for (const cache of [shared, join(notAFolder, 'warroom')]) expect(await validate(cli, cache)).toEqual(reference);
    expect(cachesIn(shared)).toEqual([]);
  });
});
