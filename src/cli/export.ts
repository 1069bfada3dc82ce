import { stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { JOURNAL } from '../evidence/files.js';
import { MANIFEST } from '../evidence/manifest.js';
import { EXIT } from './exit-codes.js';
import { writeLine, type CliIo } from './io.js';
import { openRecording } from './replay.js';

// `warroom export RECORDING --cast OUT [--v3] [--force]`: the console as it looked,
// as an asciicast file (80x24, timed frames, markers at phases and gates).

const USAGE = 'usage: warroom export RECORDING --cast OUT [--v3] [--force]';

export async function exportCommand(args: string[], io: CliIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    writeLine(io.stdout, USAGE);
    return EXIT.ok;
  }
  let values: { cast?: string | undefined; v3?: boolean | undefined; force?: boolean | undefined };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { cast: { type: 'string' }, v3: { type: 'boolean', default: false }, force: { type: 'boolean', default: false } },
    }));
    if (positionals.length !== 1) throw new Error(positionals.length === 0 ? 'which recording? (a journal.jsonl, an evidence folder or an evidence zip)' : `one recording at a time, got ${positionals.length}`);
    if (!values.cast) throw new Error('--cast OUT: where to write the asciicast file');
  } catch (error) {
    writeLine(io.stderr, `warroom export: ${(error as Error).message}`);
    writeLine(io.stderr, USAGE);
    return EXIT.badInput;
  }
  const out = resolve(io.cwd, values.cast);
  const clash = await overwritesRecording(resolve(io.cwd, positionals[0]!), out);
  if (clash) {
    writeLine(io.stderr, `warroom export: refusing to write ${values.cast}: ${clash}`);
    return EXIT.badInput;
  }
  const recording = await openRecording(positionals[0]!, values.force ?? false, io, 'export');
  if (!recording) return EXIT.badInput;
  // Loaded only here: rendering frames needs React and Ink.
  const { exportCast } = await import('../replay/cast.js');
  let written;
  try {
    written = await exportCast(recording, out, { v3: values.v3 ?? false });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (!code) throw error;
    writeLine(io.stderr, `warroom export: cannot write ${values.cast} (${code})`);
    return EXIT.badInput;
  }
  writeLine(io.stdout, `${values.cast}: asciicast v${values.v3 ? 3 : 2}, 80x24, ${written.frames} frames, ${written.markers} markers, ${written.seconds.toFixed(1)} s`);
  return EXIT.ok;
}

const statOf = (path: string): Promise<Stats | undefined> => stat(path).catch(() => undefined);
const sameFile = (a: Stats, b: Stats): boolean => a.dev === b.dev && a.ino === b.ino;

/**
 * Why writing the cast to `out` would destroy evidence: it is the recording itself, or it
 * lies inside the evidence folder being read (the folder given, or the one a journal.jsonl
 * with a manifest beside it is read from). Compared by device and inode, so a symlink, `..`
 * or a hard link to the recording is caught too.
 */
async function overwritesRecording(recording: string, out: string): Promise<string | undefined> {
  const target = await statOf(recording);
  if (!target) return undefined;
  const existing = await statOf(out);
  if (existing && sameFile(existing, target)) return 'it is the recording being read';
  let folder: Stats | undefined;
  if (target.isDirectory()) folder = target;
  else if (basename(recording) === JOURNAL && (await statOf(join(dirname(recording), MANIFEST)))) folder = await statOf(dirname(recording));
  if (!folder) return undefined;
  for (let path = out; ; path = dirname(path)) {
    const here = await statOf(path);
    if (here && sameFile(here, folder)) return 'it is inside the evidence folder being read';
    if (dirname(path) === path) return undefined;
  }
}
