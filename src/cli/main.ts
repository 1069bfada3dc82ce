import { EXIT } from './exit-codes.js';
import { errnoWords, processIo, watchOutput, writeLine, type CliIo } from './io.js';

// Commands load lazily so `warroom --help` and `warroom validate` start fast.
const COMMANDS: Record<string, () => Promise<(args: string[], io: CliIo) => Promise<number>>> = {
  run: async () => (await import('./run.js')).runCommand,
  demo: async () => (await import('./demo.js')).demoCommand,
  validate: async () => (await import('./validate.js')).validateCommand,
  init: async () => (await import('./init.js')).initCommand,
  schema: async () => (await import('./schema.js')).schemaCommand,
  verify: async () => (await import('./verify.js')).verifyCommand,
  gate: async () => (await import('./gate.js')).gateCommand,
  manual: async () => (await import('./manual.js')).manualCommand,
  resume: async () => (await import('./resume.js')).resumeCommand,
  attach: async () => (await import('./attach.js')).attachCommand,
  replay: async () => (await import('./replay.js')).replayCommand,
  export: async () => (await import('./export.js')).exportCommand,
};

export const HELP = `warroom — a war-room console for production releases

Usage:
  warroom [demo]                      run the demo release (fixtures/demo) in a scratch copy
                                      (at a terminal you answer its prompts; otherwise headless)
  warroom run [PLAN] [options]        execute the release protocol for PLAN (default ./release.yaml)
      --headless                      plain lines instead of the console (also chosen when
                                      stdout is not a terminal or TERM=dumb)
      --approvals FILE                approvals and freeze acknowledgements granted elsewhere (JSON)
      --evidence DIR                  evidence folder (default .artifacts/deployment/)
      --state DIR                     session state (default .warroom/ beside the plan)
  warroom resume [SESSION] [options]  continue a session that was quit, interrupted or killed, from
                                      its journal (SESSION: its folder or id; default: the latest
                                      unfinished session in .warroom/)
      --headless, --approvals FILE    as for run
      --state DIR                     where to look for sessions (default ./.warroom)
      --on-interrupted retry|rollback|abort
                                      what to do with a command that was running when it stopped
                                      (default: halt and ask)
  warroom attach [SESSION] [options]  join a live session on this host (SESSION: its folder or id;
                                      default: the newest live session in .warroom/)
      --as observer|approver|driver   watch; also answer approvals and acknowledgements; also take
                                      the operator's decisions (default observer). Your login is
                                      verified by the operating system, not taken from you.
      --headless                      plain lines instead of the console
      --state DIR                     where to look for sessions (default ./.warroom)
  warroom replay RECORDING [options]  replay a recorded session (journal.jsonl, evidence folder or zip)
                                      on the real console, running nothing; keys: space pause,
                                      n next, b/← back, f/→ forward, +/- speed, q quit
      --speed N|max                   the journal's time divided by N (default 1); max does not wait
      --headless                      the lines the live headless run printed, in its order
      --force                         replay a journal whose hash chain breaks (the break is named)
      --train [--expected FILE]       stop at each decision point, ask, score against
                                      NAME.expected.json: 0 passed · 1 not passed
  warroom export RECORDING --cast OUT [--v3]
                                      the console as it looked, as an asciicast v2 (v3) file at
                                      80x24, with markers at phases, gates, halts and the ending
  warroom validate PLAN               check a plan; every problem as FILE:LINE:COL message
  warroom init [DIR]                  scaffold a commented release.yaml and example scripts
  warroom schema                      print the plan's JSON Schema
  warroom verify EVIDENCE             verify an evidence zip or folder: manifest hashes and journal chain
  warroom gate GATE [--evidence DIR]  evaluate one quality gate (readiness, freeze, launch, reporting)
                                      from the evidence on disk: 0 pass · 1 fail or inconclusive · 3 bad input
  warroom manual STEP --result pass|fail --by NAME --note TEXT [--evidence DIR]
                                      record a manual validation (automation unavailable) in
                                      .artifacts/protocol-15/manual-validation-log.md

Exit codes of run, resume and demo:
  0 released and handed off · 1 rolled back / launch failed · 2 halted or aborted, awaiting instructions · 3 bad input
`;

/** Commands whose exit code says how a release ended: a lost stdout must not hide that. */
const RELEASE_COMMANDS = new Set(['run', 'demo', 'resume']);

export async function main(args: string[], io: CliIo = processIo()): Promise<number> {
  const outputFailure = watchOutput(io.stdout);
  // Nowhere left to say that stderr failed: only keep it from crashing.
  io.stderr.on('error', () => {});
  const code = await runCommand(args, io);
  const failure = await outputFailure();
  // A reader that went away (head, a closed pager) wants no more: that is not an error.
  if (failure === undefined || failure.code === 'EPIPE') return code;
  const reason = errnoWords(failure.code) ?? failure.code ?? failure.message;
  writeLine(io.stderr, `warroom: cannot write the output: ${reason}${failure.code && reason !== failure.code ? ` (${failure.code})` : ''}`);
  return code !== EXIT.ok || RELEASE_COMMANDS.has(args[0] ?? 'demo') ? code : EXIT.badInput;
}

async function runCommand(args: string[], io: CliIo): Promise<number> {
  const [name = 'demo', ...rest] = args;
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(HELP);
    return EXIT.ok;
  }
  const load = COMMANDS[name];
  if (!load) {
    writeLine(io.stderr, `warroom: unknown command "${name}" (see warroom --help)`);
    return EXIT.badInput;
  }
  try {
    return await (await load())(rest, io);
  } catch (error) {
    // A bug, not bad input: one line, and the exit code that says "awaiting instructions".
    writeLine(io.stderr, `warroom: internal error: ${(error as Error).message}`);
    if (io.env.WARROOM_DEBUG) writeLine(io.stderr, String((error as Error).stack));
    return EXIT.halted;
  }
}
