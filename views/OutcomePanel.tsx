import { Box } from 'ink';
import type { SessionContext } from '../machines/types.js';
import { Line } from './Line.js';
import { glyph, type Tone } from './theme.js';
import { wrapWhy } from './why.js';

/** Lines the ending takes: what happened, why (two lines at most), the evidence, how to leave. */
export const OUTCOME_LINES = 5;

function summary(context: SessionContext): { tone: Tone; text: string; detail: string } {
  const release = `${context.plan.release.name} ${context.plan.release.tag}`;
  switch (context.outcome) {
    case 'released':
      return { tone: 'pass', text: `${glyph.pass} Released ${release} to ${context.plan.release.environment}`, detail: 'All four gates passed; handed off to monitoring (Protocol 19).' };
    case 'rolled-back':
      return { tone: 'fail', text: `${glyph.rollback} Rolled back ${release}`, detail: `Why: ${context.rollback?.reason ?? 'rollback'}. Escalated to Protocol 20.` };
    default: {
      const last = context.decisions.at(-1);
      const detail = last ? `At ${last.step}${last.by ? `, by ${last.by.name}` : ''}${last.reason ? `: ${last.reason}` : ''}.` : 'Aborted.';
      return { tone: 'fail', text: `${glyph.fail} Aborted ${release}`, detail };
    }
  }
}

/** The ending: what happened and where the evidence is; any key leaves. */
export function OutcomePanel({ context, evidenceDir, width }: { context: SessionContext; evidenceDir: string; width: number }) {
  const { tone, text, detail } = summary(context);
  return (
    <Box flexDirection="column">
      <Line tone={tone}>{text}</Line>
      {wrapWhy([{ tone: 'text', text: detail }], width, 2).map((line, i) => (
        <Line key={i}>{line.text}</Line>
      ))}
      <Line>Evidence: {evidenceDir}</Line>
      <Line tone="muted">Press any key to exit.</Line>
    </Box>
  );
}
