import { Box } from 'ink';
import { memo } from 'react';
import { Line } from './Line.js';
import type { WhyLine } from './why.js';

/** Why the session waits or halted: the rule, the values against it, who or what it waits for. */
export const WhyPanel = memo(function WhyPanel({ lines, height }: { lines: WhyLine[]; height: number }) {
  if (height <= 0 || lines.length === 0) return null;
  return (
    <Box flexDirection="column" height={height} overflow="hidden">
      {lines.slice(0, height).map((line, i) => (
        <Line key={i} tone={line.tone}>
          {line.text}
        </Line>
      ))}
    </Box>
  );
});
