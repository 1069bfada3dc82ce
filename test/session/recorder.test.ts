import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { readJournal } from '../../src/journal/journal.js';
import { Recorder } from '../../src/session/recorder.js';

it('journals nothing after the session has closed its journal, and does not crash', () => {
  const dir = mkdtempSync(join(tmpdir(), 'warroom-recorder-'));
  const recorder = new Recorder({ evidenceDir: dir, planFile: 'release.yaml', operator: 'root' });
  recorder.event('session.end', { exitCode: 0 }, true);
  recorder.close();
  // A metric round or an announcement that settles after the end must not reopen the chain.
  expect(() => recorder.event('metric', { metric: 'error_ratio', value: 0.01 })).not.toThrow();
  expect(() => recorder.announce('progress', 'late')).not.toThrow();
  const journal = readJournal(join(dir, 'journal.jsonl'));
  expect(journal.entries.map((e) => e.type)).toEqual(['session.end']);
  expect(readFileSync(join(dir, 'journal.jsonl'), 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
});
