import { useCallback, useReducer, useRef } from 'react';
import type { PromptStep } from './promptFlow.js';
import type { Tone } from './theme.js';

// The console's own state (overlay, focus, the prompt's step, the last notice),
// kept where a keypress can read what the previous keypress just wrote. React
// (Ink's legacy root, React 19) renders a state update in a later macrotask, so
// keys arriving together — a paste, a fast typist, tmux send-keys — would
// otherwise each see the screen as it was before the first of them.

export type Pane = 'prompt' | 'output' | 'log';
export type Overlay = 'help' | 'quit' | undefined;

export interface Notice {
  tone: Tone;
  text: string;
  /** On the chart's clock: a notice outlives the next question, not the release. */
  until: number;
}

export const NOTICE_MS = 8_000;

export interface ConsoleState {
  overlay: Overlay;
  /** The pane chosen with Tab, for the question that was open then. */
  focus?: { questionKey: string | undefined; pane: Pane };
  /** How far the current question has been answered. */
  prompt?: { questionKey: string; step: PromptStep };
  notice?: Notice;
  /** `r` or `x` pressed while the release runs: the stop question stays open until answered or declined. */
  stopping?: 'rollback' | 'abort';
}

export interface ConsoleStore {
  get(): ConsoleState;
  update(change: Partial<ConsoleState>): void;
}

export function useConsoleState(): [ConsoleState, ConsoleStore] {
  const state = useRef<ConsoleState>({ overlay: undefined });
  const [, rendered] = useReducer((n: number) => n + 1, 0);
  const get = useCallback(() => state.current, []);
  const update = useCallback((change: Partial<ConsoleState>) => {
    state.current = { ...state.current, ...change };
    rendered();
  }, []);
  return [state.current, useRef({ get, update }).current];
}

const panesFor = (questionKey: string | undefined): Pane[] => (questionKey === undefined ? ['output', 'log'] : ['prompt', 'output', 'log']);

/** Which pane has ↑/↓ and PgUp/PgDn: a new question takes the focus (someone is being asked); Tab moves it on. */
export function focusOf(state: ConsoleState, questionKey: string | undefined): Pane {
  const panes = panesFor(questionKey);
  const chosen = state.focus;
  return chosen && chosen.questionKey === questionKey && panes.includes(chosen.pane) ? chosen.pane : panes[0]!;
}

export function nextFocus(state: ConsoleState, questionKey: string | undefined): ConsoleState['focus'] {
  const panes = panesFor(questionKey);
  return { questionKey, pane: panes[(panes.indexOf(focusOf(state, questionKey)) + 1) % panes.length]! };
}
