import { basename, dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { lockPlan } from '../session/lock.js';
import { ResumeError, findSessionDir, loadSession } from '../session/restore.js';
import type { InterruptedChoice } from '../session/session.js';
import { EXIT } from './exit-codes.js';
import { writeLine, type CliIo } from './io.js';
import { driveSession, loadAnswers, operatorLogin } from './run.js';

// `warroom resume [SESSION]`: continue a session that was quit, interrupted
// or killed, from its journal. The plan is the one the session started with
// (kept in its snapshot), not whatever the file on disk says now.

const CHOICES: InterruptedChoice[] = ['retry', 'rollback', 'abort'];

export async function resumeCommand(args: string[], io: CliIo): Promise<number> {
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        headless: { type: 'boolean', default: false },
        approvals: { type: 'string' },
        state: { type: 'string' },
        'on-interrupted': { type: 'string' },
      },
    }));
    if (positionals.length > 1) throw new Error(`one session at a time, got ${positionals.join(' ')}`);
    const choice = values['on-interrupted'];
    if (choice !== undefined && !CHOICES.includes(choice as InterruptedChoice)) throw new Error(`--on-interrupted takes retry, rollback or abort, not "${choice}"`);
  } catch (error) {
    writeLine(io.stderr, `warroom resume: ${(error as Error).message}`);
    return EXIT.badInput;
  }

  let loaded;
  let sessionDir;
  try {
    sessionDir = findSessionDir(positionals[0], resolve(io.cwd, values.state ?? '.warroom'), io.cwd);
    loaded = loadSession(sessionDir);
  } catch (error) {
    if (!(error instanceof ResumeError)) throw error;
    writeLine(io.stderr, `warroom resume: ${error.message}`);
    return EXIT.badInput;
  }
  const { record, restored } = loaded;
  const plan = restored.point.snapshot.context.plan;
  const answers = await loadAnswers(values.approvals, plan, io);
  if (answers === undefined) return EXIT.badInput;

  const lock = lockPlan(dirname(sessionDir), record.planPath);
  if ('heldBy' in lock) {
    writeLine(io.stderr, `warroom resume: ${record.planPath} is being released right now (pid ${lock.heldBy}); join it instead: warroom attach --state ${dirname(sessionDir)}`);
    return EXIT.badInput;
  }
  writeLine(io.stdout, `warroom: resuming session ${record.sessionId} at ${restored.point.from}${restored.point.interrupted ? ` (${restored.point.interrupted.step} was running)` : ''}`);
  try {
    return await driveSession(
      {
        plan,
        planPath: record.planPath,
        planDir: record.planDir ?? dirname(record.planPath),
        planFile: record.planFile ?? basename(record.planPath),
        evidenceDir: record.evidenceDir,
        stateDir: dirname(sessionDir),
        answers,
        operator: operatorLogin(io.env),
        env: io.env,
        ...(values['on-interrupted'] ? { onInterrupted: values['on-interrupted'] as InterruptedChoice } : {}),
      },
      values.headless ?? false,
      io,
      restored,
    );
  } finally {
    lock.release();
  }
}
