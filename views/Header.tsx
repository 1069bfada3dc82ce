import { memo } from 'react';
import { formatDuration } from '../src/plan/duration.js';
import type { SessionContext } from '../machines/types.js';
import type { GateState } from './describe.js';
import { Line, Span } from './Line.js';
import { glyph, type Tone } from './theme.js';

export interface HeaderProps {
  context: SessionContext;
  stage: string;
  elapsedMs: number;
  gates: Array<{ short: string; state: GateState }>;
  /** How many people are attached from other terminals. */
  attached: number;
}

const GATE_LOOK: Record<GateState, { glyph: string; tone: Tone; word: string }> = {
  pass: { glyph: glyph.pass, tone: 'pass', word: 'pass' },
  fail: { glyph: glyph.fail, tone: 'fail', word: 'fail' },
  inconclusive: { glyph: glyph.inconclusive, tone: 'waiting', word: 'inconclusive' },
  pending: { glyph: glyph.pending, tone: 'muted', word: 'pending' },
};

// Whole seconds: a console that counts milliseconds only looks busy.
const elapsed = (ms: number) => (ms < 1_000 ? '0s' : formatDuration(Math.floor(ms / 1_000) * 1_000));

/** Release, tag, environment, phase, elapsed time, and the four gates with a glyph and a word each. */
export const Header = memo(function Header({ context, stage, elapsedMs, gates, attached }: HeaderProps) {
  const { release, announce } = context.plan;
  return (
    <>
      <Line>
        <Span tone="accent">{announce.prefix}</Span> {release.name} {release.tag} → {release.environment} │ {stage} │ ⏱ {elapsed(elapsedMs)}
      </Line>
      <Line>
        <Span tone="muted">Gates</Span>
        {gates.map(({ short, state }) => (
          <Span key={short} tone={GATE_LOOK[state].tone}>
            {'  '}
            {short} {GATE_LOOK[state].glyph} {GATE_LOOK[state].word}
          </Span>
        ))}
        <Span tone="muted">
          {'  '}│ {context.operator.user}
          {attached > 0 ? ` +${attached} attached` : ''}
        </Span>
      </Line>
    </>
  );
});
