import { Text } from 'ink';
import { useTheme } from './theme.js';

/** `[█████░░░░░] 1/2 steps`: block glyphs read without colour too. */
export function ProgressBar({ done, total, width = 10 }: { done: number; total: number; width?: number }) {
  const theme = useTheme();
  const filled = total === 0 ? 0 : Math.round((done / total) * width);
  return (
    <Text>
      [<Text {...theme.tone.pass}>{'█'.repeat(filled)}</Text>
      <Text {...theme.tone.muted}>{'░'.repeat(width - filled)}</Text>] {done}/{total} steps
    </Text>
  );
}
