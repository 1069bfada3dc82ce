import { memo } from 'react';
import { Line, Span } from './Line.js';

/** The keys valid now, from keys.ts; a short notice takes the line when there is one. */
export const KeyBar = memo(function KeyBar({ keys }: { keys: Array<{ keys: string; does: string }> }) {
  return (
    <Line>
      {keys.map(({ keys: label, does }, i) => (
        <Span key={label + does}>
          {i > 0 ? '  ' : ''}
          <Span tone="accent">{label}</Span> <Span tone="muted">{does}</Span>
        </Span>
      ))}
    </Line>
  );
});
