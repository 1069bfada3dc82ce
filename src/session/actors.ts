import { fromCallback, fromPromise } from 'xstate';
import type { ChecksInput, ChecksOutput, CommandInput } from '../../machines/actors.js';
import type { ReadinessItem, SessionEvent } from '../../machines/types.js';
import { durationMs } from '../plan/duration.js';
import { commandLogPath, logSlug } from '../plan/log-names.js';
import type { Check, Metric, Plan } from '../plan/schema.js';
import { runCheck } from '../probes/checks.js';
import { sampleMetric } from '../probes/metrics.js';
import { checkPrerequisiteFiles } from '../probes/readiness.js';
import { confirmScope } from '../probes/scope.js';
import type { MetricSample } from '../probes/types.js';
import { runCommand } from '../runner/command.js';
import type { BlockSink, CommandRecord, LineSink, OutputLines, OutputStream } from '../runner/types.js';
import { textLines, type OutputFilter } from '../safety/output.js';
import { resolve } from 'node:path';
import type { Recorder } from './recorder.js';

// The real work behind the names the chart invokes. Each actor journals what
// it starts before starting it, streams output through the safety filter into
// the step's log, the journal and the operator's screen, and stops its
// process group when the chart leaves the state (the AbortSignal).

export interface ActorDeps {
  planDir: string;
  env: Record<string, string>;
  recorder: Recorder;
  /** Masks and sanitises output: evidence text and terminal text. */
  filter: OutputFilter;
  print: (step: string, lines: OutputLines, stream: OutputStream) => void;
  /** Registers running work so an interrupted session can wait for its process groups to go. */
  track: <T>(work: Promise<T>) => Promise<T>;
  /** Writes the session's snapshot: a command starts only once its state is on disk, so resume knows it ran. */
  checkpoint: () => void;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;

/** A step's output on its way to the evidence. Output that cannot be written (a full disk) stops the step: it must not run on unrecorded. */
interface StepOutput {
  onLines: LineSink;
  onBlock: BlockSink;
  /** Aborted when the output can no longer be written. */
  lost: AbortSignal;
  /** Why, once it is lost. */
  failure(): string | undefined;
}

async function withLog<T>(deps: ActorDeps, step: string, logPath: string, work: (output: StepOutput) => Promise<T>): Promise<T> {
  const log = deps.recorder.evidence.openLog(logPath);
  const lost = new AbortController();
  let failure: string | undefined;
  const write = (filter: () => OutputLines, stream: OutputStream): void => {
    if (failure !== undefined) return;
    try {
      const lines = filter();
      const offset = log.size;
      deps.recorder.output(step, stream, lines, { log: logPath, offset, bytes: log.append(lines) });
      deps.print(step, lines, stream);
    } catch (error) {
      failure = `cannot write ${logPath}: ${(error as Error).message}`;
      lost.abort();
    }
  };
  const onLines: LineSink = (raw, stream) => write(() => textLines(deps.filter.lines(raw)), stream);
  const onBlock: BlockSink = (block, stream) => write(() => deps.filter.block(block), stream);
  try {
    return await deps.track(work({ onLines, onBlock, lost: lost.signal, failure: () => failure }));
  } finally {
    deps.recorder.flushOutput();
    log.close();
  }
}

const stopOn = (signal: AbortSignal | undefined, lost: AbortSignal) => (signal ? AbortSignal.any([signal, lost]) : lost);

export function execute(deps: ActorDeps, input: CommandInput, signal?: AbortSignal): Promise<CommandRecord> {
  const logPath = commandLogPath(input.name);
  const cwd = resolve(deps.planDir, input.command.cwd ?? '.');
  deps.checkpoint();
  deps.recorder.event('command.start', { name: input.name, kind: input.kind, argv: input.command.run, cwd, log: logPath }, true);
  return withLog(deps, input.name, logPath, async ({ onLines, onBlock, lost, failure }) => {
    const ran = await runCommand({
      name: input.name,
      argv: input.command.run,
      cwd,
      timeoutMs: durationMs(input.command.timeout, DEFAULT_TIMEOUT_MS),
      env: { ...deps.env, WARROOM_STEP: input.name },
      log: logPath,
      onLines,
      onBlock,
      // Resume looks for this group: a step that outlived a killed session must not be started twice unknowingly.
      onSpawn: (pgid) => deps.recorder.event('command.spawned', { name: input.name, pgid }, true),
      signal: stopOn(signal, lost),
    });
    const why = failure();
    // Whatever the command did, a step whose output is not all in the evidence did not succeed.
    const record: CommandRecord = why === undefined ? ran : { ...ran, exitCode: null, error: why };
    deps.recorder.event('command.end', record, true);
    return record;
  });
}

async function runStageChecks(deps: ActorDeps, input: ChecksInput, signal?: AbortSignal): Promise<ChecksOutput> {
  const checks = [];
  for (const check of input.checks) checks.push(await runOneCheck(deps, input.stage, check, signal));
  const samples = await sampleAll(deps, input.metrics, signal);
  return { checks, samples };
}

async function runOneCheck(deps: ActorDeps, stage: string, check: Check, signal?: AbortSignal) {
  const step = `${stage}-${logSlug(check.name)}`;
  const logPath = `logs/${step}.log`;
  deps.recorder.event('check.start', { stage, name: check.name });
  const result = await withLog(deps, step, logPath, async ({ onLines, lost, failure }) => {
    const checked = await runCheck(check, {
      cwd: resolve(deps.planDir, ('cwd' in check && check.cwd) || '.'),
      env: { ...deps.env, WARROOM_STEP: step },
      log: (lines) => onLines(lines, 'stdout'),
      logPath,
      signal: stopOn(signal, lost),
    });
    const why = failure();
    return why === undefined ? checked : { ...checked, passed: false, detail: why };
  });
  // A check's detail may quote what its command printed: it is output like any other.
  const safe = { ...result, detail: deps.filter(result.detail).evidence };
  deps.recorder.event('check', { stage, result: safe }, true);
  return safe;
}

async function sampleAll(deps: ActorDeps, metrics: Metric[], signal?: AbortSignal): Promise<MetricSample[]> {
  const raw = await Promise.all(
    metrics.map((metric) =>
      sampleMetric(metric, { cwd: resolve(deps.planDir, ('cwd' in metric && metric.cwd) || '.'), env: deps.env, ...(signal ? { signal } : {}) }),
    ),
  );
  // An unreadable source's error may quote what its command printed: masked like any output.
  const samples = raw.map((sample) => (sample.error === undefined ? sample : { ...sample, error: deps.filter(sample.error).evidence }));
  if (!signal?.aborted) for (const sample of samples) deps.recorder.event('metric', sample);
  return samples;
}

export function sessionActorImplementations(deps: ActorDeps) {
  return {
    checkReadiness: fromPromise<ReadinessItem[], { plan: Plan }>(async ({ input, signal }) => {
      const items = await checkPrerequisiteFiles(input.plan, deps.planDir, Date.now());
      for (const check of input.plan.prerequisites.checks) {
        const result = await runOneCheck(deps, 'prerequisite', check, signal);
        items.push({ id: `check:${check.name}`, kind: 'check', name: check.name, status: result.passed ? 'pass' : 'fail', detail: result.detail });
      }
      return items;
    }),
    confirmScope: fromPromise<ReadinessItem[], { plan: Plan }>(({ input }) => confirmScope(input.plan, deps.planDir)),
    runChecks: fromPromise<ChecksOutput, ChecksInput>(({ input, signal }) => runStageChecks(deps, input, signal)),
    runCommand: fromPromise<CommandRecord, CommandInput>(({ input, signal }) => execute(deps, input, signal)),
    sampleMetrics: fromPromise<MetricSample[], { metrics: Metric[] }>(({ input, signal }) => sampleAll(deps, input.metrics, signal)),
    soakSampler: fromCallback<SessionEvent, { metrics: Metric[]; intervalMs: number }>(({ input, sendBack }) => {
      const controller = new AbortController();
      let busy = false;
      // One round at a time: a slow source skips a beat rather than piling up requests.
      const round = async () => {
        if (busy || controller.signal.aborted) return;
        busy = true;
        try {
          const samples = await sampleAll(deps, input.metrics, controller.signal);
          if (!controller.signal.aborted) for (const sample of samples) sendBack({ type: 'SAMPLE', sample });
        } finally {
          busy = false;
        }
      };
      void round();
      const timer = setInterval(() => void round(), Math.max(input.intervalMs, 100));
      return () => {
        clearInterval(timer);
        controller.abort();
      };
    }),
  };
}
