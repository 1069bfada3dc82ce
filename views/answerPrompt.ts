import type { Key } from 'ink';
import type { SessionEvent } from '../machines/types.js';
import { answer, decisionEvent, operatorPerson, pendingQuestion, type DecisionKind, type Question } from './decisions.js';
import type { ConsoleSession, ReleaseSnapshot } from './port.js';
import { initialStep, promptKey, startDecision, type Answer, type Outcome, type PromptStep } from './promptFlow.js';
import { NOTICE_MS, type ConsoleState, type ConsoleStore } from './useConsoleState.js';

// Answering the chart's question: the prompt's keys go through the pure
// reducer (promptFlow.ts); a finished answer becomes the chart's event and goes
// to the session, which journals it first and says whether the chart took it.

const VERB: Record<DecisionKind, string> = {
  approve: 'Approval',
  acknowledge: 'Acknowledgement',
  retry: 'Retry',
  waive: 'Waiver',
  rollback: 'Roll back',
  abort: 'Abort',
  extend: 'Soak extension',
};

/** The step the prompt is at for this question; a new question starts from the top. */
export function stepOf(state: ConsoleState, question: Question): PromptStep {
  return state.prompt?.questionKey === question.key ? state.prompt.step : initialStep(question);
}

function eventFor(done: Answer, snapshot: ReleaseSnapshot, operator: string): SessionEvent {
  if (done.kind === 'approve' || done.kind === 'acknowledge') return answer(done.kind, done.person!, done.refusal ? 'reject' : 'approve', done.reason);
  return decisionEvent(done.kind, done.person ?? operatorPerson(snapshot.context, operator), done.reason);
}

function apply(session: ConsoleSession, store: ConsoleStore, snapshot: ReleaseSnapshot, question: Question, outcome: Outcome): void {
  // The operator's own stop question closes once answered or declined (back at its first step).
  const stop = question.key.startsWith('stop|') && (outcome.answer !== undefined || outcome.step.step === 'options') ? { stopping: undefined } : {};
  if (!outcome.answer) return store.update({ prompt: { questionKey: question.key, step: outcome.step }, notice: undefined, ...stop });
  const done = outcome.answer;
  const what = `${done.refusal ? 'Refusal' : VERB[done.kind]}${done.person ? ` by ${done.person.name}` : ''}`;
  const accepted = session.send(eventFor(done, snapshot, session.operator));
  const until = snapshot.context.now + NOTICE_MS;
  store.update({
    ...stop,
    prompt: { questionKey: question.key, step: outcome.step },
    notice: accepted ? { tone: 'pass', text: `✔ ${what} sent to the session`, until } : { tone: 'fail', text: `✘ ${what} was refused by the session (the question may have changed)`, until },
  });
}

/** One keypress for the open question; false when it means nothing to the prompt. */
export function answerKey(session: ConsoleSession, store: ConsoleStore, question: Question, input: string, key: Key): boolean {
  const snapshot = session.getSnapshot();
  const outcome = promptKey(question, stepOf(store.get(), question), input, key, snapshot.context.plan.release.tag);
  if (outcome.handled) apply(session, store, snapshot, question, outcome);
  return outcome.handled;
}

/** `r` / `x` from anywhere: starts that decision when the chart offers it now, or says when it would. */
export function startFromKey(session: ConsoleSession, store: ConsoleStore, question: Question | undefined, kind: 'rollback' | 'abort', label: string): void {
  const snapshot = session.getSnapshot();
  const asked = question ?? pendingQuestion(snapshot, session.operator, kind);
  const outcome = startDecision(asked, kind);
  if (outcome && asked) {
    if (!question) store.update({ stopping: kind });
    apply(session, store, snapshot, asked, outcome);
  }
  else store.update({ notice: { tone: 'muted', text: `${label} is offered when the session halts at a step that allows it`, until: session.getSnapshot().context.now + NOTICE_MS } });
}
