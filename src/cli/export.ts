import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
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
  const recording = await openRecording(positionals[0]!, values.force ?? false, io, 'export');
  if (!recording) return EXIT.badInput;
  const out = resolve(io.cwd, values.cast);
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
