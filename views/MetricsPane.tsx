import { Box } from 'ink';
import { memo } from 'react';
import { sparkline } from '../src/evidence/render/format.js';
import { formatDuration } from '../src/plan/duration.js';
import { Line, PaneTitle, Span } from './Line.js';
import type { MetricRow, MetricStatus } from './metricRows.js';
import { glyph, type Tone } from './theme.js';

export interface MetricsPaneProps {
  rows: MetricRow[];
  height: number;
  width: number;
  /** Milliseconds left in the soak window, while it runs. */
  soakLeftMs?: number;
  extensions: number;
}

const LOOK: Record<MetricStatus, { glyph: string; tone: Tone; word: string }> = {
  ok: { glyph: glyph.pass, tone: 'pass', word: 'ok' },
  breach: { glyph: glyph.fail, tone: 'fail', word: 'BREACH' },
  down: { glyph: glyph.fail, tone: 'fail', word: 'provider down' },
  unreadable: { glyph: glyph.inconclusive, tone: 'waiting', word: 'unreadable' },
  'no data': { glyph: glyph.pending, tone: 'muted', word: 'no data yet' },
};

const formatValue = (value: number | undefined) => (value === undefined ? '—' : String(Number(value.toPrecision(3))));

/** Value, threshold rule, sparkline and verdict per metric; a breach in the fail tone and in capitals. */
export const MetricsPane = memo(function MetricsPane({ rows, height, width, soakLeftMs, extensions }: MetricsPaneProps) {
  const ruleWidth = Math.max(...rows.map((r) => r.rule.length), 0);
  const sparkWidth = Math.max(0, width - ruleWidth - 28);
  const soak = soakLeftMs === undefined ? '' : ` · soak window ${formatDuration(soakLeftMs)} left${extensions ? ` (extended ×${extensions})` : ''}`;
  return (
    <Box flexDirection="column" height={height} width={width} overflow="hidden">
      <PaneTitle>
        Metrics{soak}
      </PaneTitle>
      {rows.slice(0, Math.max(0, height - 1)).map((row) => {
        const look = LOOK[row.status];
        return (
          <Line key={row.name} tone={look.tone}>
            {look.glyph} {row.rule.padEnd(ruleWidth)} now {formatValue(row.value).padStart(6)}
            {row.unit ? ` ${row.unit}` : ''} <Span tone="muted">{sparkline(row.recent.slice(-sparkWidth))}</Span> {look.word}
            {row.detail ? `: ${row.detail}` : ''}
          </Line>
        );
      })}
    </Box>
  );
});
