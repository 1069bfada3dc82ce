import { Box } from 'ink';
import { memo } from 'react';
import type { Outcome } from '../machines/types.js';
import type { Activity, PhaseStatus } from './describe.js';
import { Line, Span } from './Line.js';
import { ProgressBar } from './ProgressBar.js';
import { Spinner } from './Spinner.js';
import { glyph, type Tone } from './theme.js';

export interface PhaseTimelineProps {
  phases: Array<{ number: number; title: string; status: PhaseStatus }>;
  step: string;
  activity: Activity;
  /** Deployment progress once production has started. */
  progress?: { done: number; total: number };
  outcome?: Outcome;
}

const ACTIVITY_LOOK: Record<Activity, { glyph: string; tone: Tone }> = {
  running: { glyph: glyph.running, tone: 'running' },
  waiting: { glyph: glyph.waiting, tone: 'waiting' },
  halted: { glyph: glyph.fail, tone: 'fail' },
  done: { glyph: glyph.pass, tone: 'pass' },
};

function phaseLook(status: PhaseStatus, activity: Activity): { glyph: string; tone: Tone } {
  if (status === 'current') return ACTIVITY_LOOK[activity];
  if (status === 'done') return { glyph: glyph.pass, tone: 'pass' };
  if (status === 'stopped') return { glyph: glyph.fail, tone: 'fail' };
  return { glyph: glyph.pending, tone: 'muted' };
}

/** The protocol's four phases, then the current step with a spinner while it runs and the deployment progress. */
export const PhaseTimeline = memo(function PhaseTimeline({ phases, step, activity, progress, outcome }: PhaseTimelineProps) {
  const look = activity === 'done' && outcome !== 'released' ? { glyph: outcome === 'rolled-back' ? glyph.rollback : glyph.fail, tone: 'fail' as const } : ACTIVITY_LOOK[activity];
  return (
    <>
      <Line>
        {phases.map(({ number, title, status }, i) => (
          <Span key={number} tone={phaseLook(status, activity).tone}>
            {i > 0 ? ' ─ ' : ''}
            {phaseLook(status, activity).glyph} {number} {title}
          </Span>
        ))}
      </Line>
      <Box>
        <Box flexGrow={1} flexShrink={1}>
          <Line tone={look.tone}>
            {look.glyph} {step} {activity === 'halted' ? '— halted' : activity === 'waiting' ? '— waiting' : ''}
          </Line>
        </Box>
        {activity === 'running' ? (
          <Box flexShrink={0} marginLeft={1}>
            <Spinner />
          </Box>
        ) : null}
        {progress ? (
          <Box flexShrink={0} marginLeft={1}>
            <ProgressBar done={progress.done} total={progress.total} />
          </Box>
        ) : null}
      </Box>
    </>
  );
});
