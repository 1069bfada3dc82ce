import { useApp } from 'ink';
import type { ExitReason } from './App.js';
import { answerKey, startFromKey, stepOf } from './answerPrompt.js';
import { pendingQuestion } from './decisions.js';
import { pressed } from './keys.js';
import type { ConsoleSession } from './port.js';
import { isTyping } from './promptFlow.js';
import { focusOf, nextFocus, type ConsoleStore } from './useConsoleState.js';
import { useKeypress } from './useKeypress.js';
import type { TailWindow } from './useTailWindow.js';

export interface Scrollable {
  view: Pick<TailWindow<unknown>, 'scroll' | 'toggleFollow'>;
  page: number;
}

/**
 * Every key, in one handler that reads the session and the console state as they
 * are now (not as last rendered): the ending and overlays take any key, then the
 * open question, then the global bindings, then the focused pane's scrolling.
 */
export function useConsoleKeys(session: ConsoleSession, store: ConsoleStore, panes: { output: Scrollable; log: Scrollable }): void {
  const { exit } = useApp();
  const leave = (reason: ExitReason) => exit(reason);
  useKeypress((input, key) => {
    const snapshot = session.getSnapshot();
    const state = store.get();
    if (snapshot.status === 'done') return leave('ended');
    if (state.overlay === 'help') return store.update({ overlay: undefined });
    if (state.overlay === 'quit') {
      const reply = pressed(input, key, ['yes', 'no']);
      if (reply === 'yes') leave('quit');
      else if (reply === 'no') store.update({ overlay: undefined });
      return;
    }
    const question = pendingQuestion(snapshot, session.operator, state.stopping);
    const focus = focusOf(state, question?.key);
    const scroll = pressed(input, key, ['up', 'down', 'pageUp', 'pageDown']);
    // Arrows move the prompt's choice while it has the focus; otherwise they scroll the focused pane.
    if (question && (focus === 'prompt' || !scroll) && answerKey(session, store, question, input, key)) return;
    const typing = question !== undefined && isTyping(stepOf(store.get(), question));
    const name = pressed(input, key, typing ? ['focus'] : ['help', 'focus', 'quit', 'rollback', 'abort', 'follow']);
    if (name === 'help') store.update({ overlay: 'help' });
    else if (name === 'quit') store.update({ overlay: 'quit' });
    else if (name === 'focus') store.update({ focus: nextFocus(state, question?.key) });
    else if (name === 'rollback') startFromKey(session, store, question, 'rollback', 'Roll back');
    else if (name === 'abort') startFromKey(session, store, question, 'abort', 'Abort');
    else if (name === 'follow') panes.output.view.toggleFollow();
    else if (scroll && focus !== 'prompt') {
      const { view, page } = panes[focus];
      view.scroll(scroll === 'up' ? -1 : scroll === 'down' ? 1 : scroll === 'pageUp' ? -page : page);
    }
  });
}
