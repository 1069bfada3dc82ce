import { Box } from 'ink';
import { useSyncExternalStore } from 'react';
import { App } from './App.js';
import { Line, Span } from './Line.js';
import type { ConsoleSession } from './port.js';
import { REPLAY_KEYS } from './replayKeys.js';
import { ThemeContext, type Theme, type Tone } from './theme.js';
import { useTerminalSize } from './useTerminalSize.js';
import { wrapWhy } from './why.js';

// A recorded session on the real console, with a replay bar under it and, in
// training, the trainee's question. The console is shown, never driven: its
// keys never reach it (replay reads its own, see replayKeys.ts).

/** A recorded session: the console's port, plus a counter that grows with every change on screen. */
export interface RecordedSession extends ConsoleSession {
  getVersion(): number;
}

export interface ReplayStatus {
  playing: boolean;
  speed: string;
  /** Recording time shown and the recording's length, ms. */
  at: number;
  length: number;
  seq: number;
  lines: number;
  ended: boolean;
}

export interface TrainingView {
  number: number;
  of: number;
  title: string;
  question: string;
  options: string[];
  /** After the answer: right or wrong, what happened, why. */
  feedback?: string[];
  /** After the last decision point. */
  score?: string;
}

export interface ReplayView {
  status: ReplayStatus;
  training?: TrainingView;
}

export interface ReplayStore {
  subscribe(listener: () => void): () => void;
  get(): ReplayView;
}

/** The console as it looked at the moment shown: the whole tree re-renders on every change, so its panes read their tails at once. */
export function RecordedConsole({ session, theme, columns, rows }: { session: RecordedSession; theme: Theme; columns: number; rows: number }) {
  useSyncExternalStore(session.subscribe, session.getVersion);
  return <App session={session} theme={theme} columns={columns} rows={rows} />;
}

const clock = (ms: number) => {
  const s = Math.floor(ms / 1000);
  const hh = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return hh ? `${hh}:${mm}:${ss}` : `${mm}:${ss}`;
};

/** The replay bar's keys, short enough for 80 columns; docs/replay.md and replayKeys.ts have the full table. */
function barKeys(view: ReplayView): Array<{ keys: string; does: string }> {
  if (view.training?.feedback || view.training?.score) return [{ keys: 'any key', does: 'continue' }];
  if (view.training) return [{ keys: REPLAY_KEYS.pick.keys, does: 'answer' }, { keys: 'q', does: 'quit' }];
  if (view.status.ended) return [{ keys: 'b/←', does: 'back' }, { keys: 'n', does: 'next' }, { keys: 'q', does: 'quit' }];
  return [
    { keys: '␣', does: view.status.playing ? 'pause' : 'play' },
    { keys: 'n', does: 'next' },
    { keys: 'b/←', does: 'back' },
    { keys: 'f/→', does: 'fwd' },
    { keys: '+/-', does: 'speed' },
    { keys: 'q', does: 'quit' },
  ];
}

export function ReplayBar({ view, width }: { view: ReplayView; width: number }) {
  const { status } = view;
  const state = status.ended ? '■' : status.playing ? '▶' : '❚❚';
  const keys = barKeys(view);
  // Padded to the width: the bar covers the console's own key bar whole.
  const used = [...`${state} REPLAY ${status.ended ? 'ended' : status.speed} ${clock(status.at)}/${clock(status.length)}`].length + keys.reduce((n, k) => n + 3 + [...k.keys].length + k.does.length, 0);
  return (
    <Line>
      <Span tone={status.playing ? 'running' : 'waiting'}>{state}</Span> <Span tone="accent">REPLAY</Span>{' '}
      <Span tone="muted">
        {status.ended ? 'ended' : status.speed} {clock(status.at)}/{clock(status.length)}
      </Span>
      {keys.map(({ keys, does }) => (
        <Span key={keys + does}>
          {'  '}
          <Span tone="accent">{keys}</Span> <Span tone="muted">{does}</Span>
        </Span>
      ))}
      {' '.repeat(Math.max(0, width - used))}
    </Line>
  );
}

const MAX_PANEL = 9;

/** The training panel's lines, word-wrapped to the width and at most MAX_PANEL long. */
export function trainingLines(training: TrainingView, width: number): Array<{ tone: Tone; text: string }> {
  const lines: Array<{ tone: Tone; text: string }> = [{ tone: 'accent', text: `TRAINING ${training.number}/${training.of}: ${training.title}` }];
  if (training.score) lines.push({ tone: 'accent', text: training.score });
  else if (training.feedback) {
    for (const line of training.feedback) lines.push({ tone: line.startsWith('✔') ? 'pass' : line.startsWith('✘') ? 'fail' : 'text', text: line });
  } else {
    for (const line of training.question.split('\n')) lines.push({ tone: 'text', text: line });
    lines.push({ tone: 'waiting', text: `Your decision: ${training.options.map((o, i) => `${i + 1}) ${o}`).join('  ')}` });
  }
  const wrapped = wrapWhy(lines, Math.max(20, width), 4);
  return wrapped.length > MAX_PANEL ? [...wrapped.slice(0, MAX_PANEL - 1), wrapped.at(-1)!] : wrapped;
}

export interface ReplayAppProps {
  session: RecordedSession;
  store: ReplayStore;
  theme: Theme;
  columns?: number;
  rows?: number;
}

export function ReplayApp({ session, store, theme, columns, rows }: ReplayAppProps) {
  const view = useSyncExternalStore(store.subscribe, store.get);
  const size = useTerminalSize({ columns, rows });
  const width = Math.max(40, size.columns);
  const panel = view.training ? trainingLines(view.training, width) : [];
  // The console keeps its own size and layout; the replay bar takes the place of its key bar (its keys do
  // nothing here) and a training question covers the lines just above it, as a dialog would.
  const height = Math.max(8, size.rows - 1);
  const pad = (text: string) => text.padEnd(width);
  return (
    <ThemeContext.Provider value={theme}>
      <Box flexDirection="column" width={width} height={height}>
        <RecordedConsole session={session} theme={theme} columns={width} rows={size.rows} />
        <Box position="absolute" marginTop={Math.max(0, height - 1 - panel.length)} flexDirection="column" width={width}>
          {panel.map((line, i) => (
            <Line key={i} tone={line.tone}>
              {pad(line.text)}
            </Line>
          ))}
          <ReplayBar view={view} width={width} />
        </Box>
      </Box>
    </ThemeContext.Provider>
  );
}
