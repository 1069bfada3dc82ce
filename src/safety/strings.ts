// Masking and sanitising reach into parsed JSON (a journal event, a JSON artifact) the
// same way: every string, keys too, with lists of strings read as a whole when asked
// (an argv, where a flag and its value are two items).

/**
 * `value` with `text` applied to every string and `list` (when given) to every array of
 * strings: the same value when nothing changes, a copy otherwise.
 */
export function mapStrings<T>(value: T, text: (text: string) => string, list?: (items: readonly string[]) => string[]): T {
  if (typeof value === 'string') return text(value) as T;
  if (Array.isArray(value)) {
    if (list !== undefined && value.length > 0 && value.every((item) => typeof item === 'string')) {
      const mapped = list(value as string[]);
      return (mapped.some((item, i) => item !== value[i]) ? mapped : value) as T;
    }
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i += 1) {
      const item: unknown = value[i];
      const mapped = mapStrings(item, text, list);
      if (mapped !== item) (copy ??= [...value])[i] = mapped;
    }
    return (copy ?? value) as T;
  }
  if (value === null || typeof value !== 'object') return value;
  let changed = false;
  const entries = Object.entries(value).map(([key, item]: [string, unknown]) => {
    const mappedKey = text(key);
    const mapped = mapStrings(item, text, list);
    if (mappedKey !== key || mapped !== item) changed = true;
    return [mappedKey, mapped] as const;
  });
  // fromEntries defines properties: a `__proto__` key stays a key.
  return (changed ? Object.fromEntries(entries) : value) as T;
}
