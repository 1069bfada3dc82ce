import { useInput, type Key } from 'ink';
import { useCallback, useLayoutEffect, useRef } from 'react';

/** A paste or a fast terminal delivers "v2.4.0\r" as one chunk: replay it as text, then Enter. */
function splitChunk(input: string, key: Key): Array<[string, Key]> {
  if (input.length < 2 || !/[\r\n]/.test(input)) return [[input, key]];
  const plain: Key = { ...key, return: false };
  const events: Array<[string, Key]> = [];
  for (const [index, part] of input.split(/\r\n|\r|\n/).entries()) {
    if (index > 0) events.push(['\r', { ...plain, return: true }]);
    if (part !== '') events.push([part, plain]);
  }
  return events;
}

/**
 * useInput with a subscription that never changes. Ink re-subscribes a changed
 * handler in a passive effect, which can run after the next keystroke; here the
 * latest handler is swapped in synchronously at commit instead.
 */
export function useKeypress(handler: (input: string, key: Key) => void): void {
  const latest = useRef(handler);
  useLayoutEffect(() => {
    latest.current = handler;
  });
  const stable = useCallback((input: string, key: Key) => {
    for (const [text, parsed] of splitChunk(input, key)) latest.current(text, parsed);
  }, []);
  useInput(stable);
}
