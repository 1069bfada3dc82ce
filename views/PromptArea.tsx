import { Box } from 'ink';
import type { Person } from '../machines/types.js';
import type { DecisionKind, DecisionOption, Question } from './decisions.js';
import { KEYS } from './keys.js';
import { Line, Span } from './Line.js';
import type { PromptStep } from './promptFlow.js';
import { glyph } from './theme.js';
import type { Notice } from './useConsoleState.js';

export interface PromptAreaProps {
  question: Question;
  step: PromptStep;
  notice?: Notice;
  tag: string;
  release: string;
  operator: string;
  focused: boolean;
}

const PEOPLE_SHOWN = 4;
const VERB: Record<DecisionKind, string> = {
  approve: 'approve',
  acknowledge: 'acknowledge',
  retry: 'retry',
  waive: 'waive',
  rollback: 'roll back',
  abort: 'abort',
  extend: 'extend the soak window',
};

/** Lines the prompt needs: its title, its body, and a line for what just happened. */
export function promptLines(question: Question, step: PromptStep): number {
  const people = step.step === 'people' ? (question.options.find((o) => o.kind === step.kind)?.people?.length ?? 0) : 1;
  return 2 + Math.max(1, Math.min(PEOPLE_SHOWN, people));
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const personLabel = (p: Person, operator: string) => `${p.name} (${p.role}, ${p.user})${p.user === operator ? ' — you' : ''}`;

function Options({ options, index }: { options: DecisionOption[]; index: number }) {
  if (options.length === 0) return <Line tone="muted">Nothing can be decided here: fix the cause, then {KEYS.quit.keys} leaves the session resumable.</Line>;
  return (
    <Line>
      {options.map((option, i) => (
        <Span key={option.kind} selected={i === index} tone={i === index ? 'accent' : 'text'}>
          {i === index ? ` ${glyph.pointer}` : '  '}
          {i + 1} {option.label}{' '}
        </Span>
      ))}
    </Line>
  );
}

function People({ people, index, operator }: { people: Person[]; index: number; operator: string }) {
  if (people.length === 0) return <Line tone="muted">No stakeholder can answer this from the console.</Line>;
  const first = Math.min(Math.max(0, index - PEOPLE_SHOWN + 1), Math.max(0, people.length - PEOPLE_SHOWN));
  return (
    <>
      {people.slice(first, first + PEOPLE_SHOWN).map((person, i) => (
        <Line key={person.user + person.role} selected={first + i === index} tone={first + i === index ? 'accent' : 'text'}>
          {first + i === index ? glyph.pointer : ' '} {first + i + 1} {personLabel(person, operator)}
        </Line>
      ))}
    </>
  );
}

function Body({ question, step, tag, release, operator }: Omit<PromptAreaProps, 'notice' | 'focused'>) {
  switch (step.step) {
    case 'options':
      return <Options options={question.options} index={step.index} />;
    case 'people':
      return <People people={question.options.find((o) => o.kind === step.kind)?.people ?? []} index={step.index} operator={operator} />;
    case 'tag':
      return (
        <Line>
          {VERB[step.kind]} as {step.person.name}: type the release tag <Span tone="accent">{tag}</Span>, then Enter: {step.text}
          {glyph.cursor}
        </Line>
      );
    case 'reason':
      return (
        <Line>
          {step.refusal ? `Why does ${step.person?.name} refuse` : `Reason for the waiver by ${step.person?.name}`}: {step.text}
          {glyph.cursor}
        </Line>
      );
    case 'confirm':
      return (
        <Line tone="fail">
          {capitalised(VERB[step.kind])} {release} now{step.person ? `, by ${step.person.name}` : ''}? y confirm · n cancel
        </Line>
      );
  }
}

/** The inline question: choose, pick the person, type the tag or a reason, confirm. */
export function PromptArea(props: PromptAreaProps) {
  const { question, step, notice, focused } = props;
  const error = 'error' in step ? step.error : undefined;
  const title = step.step === 'people' ? `${question.title} Who ${VERB[step.kind]}s?` : question.title;
  return (
    <Box flexDirection="column">
      <Line tone={question.kind === 'halt' ? 'fail' : 'waiting'}>
        {focused ? `${glyph.pointer} ` : '  '}
        {title}
      </Line>
      <Body {...props} />
      {error ? <Line tone="fail">{`${glyph.fail} ${error}`}</Line> : <Line tone={notice?.tone ?? 'muted'}>{notice?.text ?? ' '}</Line>}
    </Box>
  );
}
