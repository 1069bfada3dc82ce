import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { CLI, REPO } from './demo.js';
import { TmuxScreen } from './tmux.js';

// A recorded release played back on the real console in a real terminal: nothing runs,
// the war room goes through the release as it happened, and q leaves.

let screen: TmuxScreen | undefined;
afterEach(() => screen?.close());

it('replays a recorded rollback on the console at 80x24, to its ending, and quits on q', async () => {
  const recording = join(REPO, 'fixtures/recordings/failing-smoke.jsonl');
  const term = (screen = new TmuxScreen(`node ${CLI} replay ${recording} --speed 50`, 80, 24));
  const first = await term.waitFor((s) => s.includes('WARROOM checkout-api'));
  for (const line of first.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  const end = await term.waitFor((s) => /rolled back/i.test(s), 60_000);
  expect(end).toContain('G3 ✘ fail');
  term.keys('q');
  await term.waitFor((s) => s.includes('[exit 0]'));
}, 90_000);
