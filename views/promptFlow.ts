import type { Key } from 'ink';
import type { Person } from '../machines/types.js';
import type { DecisionKind, DecisionOption, Question } from './decisions.js';
import { pressed, typedText } from './keys.js';

// The steps of answering a question, as a pure reducer: choose a decision,
// pick who takes it, type the release tag or a reason, confirm. The hook
// (usePromptFlow) turns a finished answer into the chart's event.

export type PromptStep =
  | { step: 'options'; index: number }
  | { step: 'people'; kind: DecisionKind; index: number }
  | { step: 'tag'; kind: DecisionKind; person: Person; text: string; error?: string }
  | { step: 'reason'; kind: DecisionKind; person?: Person; refusal: boolean; text: string; error?: string }
  | { step: 'confirm'; kind: DecisionKind; person?: Person };

/** A finished answer, ready to become an event. */
export interface Answer {
  kind: DecisionKind;
  person?: Person;
  refusal: boolean;
  reason?: string;
}

export interface Outcome {
  step: PromptStep;
  answer?: Answer;
  /** False when the key means nothing here, so a global binding may take it. */
  handled: boolean;
}

export function initialStep(question: Question): PromptStep {
  const only = question.options.length === 1 ? question.options[0] : undefined;
  return only?.people ? { step: 'people', kind: only.kind, index: 0 } : { step: 'options', index: 0 };
}

const optionOf = (question: Question, kind: DecisionKind): DecisionOption | undefined => question.options.find((o) => o.kind === kind);
const done = (step: PromptStep, answer?: Answer): Outcome => ({ step, answer, handled: true });
const wrap = (index: number, length: number) => (length === 0 ? 0 : (index + length) % length);

/** The next step once an option is chosen (and, when it needs one, a person). */
export function advance(question: Question, option: DecisionOption, person?: Person): Outcome {
  const start = initialStep(question);
  if (option.people && !person) return done({ step: 'people', kind: option.kind, index: 0 });
  if (option.needs === 'tag' && person) return done({ step: 'tag', kind: option.kind, person, text: '' });
  if (option.needs === 'reason') return done({ step: 'reason', kind: option.kind, person, refusal: false, text: '' });
  if (option.confirm) return done({ step: 'confirm', kind: option.kind, person });
  return done(start, { kind: option.kind, person, refusal: false });
}

function choosing(question: Question, step: Extract<PromptStep, { step: 'options' }>, input: string, key: Key): Outcome {
  const options = question.options;
  const name = pressed(input, key, ['previous', 'next', 'up', 'down', 'pick', 'select']);
  if (name === 'previous' || name === 'up') return done({ step: 'options', index: wrap(step.index - 1, options.length) });
  if (name === 'next' || name === 'down') return done({ step: 'options', index: wrap(step.index + 1, options.length) });
  const option = name === 'pick' ? options[Number(input) - 1] : name === 'select' ? options[step.index] : undefined;
  return option ? advance(question, option) : { step, handled: name !== undefined };
}

function picking(question: Question, step: Extract<PromptStep, { step: 'people' }>, input: string, key: Key): Outcome {
  const option = optionOf(question, step.kind);
  const people = option?.people ?? [];
  const name = pressed(input, key, ['up', 'down', 'pick', 'select', 'reject', 'back']);
  if (name === 'up') return done({ ...step, index: wrap(step.index - 1, people.length) });
  if (name === 'down') return done({ ...step, index: wrap(step.index + 1, people.length) });
  if (name === 'back') return done(initialStep(question));
  const person = name === 'pick' ? people[Number(input) - 1] : people[step.index];
  if (!option || !person) return { step, handled: name !== undefined };
  if (name === 'pick' || name === 'select') return advance(question, option, person);
  // Refusing an approval or an acknowledgement is an answer too; it asks for the reason.
  if (name === 'reject' && (option.kind === 'approve' || option.kind === 'acknowledge')) return done({ step: 'reason', kind: option.kind, person, refusal: true, text: '' });
  return { step, handled: false };
}

function typing(question: Question, step: Extract<PromptStep, { step: 'tag' | 'reason' }>, input: string, key: Key, tag: string): Outcome {
  const name = pressed(input, key, ['select', 'back', 'erase']);
  if (name === 'back') return done(step.person && step.step === 'tag' ? { step: 'people', kind: step.kind, index: 0 } : initialStep(question));
  if (name === 'erase') return done({ ...step, text: step.text.slice(0, -1), error: undefined });
  if (name !== 'select') {
    const text = typedText(input, key);
    return text ? done({ ...step, text: step.text + text, error: undefined }) : { step, handled: false };
  }
  const typed = step.text.trim();
  if (step.step === 'tag') {
    if (typed !== tag) return done({ ...step, text: '', error: `"${typed}" is not the release tag ${tag}; nothing was sent` });
    return done(initialStep(question), { kind: step.kind, person: step.person, refusal: false });
  }
  if (typed === '') return done({ ...step, error: 'a reason is required; it goes into the report' });
  const option = optionOf(question, step.kind);
  if (!step.refusal && option?.confirm) return done({ step: 'confirm', kind: step.kind, person: step.person });
  return done(initialStep(question), { kind: step.kind, person: step.person, refusal: step.refusal, reason: typed });
}

/** One keypress in the prompt. `tag` is the release tag an approval must type. */
export function promptKey(question: Question, step: PromptStep, input: string, key: Key, tag: string): Outcome {
  switch (step.step) {
    case 'options':
      return choosing(question, step, input, key);
    case 'people':
      return picking(question, step, input, key);
    case 'tag':
    case 'reason':
      return typing(question, step, input, key, tag);
    case 'confirm': {
      const name = pressed(input, key, ['yes', 'no']);
      if (name === 'yes') return done(initialStep(question), { kind: step.kind, person: step.person, refusal: false });
      if (name === 'no') return done(initialStep(question));
      return { step, handled: false };
    }
  }
}

/** Starts a decision from a global key (`r`, `x`); undefined when the chart does not offer it now. */
export function startDecision(question: Question | undefined, kind: DecisionKind): Outcome | undefined {
  const option = question && optionOf(question, kind);
  return option && question ? advance(question, option) : undefined;
}

export const isTyping = (step: PromptStep): boolean => step.step === 'tag' || step.step === 'reason';
