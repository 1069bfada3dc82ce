import { userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureDir } from '../evidence/writer.js';
import { loadApprovalsFile, type ApprovalEntry } from '../plan/approvals-file.js';
import { formatPlanError } from '../plan/errors.js';
import { loadPlan } from '../plan/load.js';
import { resolvePlan } from '../plan/resolve.js';
import { runHeadlessSession } from '../session/headless.js';
import { EXIT } from './exit-codes.js';
import { writeLine, type CliIo } from './io.js';

export interface RunRequest {
  planPath: string;
  approvalsPath?: string | undefined;
  evidenceDir?: string | undefined;
  stateDir?: string | undefined;
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

function operatorLogin(env: NodeJS.ProcessEnv): string {
  try {
    return userInfo().username;
  } catch {
    return env.USER ?? 'unknown';
  }
}

/** Loads everything a session needs; any problem is bad input, reported where it is, exit 3. */
export async function executeRelease(request: RunRequest, io: CliIo): Promise<number> {
  const loaded = await loadPlan(request.planPath, { cwd: io.cwd });
  if ('errors' in loaded) {
    for (const error of loaded.errors) writeLine(io.stderr, formatPlanError(error));
    return EXIT.badInput;
  }
  let answers: ApprovalEntry[] = [];
  if (request.approvalsPath !== undefined) {
    const approvals = await loadApprovalsFile(resolve(io.cwd, request.approvalsPath), loaded.plan);
    if ('errors' in approvals) {
      for (const error of approvals.errors) writeLine(io.stderr, formatPlanError({ ...error, file: request.approvalsPath }));
      return EXIT.badInput;
    }
    answers = approvals.entries;
  }
  const evidenceDir = resolve(io.cwd, request.evidenceDir ?? '.artifacts/deployment');
  const stateDir = resolve(io.cwd, request.stateDir ?? resolve(loaded.planDir, '.warroom'));
  try {
    ensureDir(evidenceDir);
    ensureDir(stateDir);
  } catch (error) {
    writeLine(io.stderr, `warroom: cannot create ${(error as NodeJS.ErrnoException).path ?? dirname(evidenceDir)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    return EXIT.badInput;
  }
  // A vanished terminal (EPIPE, EIO) must not crash a release in progress.
  io.stdout.on('error', () => {});
  const result = await runHeadlessSession({
    plan: resolvePlan(loaded.plan, evidenceDir),
    planPath: loaded.planPath,
    planDir: loaded.planDir,
    planFile: loaded.file,
    evidenceDir,
    stateDir,
    answers,
    operator: operatorLogin(io.env),
    print: (line) => writeLine(io.stdout, line),
    env: io.env,
  });
  writeLine(io.stdout, `warroom: session ${result.sessionId} ended ${result.outcome} (${result.state}), exit ${result.exitCode}. Evidence: ${evidenceDir}`);
  return result.exitCode;
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
