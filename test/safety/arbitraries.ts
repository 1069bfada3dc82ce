import fc from 'fast-check';

/** Fragments terminals react to, mixed into arbitrary text by the property tests. */
const controlFragments = fc.constantFrom(
  '\x1b[31m',
  '\x1b[0m',
  '\x1b[2J',
  '\x1b[10;5H',
  '\x1b[?1049h',
  '\x1b]0;pwned\x07',
  '\x1b]8;;https://evil.example\x1b\\',
  '\x1b]52;c;aGVsbG8=\x07',
  '\x1bP+q544e\x1b\\',
  '\x1b_apc\x1b\\',
  '\x1b^pm\x1b\\',
  '\x1bXsos\x1b\\',
  '\x1b(B',
  '\x1bc',
  '\x1b',
  '\x9b31m',
  '\x9d0;title\x9c',
  '\x90dcs\x9c',
  '\x85',
  '\r',
  '\b',
  '\t',
  '\x00',
  '\x07',
  '\x7f',
);

/** Any text, with terminal control sequences and stray control characters mixed in. */
export const terminalText = fc
  .array(fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), controlFragments), { maxLength: 12 })
  .map((parts) => parts.join(''));

/** A secret as a plan would hold it: long enough to be masked, not a word of the mask itself. */
export const secretValue = fc.stringMatching(/^[A-Za-z0-9]{8,24}$/);
