import { Box } from 'ink';
import { KEYS } from './keys.js';
import { Line, PaneTitle } from './Line.js';
import type { OutputLine } from './port.js';
import { useTheme, withoutColour } from './theme.js';
import type { TailWindow } from './useTailWindow.js';

export interface OutputPaneProps {
  view: TailWindow<OutputLine>;
  total: number;
  /** Lines including the title. */
  height: number;
  width: number;
  focused: boolean;
}

// Tabs would make the terminal and Ink disagree on the line's width.
const display = (text: string, colour: boolean) => (colour ? text : withoutColour(text)).replace(/\t/g, '    ');

/** The running step's output: the last lines of a bounded tail, following unless scrolled. */
export function OutputPane({ view, total, height, width, focused }: OutputPaneProps) {
  const theme = useTheme();
  const step = view.lines.at(-1)?.step;
  const mode = view.following ? 'following' : `paused, ${view.below} newer — ${KEYS.follow.keys} follows`;
  return (
    <Box flexDirection="column" height={height} width={width} overflow="hidden">
      <PaneTitle focused={focused}>
        Output{step ? ` · ${step}` : ''} · {total} line(s) · {mode}
      </PaneTitle>
      {view.lines.length === 0 ? <Line tone="muted">No output yet: a running command's output appears here; the full text goes to its log.</Line> : null}
      {view.lines.map((line, i) => (
        <Line key={i}>{display(line.text, theme.keepsOutputColour)}</Line>
      ))}
    </Box>
  );
}
