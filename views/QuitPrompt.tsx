import { Box } from 'ink';
import { Line } from './Line.js';


export const QUIT_PROMPT_LINES = 3;

/** `q` while the session runs: leaving is allowed, and says how to come back. */
export function QuitPrompt({ resumeCommand }: { resumeCommand: string }) {
  return (
    <Box flexDirection="column">
      <Line tone="waiting">Quit the console? The release stops where it stands and stays resumable.</Line>
      <Line tone="muted">Resume: {resumeCommand}</Line>
      <Line tone="waiting">y quit · n stay</Line>
    </Box>
  );
}
