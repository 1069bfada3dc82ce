// A long recording made from a short real one: the journal of a real session with a
// soak window, its metric rounds repeated once a second until the window lasts as long
// as asked, everything after it moved later, the hash chain written anew. What replay
// reads is then a journal of the shape a real hour-long release leaves.

import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

const GENESIS = '0'.repeat(64);
const sha256 = (text) => createHash('sha256').update(text).digest('hex');

const isSoakEntry = (entry) => entry.type === 'transition' && entry.data?.to === 'stabilisation.soak';

/**
 * Reads `journalPath`, stretches its soak window to `seconds` (one round of metric
 * samples a second) and writes the result to `outPath`. Returns what was written.
 */
export function stretchRecording(journalPath, outPath, seconds) {
  const entries = readFileSync(journalPath, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
  const soakAt = entries.findIndex(isSoakEntry);
  if (soakAt < 0) throw new Error(`${journalPath}: no soak window in this journal`);
  let end = soakAt + 1;
  while (end < entries.length && entries[end].type === 'metric') end += 1;
  const samples = entries.slice(soakAt + 1, end);
  const names = new Set(samples.map((entry) => entry.data.metric));
  const round = samples.slice(0, names.size);
  if (round.length === 0) throw new Error(`${journalPath}: the soak window has no samples`);

  const soakStart = Date.parse(entries[soakAt].ts);
  const shift = (iso, ms) => new Date(Date.parse(iso) + ms).toISOString();
  const stretched = entries.slice(0, soakAt + 1);
  for (let second = 0; second < seconds; second += 1) {
    for (const sample of round) {
      const offset = soakStart + second * 1000 - Date.parse(round[0].ts) + 5;
      stretched.push({ ...sample, ts: shift(sample.ts, offset), data: { ...sample.data, at: shift(sample.data.at, offset) } });
    }
  }
  const rest = entries.slice(end);
  const delta = rest.length > 0 ? soakStart + seconds * 1000 - Date.parse(rest[0].ts) : 0;
  for (const entry of rest) stretched.push({ ...entry, ts: shift(entry.ts, delta) });

  let prev = GENESIS;
  const lines = stretched.map((entry, index) => {
    const line = JSON.stringify({ seq: index + 1, ts: entry.ts, type: entry.type, prev, data: entry.data });
    prev = sha256(line);
    return line;
  });
  writeFileSync(outPath, `${lines.join('\n')}\n`);
  const first = Date.parse(stretched[0].ts);
  const last = Date.parse(stretched.at(-1).ts);
  return { entries: lines.length, bytes: Buffer.byteLength(lines.join('\n')) + 1, durationMs: last - first, samples: seconds * round.length };
}
