import { Box } from 'ink';
import { HELP, KEYS } from './keys.js';
import { Line, PaneTitle, Span } from './Line.js';

const PROMPTS = [
  'Approve/acknowledge: pick who answers (↑↓ Enter), type the release tag, Enter.',
  'Halts: retry, waive (an approver and a reason), roll back or abort, as allowed.',
  'q leaves the console; the session stays resumable (warroom resume).',
];

function Group({ title, keys }: (typeof HELP)[number]) {
  return (
    <>
      <Line tone="accent">{title}</Line>
      {keys.map((name) => (
        <Line key={name}>
          {'  '}
          <Span tone="accent">{KEYS[name].keys.padEnd(5)}</Span> {KEYS[name].does}
        </Line>
      ))}
    </>
  );
}

/** `?`: every key and how prompts are answered, in two columns; any key closes it. */
export function HelpOverlay({ height }: { height: number }) {
  const half = Math.ceil(HELP.length / 2);
  return (
    <Box flexDirection="column" height={height} overflow="hidden">
      <PaneTitle focused>Help · any key closes</PaneTitle>
      {PROMPTS.map((text) => (
        <Line key={text}>{text}</Line>
      ))}
      <Box>
        {[HELP.slice(0, half), HELP.slice(half)].map((column, i) => (
          <Box key={i} flexDirection="column" width="50%">
            {column.map((group) => (
              <Group key={group.title} {...group} />
            ))}
          </Box>
        ))}
      </Box>
    </Box>
  );
}
