import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createActor, toPromise } from 'xstate';
import { readJournal } from '../../src/journal/journal.js';
import { createOutputFilter } from '../../src/safety/output.js';
import { sessionActorImplementations } from '../../src/session/actors.js';
import { Recorder } from '../../src/session/recorder.js';

// A metric command that fails quotes what it printed in its error, and a check's
// detail may quote its output: those are output too, and are masked before they
// reach the journal or the evidence.

const TOKEN = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';

it('masks a secret quoted in a metric error and in a check detail before journaling them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warroom-actors-'));
  const filter = createOutputFilter({ values: [], patterns: [] });
  const recorder = new Recorder({ evidenceDir: dir, mask: filter.mask, planFile: 'release.yaml', operator: 'root' });
  const actors = sessionActorImplementations({
    planDir: dir,
    env: {},
    recorder,
    filter,
    print: () => {},
    track: (work) => work,
    checkpoint: () => {},
  });
  const print = `process.stdout.write('token=${TOKEN}\\n'); process.exit(1)`;
  // Exit 0 but not a number: the error quotes the line.
  const metric = { name: 'error_ratio', source: 'command' as const, run: [process.execPath, '-e', `process.stdout.write('${TOKEN}\\n')`], max: 1, breachesBeforeAction: 1 };
  const samples = await toPromise(createActor(actors.sampleMetrics, { input: { metrics: [metric] } }).start());
  const check = { name: 'smoke', run: [process.execPath, '-e', print] };
  const checked = await toPromise(createActor(actors.runChecks, { input: { stage: 'smoke', checks: [check], metrics: [] } }).start());
  recorder.close();

  expect(samples[0]?.error).toMatch(/\[masked:/);
  expect(samples[0]?.error).not.toContain(TOKEN.slice(0, 12));
  expect(checked.checks[0]?.detail).not.toContain(TOKEN.slice(0, 12));
  expect(samples[0]?.error).not.toContain(TOKEN);
  expect(checked.checks[0]?.detail).not.toContain(TOKEN);
  const journal = readFileSync(join(dir, 'journal.jsonl'), 'utf8');
  expect(journal).not.toContain(TOKEN);
  expect(journal).toContain('[masked:');
  expect(readJournal(join(dir, 'journal.jsonl')).brokenAt).toBeUndefined();
});
