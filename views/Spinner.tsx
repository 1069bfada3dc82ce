import { Text } from 'ink';
import { useTheme } from './theme.js';
import { useTick } from './useTick.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** Turns on the shared tick; mounted only while something runs, so an idle console does not redraw. */
export function Spinner() {
  const frame = useTick();
  const theme = useTheme();
  return <Text {...theme.tone.running}>{FRAMES[frame % FRAMES.length]}</Text>;
}
