/** A source's answer: a number, or one line saying why there is none. */
export type Reading = { value: number; error?: undefined } | { error: string; value?: undefined };

/** The most of a peer's text (a value, a label, an error) a reading's error quotes. */
export const QUOTE_LIMIT = 200;

/**
 * A peer's text as one short line: control characters and runs of white space become
 * one space (a `\n` escape before a token would hide it from masking), and past `limit`
 * it is cut at a space where there is one, so a token is kept whole or left out.
 */
export function peerText(text: string, limit = QUOTE_LIMIT): string {
  const plain = text.replace(/[\s\x00-\x1f\x7f-\x9f]+/g, ' ');
  if (plain.length <= limit) return plain;
  const space = plain.lastIndexOf(' ', limit);
  return `${plain.slice(0, space > limit / 2 ? space : limit)}…`;
}

/** peerText in JSON quotes, which show where the peer's words begin and end. */
export const quoted = (text: string, limit = QUOTE_LIMIT): string => JSON.stringify(peerText(text, limit));
