import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AnnotationsError, annotationsPathFor, loadAnnotations, type Annotations } from '../replay/annotations.js';
import { playHeadless } from '../replay/headless.js';
import { describeBreak, loadRecording, RecordingError, type Recording } from '../replay/recording.js';
import { parseSpeed, type Speed } from '../replay/timing.js';
import { trainHeadless } from '../replay/train-headless.js';
import { EXIT } from './exit-codes.js';
import { writeLine, type CliIo } from './io.js';

// `warroom replay RECORDING [--speed N|max] [--headless] [--force] [--train [--expected FILE]]`:
// re-renders a recorded session from its journal without running anything.

const USAGE = 'usage: warroom replay RECORDING [--speed N|max] [--headless] [--force] [--train [--expected FILE]]';

/** The replay commands read the trainee's answers: tests give their own input. */
export interface ReplayIo extends CliIo {
  stdin?: NodeJS.ReadableStream;
}

export interface ReplayRequest {
  recording: string;
  speed: Speed;
  headless: boolean;
  force: boolean;
  train: boolean;
  expected?: string | undefined;
}

export function parseReplayArgs(args: string[]): ReplayRequest {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      speed: { type: 'string', default: '1' },
      headless: { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      train: { type: 'boolean', default: false },
      expected: { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw new Error(positionals.length === 0 ? 'which recording? (a journal.jsonl, an evidence folder or an evidence zip)' : `one recording at a time, got ${positionals.length}`);
  const speed = parseSpeed(values.speed ?? '1');
  if (speed === undefined) throw new Error(`--speed ${values.speed}: expected a number above 0 (e.g. 2, 0.5) or max`);
  if (values.expected !== undefined && !values.train) throw new Error('--expected goes with --train');
  return { recording: positionals[0]!, speed, headless: values.headless ?? false, force: values.force ?? false, train: values.train ?? false, expected: values.expected };
}

/** SPEC section 2: plain lines when stdout is not a terminal or TERM=dumb. */
function consoleCapable(io: CliIo): boolean {
  return io.stdout === process.stdout && process.stdout.isTTY === true && process.stdin.isTTY === true && io.env.TERM !== 'dumb';
}

/** Reads the recording, refusing a broken chain unless forced; undefined (reason written) when it is bad input. */
export async function openRecording(path: string, force: boolean, io: CliIo, command: string): Promise<Recording | undefined> {
  let recording: Recording;
  try {
    recording = await loadRecording(resolve(io.cwd, path), force);
  } catch (error) {
    if (!(error instanceof RecordingError)) throw error;
    writeLine(io.stderr, `${path}: ${error.message}`);
    return undefined;
  }
  if (recording.brokenAt) {
    const where = describeBreak(recording, recording.brokenAt);
    if (!force) {
      writeLine(io.stderr, `${where}; ${command} refused (run warroom verify, or --force to replay what is there)`);
      return undefined;
    }
    writeLine(io.stderr, `${where}; replaying anyway (--force): what follows may not be what happened`);
  }
  return recording;
}

export async function replayCommand(args: string[], io: ReplayIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    writeLine(io.stdout, USAGE);
    return EXIT.ok;
  }
  let request: ReplayRequest;
  try {
    request = parseReplayArgs(args);
  } catch (error) {
    writeLine(io.stderr, `warroom replay: ${(error as Error).message}`);
    writeLine(io.stderr, USAGE);
    return EXIT.badInput;
  }
  const recording = await openRecording(request.recording, request.force, io, 'replay');
  if (!recording) return EXIT.badInput;
  // A reader that went away (head, a closed pipe) ends the replay, not the process.
  io.stdout.on('error', () => {});
  const write = (text: string) => void io.stdout.write(text);
  const headless = request.headless || !consoleCapable(io);

  let annotations: Annotations | undefined;
  if (request.train) {
    const path = resolve(io.cwd, request.expected ?? annotationsPathFor(request.recording));
    try {
      annotations = await loadAnnotations(path, { sha256: recording.sha256, lines: recording.lines });
    } catch (error) {
      if (!(error instanceof AnnotationsError)) throw error;
      writeLine(io.stderr, error.message);
      return EXIT.badInput;
    }
  }

  const stop = new AbortController();
  const interrupt = () => stop.abort();
  process.once('SIGINT', interrupt);
  try {
    if (headless) {
      if (!annotations) {
        await playHeadless(recording.entries, { speed: request.speed, write, signal: stop.signal });
        return EXIT.ok;
      }
      const { score } = await trainHeadless(recording.entries, annotations, { speed: request.speed, write, input: io.stdin ?? process.stdin, signal: stop.signal });
      return score.passed ? EXIT.ok : EXIT.failed;
    }
    // Loaded only here: headless replays never pay for React and Ink.
    const { replayConsole } = await import('../replay/console.js');
    const result = await replayConsole(recording, { speed: request.speed, ...(annotations ? { annotations } : {}) });
    if (result.debrief) for (const line of result.debrief) writeLine(io.stdout, line);
    if (annotations) return result.passed ? EXIT.ok : EXIT.failed;
    return EXIT.ok;
  } finally {
    process.off('SIGINT', interrupt);
  }
}
