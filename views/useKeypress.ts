import { useInput, type Key } from 'ink';
import { useCallback, useLayoutEffect, useRef } from 'react';

/** The key a single character stands for, as Ink reports it when the character arrives alone. */
function keyOf(char: string, base: Key): [string, Key] {
  const plain: Key = { ...base, return: false, tab: false, backspace: false, delete: false, ctrl: false, shift: false };
  if (char === '\r' || char === '\n') return ['\r', { ...plain, return: true }];
  if (char === '\t') return ['', { ...plain, tab: true }];
  if (char === '\u007F' || char === '\b') return ['', { ...plain, backspace: true }];
  const code = char.codePointAt(0)!;
  if (code < 0x20) return [String.fromCharCode(code + 0x60), { ...plain, ctrl: true }];
  return [char, { ...plain, shift: /^[A-Z]$/.test(char) }];
}

/**
 * Ink hands on one read of the terminal as one input. Over a slow link, or on a
 * busy host, keys typed quickly ("q" then "y") or a paste ("v2.4.0\r") arrive in
 * one read: replay them a character at a time, as if typed one by one.
 * Escape sequences (arrows, Alt+key) come from Ink already on their own.
 */
export function splitChunk(input: string, key: Key): Array<[string, Key]> {
  const chars = Array.from(input);
  if (chars.length < 2 || key.meta || key.escape) return [[input, key]];
  return chars.map((char) => keyOf(char, key));
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
