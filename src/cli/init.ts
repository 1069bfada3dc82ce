import { chmod, lstat, mkdir, readlink, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EXIT } from './exit-codes.js';
import { errnoWords, writeLine, type CliIo } from './io.js';
import { initTemplateFiles } from '../plan/init-template.js';

const USAGE = 'usage: warroom init [DIR]';

/** `warroom init [DIR]`: a commented release.yaml, example scripts and prerequisite artifacts. */
export async function initCommand(args: string[], io: CliIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    writeLine(io.stdout, USAGE);
    return EXIT.ok;
  }
  const [dirArg, ...extra] = args;
  if (extra.length > 0 || dirArg?.startsWith('-')) {
    writeLine(io.stderr, USAGE);
    return EXIT.badInput;
  }
  const dir = path.resolve(io.cwd, dirArg ?? '.');
  const shown = (file: string): string => path.relative(io.cwd, path.join(dir, file)) || '.';
  const files = initTemplateFiles();
  const plan = files.find((file) => file.path === 'release.yaml');
  if (!plan) throw new Error('the init template has no release.yaml');

  for (const file of files) {
    const broken = await brokenLink(dir, file.path);
    if (broken !== undefined) {
      writeLine(io.stderr, `cannot initialise ${shown('')}: ${path.relative(io.cwd, broken.at) || '.'} is a symbolic link to nothing (${broken.target}); remove it or create its target`);
      return EXIT.badInput;
    }
  }
  if ((await exists(dir)) && !(await stat(dir)).isDirectory()) {
    writeLine(io.stderr, `cannot initialise ${shown('')}: it is a file, not a folder`);
    return EXIT.badInput;
  }
  if (await exists(path.join(dir, plan.path))) {
    writeLine(io.stderr, `${shown(plan.path)} already exists: warroom init never overwrites a plan`);
    return EXIT.badInput;
  }
  try {
    // The plan goes last, so an interrupted init can simply be run again.
    for (const file of [...files.filter((file) => file !== plan), plan]) {
      const target = path.join(dir, file.path);
      await mkdir(path.dirname(target), { recursive: true });
      if (await exists(target)) {
        writeLine(io.stdout, `kept     ${shown(file.path)} (already there)`);
        continue;
      }
      await writeFile(target, file.content, { flag: 'wx', mode: file.mode });
      await chmod(target, file.mode); // the umask may have removed the executable bits
      writeLine(io.stdout, `created  ${shown(file.path)}`);
    }
  } catch (error) {
    const { code, path: where } = error as NodeJS.ErrnoException;
    const reason = (code === 'EEXIST' ? 'appeared while writing' : errnoWords(code)) ?? code ?? 'failed';
    writeLine(io.stderr, `cannot initialise ${shown('')}: ${where ? `${path.relative(io.cwd, where) || '.'}: ` : ''}${reason}`);
    return EXIT.badInput;
  }
  writeLine(io.stdout, `next: edit the plan and scripts for your service, then: warroom validate ${shown(plan.path)}`);
  return EXIT.ok;
}

/**
 * A symbolic link that points nowhere, on the way from DIR to `file`: init follows no link to
 * create what is missing, so it refuses before writing anything rather than fail half-way.
 */
async function brokenLink(dir: string, file: string): Promise<{ at: string; target: string } | undefined> {
  const parts = file.split('/');
  for (let depth = 0; depth <= parts.length; depth++) {
    const at = path.join(dir, ...parts.slice(0, depth));
    const entry = await lstat(at).catch(() => undefined);
    if (entry === undefined) return undefined;
    if (entry.isSymbolicLink() && (await stat(at).catch(() => undefined)) === undefined) return { at, target: await readlink(at) };
  }
  return undefined;
}

async function exists(target: string): Promise<boolean> {
  try {
    await lstat(target);
    return true;
  } catch {
    return false;
  }
}
