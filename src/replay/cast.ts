import { EventEmitter } from 'node:events';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { createElement } from 'react';
import { render } from 'ink';
import { inertStdin } from '../../views/replay.js';
import { RecordedConsole } from '../../views/ReplayApp.js';
import { themeFor } from '../../views/theme.js';
import type { Recording } from './recording.js';
import { ReplaySession } from './session.js';
import { buildTimeline, type Frame, type Marker, type Timeline } from './timeline.js';

// `warroom export RECORDING --cast OUT`: the console as it looked, frame by
// frame, at a fixed 80x24, in asciicast v2 (or v3): full-screen redraws on the
// recording's clock, and markers at phases, gates, halts and the ending.

export const CAST_COLUMNS = 80;
export const CAST_ROWS = 24;
/** Changes closer together than this are one frame; a long recording gets fewer (at most about MAX_FRAMES). */
const FRAME_MS = 250;
const MAX_FRAMES = 1_500;
const MARKED: ReadonlySet<Marker['kind']> = new Set(['phase', 'gate', 'halt', 'decision', 'ending']);

export type CastEvent = [number, 'o' | 'm', string];

export interface Cast {
  header: Record<string, unknown>;
  /** Times in seconds since the recording began. */
  events: CastEvent[];
}

/** A fixed-size terminal for Ink that keeps only the last frame it was given (Ink's debug mode writes whole frames). */
class FrameStdout extends EventEmitter {
  readonly columns = CAST_COLUMNS;
  readonly rows = CAST_ROWS;
  readonly isTTY = false;
  last = '';
  write = (frame: string): boolean => {
    this.last = frame;
    return true;
  };
}

/** A full-screen redraw: home, each line erased to its end, the rest of the screen erased. */
function screenOf(frame: string): string {
  const lines = frame.split('\n').slice(0, CAST_ROWS);
  return `\u001B[H${lines.map((line) => `${line}\u001B[K`).join('\r\n')}\u001B[J`;
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The moments to draw: each batch of changes at most `step` apart, every marker, the end, and a command's output arriving line by line. */
function moments(timeline: Timeline): Array<{ frame: number; output?: number; at: number }> {
  const { frames } = timeline;
  const step = Math.max(FRAME_MS, (frames.at(-1)?.at ?? 0) / MAX_FRAMES);
  const marked = new Set(timeline.markers.map((m) => m.index));
  const plan: Array<{ frame: number; output?: number; at: number }> = [];
  let last = -Infinity;
  for (const [i, frame] of frames.entries()) {
    const previous: Frame | undefined = frames[i - 1];
    // Output is journaled when a command ends: show its lines arriving over the time it ran.
    if (previous && frame.output > previous.output && frame.at - previous.at > step) {
      const lines = frame.output - previous.output;
      for (let t = previous.at + step; t < frame.at; t += step) {
        plan.push({ frame: i - 1, output: previous.output + Math.floor((lines * (t - previous.at)) / (frame.at - previous.at)), at: t });
      }
    }
    const next = frames[i + 1];
    const due = !next || marked.has(frame.index) || next.at - last >= step;
    if (due) {
      plan.push({ frame: i, at: frame.at });
      last = frame.at;
    }
  }
  return plan;
}

export async function castOf(timeline: Timeline, options: { v3?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<Cast> {
  const session = new ReplaySession(timeline);
  const stdout = new FrameStdout();
  const theme = themeFor(options.env ?? process.env);
  const instance = render(createElement(RecordedConsole, { session, theme, columns: CAST_COLUMNS, rows: CAST_ROWS }), {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: inertStdin(),
    // Debug mode writes every frame whole and at once: no throttle, no cursor games.
    debug: true,
    patchConsole: false,
    exitOnCtrlC: false,
  });
  const events: CastEvent[] = [];
  try {
    let shown = '';
    const markers = [...timeline.markers].filter((m) => MARKED.has(m.kind));
    const frameOfEntry = new Map(timeline.frames.map((f) => [f.index, f]));
    for (const moment of moments(timeline)) {
      session.show(moment.frame, moment.output);
      await settle();
      const time = moment.at / 1000;
      const screen = screenOf(stdout.last);
      if (screen !== shown) {
        events.push([time, 'o', screen]);
        shown = screen;
      }
      while (markers.length && (frameOfEntry.get(markers[0]!.index)?.at ?? Infinity) <= moment.at) events.push([time, 'm', markers.shift()!.label]);
    }
  } finally {
    instance.unmount();
  }
  const { release } = timeline.start.plan;
  const title = `warroom: ${release.name} ${release.tag} (${release.environment})`;
  const timestamp = Math.floor(Date.parse(timeline.entries[0]!.ts) / 1000);
  const env = { TERM: 'xterm-256color', SHELL: '/bin/bash' };
  const header = options.v3
    ? { version: 3, term: { cols: CAST_COLUMNS, rows: CAST_ROWS, type: env.TERM }, timestamp, title, env: { SHELL: env.SHELL } }
    : { version: 2, width: CAST_COLUMNS, height: CAST_ROWS, timestamp, title, env };
  return { header, events };
}

const round = (seconds: number) => Math.round(seconds * 1e6) / 1e6;

/** One JSON line for the header, then one per event: v2 times are absolute, v3 intervals since the previous event. */
export function serializeCast(cast: Cast): string {
  const v3 = cast.header.version === 3;
  let previous = 0;
  const lines = cast.events.map(([time, code, data]) => {
    const stamp = v3 ? round(time - previous) : round(time);
    previous = time;
    return JSON.stringify([stamp, code, data]);
  });
  return `${[JSON.stringify(cast.header), ...lines].join('\n')}\n`;
}

export async function exportCast(recording: Recording, out: string, options: { v3?: boolean } = {}): Promise<{ frames: number; markers: number; seconds: number }> {
  const timeline = await buildTimeline(recording.entries);
  const cast = await castOf(timeline, options);
  // Whole or not at all: a player never sees half a cast. Not evidence, so the usual file mode.
  const temp = `${out}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, serializeCast(cast));
    renameSync(temp, out);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  return {
    frames: cast.events.filter((e) => e[1] === 'o').length,
    markers: cast.events.filter((e) => e[1] === 'm').length,
    seconds: cast.events.at(-1)?.[0] ?? 0,
  };
}
