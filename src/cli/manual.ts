import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { evidenceFolderProblem } from '../evidence/files.js';
import { ManualLogError, evidenceText, recordManualValidation } from '../evidence/manual-log.js';
import { EXIT } from './exit-codes.js';
import { writeLine, type CliIo } from './io.js';

// `warroom manual`: the protocol's manual fallback. When automation for a step is
// unavailable, a person validates it by hand and records the result here.

const USAGE = 'usage: warroom manual STEP --result pass|fail --by NAME --note TEXT [--evidence DIR]';

/** The login comes from the operating system, not from what the user types (that is --by). */
function osLogin(env: NodeJS.ProcessEnv): string {
  try {
    return userInfo().username;
  } catch {
    return env.USER ?? env.LOGNAME ?? 'unknown';
  }
}

export async function manualCommand(args: string[], io: CliIo): Promise<number> {
  const refuse = (why: string): number => {
    writeLine(io.stderr, `warroom manual: ${why} (${USAGE})`);
    return EXIT.badInput;
  };
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        result: { type: 'string' },
        by: { type: 'string' },
        note: { type: 'string' },
        evidence: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return refuse((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    writeLine(io.stdout, USAGE);
    return EXIT.ok;
  }
  const step = positionals.length === 1 ? positionals[0] : undefined;
  const { result, by, note } = values;
  if (step === undefined || evidenceText(step) === '') return refuse('name the one step that was validated');
  if (result !== 'pass' && result !== 'fail') return refuse('--result must be pass or fail');
  if (by === undefined || evidenceText(by) === '') return refuse('--by NAME is required: who validated it');
  if (note === undefined || evidenceText(note) === '') return refuse('--note TEXT is required: what was checked and how');
  const evidenceDir = resolve(io.cwd, values.evidence ?? '.artifacts/deployment');
  try {
    // The log goes beside an evidence folder a session wrote; a typo must not mkdir -p a new tree.
    const problem = evidenceFolderProblem(evidenceDir);
    if (problem !== undefined) throw new ManualLogError(problem);
    const { entry, path } = recordManualValidation(evidenceDir, { step, result, by, login: osLogin(io.env), note });
    writeLine(io.stdout, `recorded manual validation: ${entry.step} ${entry.result} by ${entry.by} (login ${entry.login}) in ${path}`);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof ManualLogError) {
      writeLine(io.stderr, `warroom manual: ${error.message}`);
      return EXIT.badInput;
    }
    const failure = error as NodeJS.ErrnoException;
    writeLine(io.stderr, `warroom manual: cannot write ${failure.path ?? 'the manual validation log'}: ${failure.code ?? failure.message}`);
    return EXIT.badInput;
  }
}
