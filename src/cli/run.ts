import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { JOURNAL } from '../evidence/files.js';
import { ensureDir } from '../evidence/writer.js';
import { claimJournal } from '../journal/journal.js';
import type { ApprovalEntry } from '../plan/approvals-file.js';
import { formatPlanError } from '../plan/errors.js';
import { loadPlan } from '../plan/load.js';
import { resolvePlan } from '../plan/resolve.js';
import { runHeadlessSession } from '../session/headless.js';
import { warmUpCommands } from '../runner/command.js';
import { runConsoleSession } from '../session/interactive.js';
import { lockPlan } from '../session/lock.js';
import { resumeCommandFor, type Restored } from '../session/restore.js';
import type { SessionOptions } from '../session/session.js';
import type { Plan } from '../plan/schema.js';
import { EXIT } from './exit-codes.js';
import { BlockPrinter } from '../runner/lines.js';
import { errnoWords, writeLine, type CliIo } from './io.js';

export interface RunRequest {
  planPath: string;
  approvalsPath?: string | undefined;
  evidenceDir?: string | undefined;
  stateDir?: string | undefined;
  headless?: boolean;
}

export function parseRunArgs(args: string[]): RunRequest & { headless: boolean } {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      headless: { type: 'boolean', default: false },
      approvals: { type: 'string' },
      evidence: { type: 'string' },
      state: { type: 'string' },
    },
  });
  if (positionals.length > 1) throw new Error(`one plan at a time, got ${positionals.length}: ${positionals.join(' ')}`);
  return { planPath: positionals[0] ?? 'release.yaml', approvalsPath: values.approvals, evidenceDir: values.evidence, stateDir: values.state, headless: values.headless ?? false };
}

export function operatorLogin(env: NodeJS.ProcessEnv): string {
  try {
    return userInfo().username;
  } catch {
    return env.USER ?? 'unknown';
  }
}

/** Loads everything a session needs; any problem is bad input, reported where it is, exit 3. */
export async function executeRelease(request: RunRequest, io: CliIo): Promise<number> {
  // Headless, no screen waits for a first frame: what commands need loads while the plan is read and checked.
  if (request.headless === true || !consoleCapable(io)) warmUpCommands();
  const loaded = await loadPlan(request.planPath, { cwd: io.cwd });
  if ('errors' in loaded) {
    for (const error of loaded.errors) writeLine(io.stderr, formatPlanError(error));
    return EXIT.badInput;
  }
  const answers = await loadAnswers(request.approvalsPath, loaded.plan, io);
  if (answers === undefined) return EXIT.badInput;
  const evidenceDir = resolve(io.cwd, request.evidenceDir ?? '.artifacts/deployment');
  const stateDir = resolve(io.cwd, request.stateDir ?? resolve(loaded.planDir, '.warroom'));
  for (const [folder, dir, given] of [['evidence', evidenceDir, request.evidenceDir], ['state', stateDir, request.stateDir]] as const) {
    const problem = writableFolderProblem(dir);
    if (problem !== undefined) {
      writeLine(io.stderr, `warroom: cannot write the ${folder} folder ${given ?? dir}: ${problem}`);
      return EXIT.badInput;
    }
  }
  const lock = lockPlan(stateDir, loaded.planPath);
  if ('heldBy' in lock) {
    writeLine(io.stderr, `warroom: ${loaded.planPath} is being released right now (pid ${lock.heldBy}); join it instead: warroom attach --state ${stateDir}`);
    return EXIT.badInput;
  }
  try {
    // One session's evidence per folder: a second run into it would interleave two journals' chains.
    if (!claimJournal(join(evidenceDir, JOURNAL))) {
      writeLine(
        io.stderr,
        `warroom: ${request.evidenceDir ?? evidenceDir} already holds a session's ${JOURNAL}: give this release its own --evidence folder, or move that evidence away (to continue that session: warroom resume)`,
      );
      return EXIT.badInput;
    }
    return await driveSession(
      {
        plan: resolvePlan(loaded.plan, evidenceDir),
        planPath: loaded.planPath,
        planDir: loaded.planDir,
        planFile: loaded.file,
        evidenceDir,
        stateDir,
        answers,
        operator: operatorLogin(io.env),
        env: io.env,
      },
      request.headless ?? false,
      io,
    );
  } finally {
    lock.release();
  }
}

/** A file where the folder should be. */
const NOT_A_FOLDER = 'it is a file, not a folder';

/**
 * Creates the folder if needed and checks that this process may write in it: found now,
 * it is bad input; found at the journal's first line, it would be a crash mid-session.
 */
export function writableFolderProblem(dir: string): string | undefined {
  try {
    if (existsSync(dir) && !statSync(dir).isDirectory()) return NOT_A_FOLDER;
    ensureDir(dir);
    accessSync(dir, constants.W_OK | constants.X_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return (code === 'EEXIST' ? NOT_A_FOLDER : errnoWords(code)) ?? code ?? (error as Error).message;
  }
}

/** The approvals file, checked against the plan; undefined (errors written) when it is bad input. */
export async function loadAnswers(path: string | undefined, plan: Plan, io: CliIo): Promise<ApprovalEntry[] | undefined> {
  if (path === undefined) return [];
  // Loaded only when a file is given: a console run without one need not build its schemas at start.
  const { loadApprovalsFile } = await import('../plan/approvals-file.js');
  const approvals = await loadApprovalsFile(resolve(io.cwd, path), plan);
  if ('errors' in approvals) {
    for (const error of approvals.errors) writeLine(io.stderr, formatPlanError({ ...error, file: path }));
    return undefined;
  }
  return approvals.entries;
}

/** Runs a session (new or resumed) with the console at a terminal, headless otherwise; says how it ended. */
export async function driveSession(options: SessionOptions, headless: boolean, io: CliIo, restored?: Restored): Promise<number> {
  // A vanished terminal (EPIPE, EIO) must not crash a release in progress.
  io.stdout.on('error', () => {});
  const { evidenceDir } = options;
  if (!headless && consoleCapable(io)) {
    const result = await runConsoleSession(options, { stdout: process.stdout, stdin: process.stdin }, restored);
    if (result.error !== undefined) writeLine(io.stdout, `warroom: stopped: ${result.error}`);
    writeLine(io.stdout, `warroom: session ${result.sessionId} ${result.quit && result.exitCode === 2 ? 'left resumable' : 'ended'} ${result.outcome} (${result.state}), exit ${result.exitCode}. Evidence: ${evidenceDir}`);
    if (result.exitCode === 2 && !result.final) writeLine(io.stdout, `warroom: to continue: ${resumeCommandFor(join(options.stateDir, result.sessionId))}`);
    return result.exitCode;
  }
  // Headless lines in blocks: a step that floods output must not cost one write call a line.
  const printer = new BlockPrinter(io.stdout);
  const result = await runHeadlessSession({ ...options, print: printer }, restored);
  printer.flush();
  writeLine(io.stdout, `warroom: session ${result.sessionId} ended ${result.outcome} (${result.state}), exit ${result.exitCode}. Evidence: ${evidenceDir}`);
  if (result.exitCode === 2 && !result.final) writeLine(io.stdout, `warroom: to continue: ${resumeCommandFor(join(options.stateDir, result.sessionId))}`);
  return result.exitCode;
}

/** SPEC section 2: plain lines when stdout is not a terminal or TERM=dumb. */
export function consoleCapable(io: CliIo): boolean {
  return io.stdout === process.stdout && process.stdout.isTTY === true && process.stdin.isTTY === true && io.env.TERM !== 'dumb';
}

export async function runCommand(args: string[], io: CliIo): Promise<number> {
  let request;
  try {
    request = parseRunArgs(args);
  } catch (error) {
    writeLine(io.stderr, `warroom run: ${(error as Error).message}`);
    return EXIT.badInput;
  }
  return executeRelease(request, io);
}
