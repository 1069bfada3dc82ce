import { runCommand } from '../../runner/command.js';
import { quoted, type Reading } from './reading.js';

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
/** Output quoted in an error is cut to this many characters. */
/** A command's last line is quoted shorter than other peers' text: it is one value, not a reason. */
const QUOTE_LIMIT = 60;

/** Runs the command and reads the last non-empty line it printed on stdout as the value. */
export async function readCommandMetric(
  source: { name: string; run: string[] },
  ctx: { cwd: string; env?: Record<string, string>; signal?: AbortSignal },
  timeoutMs: number,
): Promise<Reading> {
  let lastOutput = '';
  let lastError = '';
  const record = await runCommand({
    name: source.name,
    argv: source.run,
    cwd: ctx.cwd,
    timeoutMs,
    env: ctx.env,
    log: '',
    onLines: (lines, stream) => {
      for (const line of lines) {
        if (line.trim() === '') continue;
        if (stream === 'stdout') lastOutput = line.trim();
        else lastError = line.trim();
      }
    },
    signal: ctx.signal,
  });
  if (record.error !== undefined) {
    return { error: lastError === '' ? record.error : `${record.error}: ${quoted(lastError, QUOTE_LIMIT)}` };
  }
  if (lastOutput === '') return { error: 'printed no value' };
  if (!NUMBER.test(lastOutput)) return { error: `not a number: ${quoted(lastOutput, QUOTE_LIMIT)}` };
  return { value: Number(lastOutput) };
}

