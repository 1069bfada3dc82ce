import { Box } from 'ink';
import { Line, PaneTitle } from './Line.js';
import type { Tone } from './theme.js';
import type { TailWindow } from './useTailWindow.js';

export interface AnnouncementLogProps {
  view: TailWindow<string>;
  total: number;
  height: number;
  focused: boolean;
}

/** The protocol's status lines carry their kind in brackets; the tone follows it. */
function toneOf(text: string): Tone {
  if (/ERROR|GATE FAILED|ROLLBACK|ESCALATION|ABORTED/.test(text)) return 'fail';
  if (/GATE PASSED|COMPLETE\]/.test(text)) return 'pass';
  if (/APPROVAL REQUEST|acknowledge\?|GATE INCONCLUSIVE/.test(text)) return 'waiting';
  return 'text';
}

/** The last announcements, as they went to the communication log and the webhooks. */
export function AnnouncementLog({ view, total, height, focused }: AnnouncementLogProps) {
  return (
    <Box flexDirection="column" height={height} overflow="hidden">
      <PaneTitle focused={focused}>
        Announcements · {total}
        {view.following ? '' : ` · ${view.below} newer`}
      </PaneTitle>
      {view.lines.map((text, i) => (
        <Line key={i} tone={toneOf(text)}>
          {text}
        </Line>
      ))}
    </Box>
  );
}
