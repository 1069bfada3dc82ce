import { Text } from 'ink';
import type { ReactNode } from 'react';
import { useTheme, type Tone } from './theme.js';

// One screen line in a tone. Lines never wrap: a pane's height is its line
// count, so the frame keeps the height the layout gave it.

export function Line({ tone = 'text', selected = false, children }: { tone?: Tone; selected?: boolean; children: ReactNode }) {
  const theme = useTheme();
  const style = selected ? { ...theme.tone[tone], ...theme.selected } : theme.tone[tone];
  return (
    <Text wrap="truncate-end" {...style}>
      {children}
    </Text>
  );
}

/** A run of text inside a Line, in its own tone. */
export function Span({ tone = 'text', selected = false, children }: { tone?: Tone; selected?: boolean; children: ReactNode }) {
  const theme = useTheme();
  const style = selected ? { ...theme.tone[tone], ...theme.selected } : theme.tone[tone];
  return <Text {...style}>{children}</Text>;
}

/** A pane's title line: a marker and the accent when the pane has the keyboard. */
export function PaneTitle({ focused = false, children }: { focused?: boolean; children: ReactNode }) {
  return (
    <Line tone={focused ? 'accent' : 'muted'}>
      {focused ? '▸ ' : '─ '}
      {children}
    </Line>
  );
}
