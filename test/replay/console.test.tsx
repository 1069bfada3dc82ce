import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  // Ink prints only the last frame when it believes it runs in CI.
  delete process.env.CI;
});

import { statePath } from '../../machines/resume.js';
import type { GateResult } from '../../machines/types.js';
import { annotationsPathFor, loadAnnotations } from '../../src/replay/annotations.js';
import { replayConsole, ReplayController } from '../../src/replay/console.js';
import { loadRecording } from '../../src/replay/recording.js';
import { buildTimeline, type Timeline } from '../../src/replay/timeline.js';
import { fakeTerminal } from '../views/screen.js';
import { FIXTURES, readEntries, recording } from './recordings.js';

// Console replay re-drives the real chart from the journal and shows the real
// console; the replay's own keys move through the recording.

const timelineOf = async (name: (typeof FIXTURES)[number]): Promise<Timeline> => buildTimeline((await loadRecording(recording(name))).entries);

async function waitFor(ready: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`never saw ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A raw terminal's key input for replayConsole. */
function fakeKeys() {
  return Object.assign(new EventEmitter(), { setRawMode: () => {}, resume: () => {}, pause: () => {}, isTTY: true }) as unknown as NodeJS.ReadStream;
}

const controllers: ReplayController[] = [];
afterEach(() => {
  for (const controller of controllers.splice(0)) controller.finish();
});

describe('the chart re-driven from a recording', () => {
  it.each(FIXTURES)('%s: stands where the journal says at every transition, and ends where the session ended', async (name) => {
    const timeline = await timelineOf(name);
    expect(timeline.divergences).toEqual([]);
    const entries = readEntries(recording(name));
    for (const entry of entries.filter((e) => e.type === 'transition')) {
      const frame = timeline.frames.find((f) => f.seq === entry.seq)!;
      expect(statePath(frame.snapshot.value)).toBe((entry.data as { to: string }).to);
    }
    const end = entries.find((e) => e.type === 'session.end')!.data as { state: string };
    expect(statePath(timeline.frames.at(-1)!.snapshot.value)).toBe(end.state);
  });

  it.each(FIXTURES)('%s: evaluates every gate as the live session did', async (name) => {
    const timeline = await timelineOf(name);
    const journaled = readEntries(recording(name)).filter((e) => e.type === 'gate');
    expect(journaled.length).toBeGreaterThan(0);
    for (const entry of journaled) {
      const gate = entry.data as GateResult;
      const next = timeline.frames.find((f) => f.seq > entry.seq && f.snapshot.context.gates[gate.gate])!;
      const replayed = next.snapshot.context.gates[gate.gate]!;
      expect({ verdict: replayed.verdict, criteria: replayed.criteria }).toEqual({ verdict: gate.verdict, criteria: gate.criteria });
    }
  });

  it('records the waiver, with who gave it and why, as the live chart did', async () => {
    const timeline = await timelineOf('waiver');
    const { context } = timeline.frames.at(-1)!.snapshot;
    expect(context.waivers).toHaveLength(1);
    expect(context.waivers[0]).toMatchObject({ step: 'Reconfirm staging health', by: { name: 'Sam Okafor', role: 'sre' } });
    expect(context.waivers[0]!.reason).toContain('INC-4821');
  });
});

describe('replay keys', () => {
  const controller = async (speed: 1 | 'max' = 1) => {
    const c = new ReplayController(await timelineOf('clean'), { speed });
    controllers.push(c);
    return c;
  };

  it('space pauses and plays again', async () => {
    const c = await controller();
    c.start();
    expect(c.get().status.playing).toBe(true);
    c.press(' ');
    expect(c.get().status.playing).toBe(false);
    const frame = c.session.frameIndex;
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(c.session.frameIndex).toBe(frame);
    c.press(' ');
    expect(c.get().status.playing).toBe(true);
  });

  it('n jumps to the next phase, gate or decision', async () => {
    const c = await controller();
    const markers = c.timeline.markers;
    c.press('n');
    expect(c.session.frame.index).toBe(markers.find((m) => m.index > 0)!.index);
    c.press('n');
    expect(c.session.frame.index).toBe(markers.filter((m) => m.index > 0)[1]!.index);
  });

  it('b and ← go back, f and → forward, 10 seconds of the recording at a time', async () => {
    const c = await controller();
    c.press('f');
    expect(c.session.frame.at).toBeGreaterThan(0);
    expect(c.session.frame.at).toBeLessThanOrEqual(10_000);
    c.press('\u001B[C');
    const forward = c.session.frame.at;
    expect(forward).toBeGreaterThan(10_000);
    c.press('\u001B[D');
    expect(c.session.frame.at).toBeLessThan(forward);
    c.press('b');
    c.press('b');
    expect(c.session.frameIndex).toBe(0);
  });

  it('+ and - change the speed; at max the replay runs to the end at once', async () => {
    const c = await controller();
    c.press('+');
    expect(c.get().status.speed).toBe('2x');
    c.press('-');
    c.press('-');
    expect(c.get().status.speed).toBe('0.5x');
    const fast = await controller('max');
    fast.start();
    await waitFor(() => fast.get().status.ended, 'the end');
    expect(fast.session.getSnapshot().matches('complete')).toBe(true);
  });

  it('seeking back shows the recording as it was then: output, announcements and state', async () => {
    const c = await controller('max');
    c.start();
    await waitFor(() => c.get().status.ended, 'the end');
    const end = { output: c.session.output.total, announcements: c.session.announcements.total };
    c.press('b');
    expect(c.session.output.total).toBeLessThanOrEqual(end.output);
    expect(c.session.announcements.total).toBeLessThan(end.announcements);
    expect(c.session.getSnapshot().matches('complete')).toBe(false);
  });

  it('training stops at each decision point until it is answered, and goes on after any key', async () => {
    const loaded = await loadRecording(recording('clean'));
    const annotations = await loadAnnotations(annotationsPathFor(recording('clean')), loaded);
    const c = new ReplayController(await buildTimeline(loaded.entries), { speed: 'max', annotations });
    controllers.push(c);
    c.start();
    await waitFor(() => c.get().training !== undefined, 'the first question');
    expect(c.session.frame.seq).toBe(annotations.decisions[0]!.seq);
    c.press('f');
    expect(c.session.frame.seq).toBe(annotations.decisions[0]!.seq);
    c.press('1');
    expect(c.get().training!.feedback![0]).toBe('✔ Right: acknowledge.');
    c.press(' ');
    await waitFor(() => c.get().training?.number === 2 && !c.get().training?.feedback, 'the second question');
    c.press('2');
    expect(c.get().training!.feedback![0]).toBe('✘ You chose reject; the expected decision is approve.');
    c.press('x');
    await waitFor(() => c.get().training?.score !== undefined, 'the score');
    expect(c.get().training!.score).toMatch(/^Score: 1\/2, pass mark 100%: NOT PASSED/);
    expect(c.result().passed).toBe(false);
    expect(c.result().debrief).toContain('✘ 2. Production approval: you: reject, expected approve (as the session did)');
  });
});

describe('warroom replay at a terminal', () => {
  it('shows the recorded console with the replay bar in place of its key bar, and q leaves', async () => {
    const terminal = fakeTerminal(80, 24);
    const keys = fakeKeys();
    const done = replayConsole(await loadRecording(recording('failing-smoke')), { speed: 'max', stdout: terminal.stdout, keys });
    await waitFor(() => terminal.text().includes('Rolled back'), 'the rolled-back ending');
    const text = terminal.text();
    expect(text).toContain('WARROOM checkout-api v2.4.1-bad');
    expect(text).toMatch(/REPLAY ended/);
    keys.emit('data', 'q');
    await expect(done).resolves.toEqual({ passed: true });
  });
});
