import type { SessionEvent } from '../../machines/types.js';
import type { Plan } from '../../src/plan/schema.js';
import { RingTail } from '../../src/session/tail.js';
import type { ConsoleSession, OutputLine } from '../../views/port.js';
import { startRelease, testPlan, type Script } from '../machines/harness.js';

// A ConsoleSession over the real release chart, driven by the machines' test
// harness (scripted actors, no processes, the clock is whatever the test sends).

export interface FakeSession extends ConsoleSession {
  output: RingTail<OutputLine>;
  announcements: RingTail<string>;
  /** Every event the console sent, accepted or not. */
  sent: SessionEvent[];
  release: ReturnType<typeof startRelease>;
}

export function fakeSession(plan: Plan = testPlan(), script: Script = {}, operator = 'operator'): FakeSession {
  const release = startRelease(plan, script, operator);
  const { actor } = release;
  const announcements = new RingTail<string>(200);
  for (const text of release.announcements()) announcements.push(text);
  actor.on('announce', (event) => announcements.push(event.text));
  const sent: SessionEvent[] = [];
  return {
    release,
    output: new RingTail<OutputLine>(2_000),
    announcements,
    sent,
    operator,
    evidenceDir: '/evidence/checkout-api',
    resumeCommand: 'warroom resume v2.4.0-test',
    attendees: () => [],
    getSnapshot: () => actor.getSnapshot(),
    subscribe: (listener) => {
      const subscription = actor.subscribe(() => listener());
      return () => subscription.unsubscribe();
    },
    send: (event) => {
      sent.push(event);
      if (!actor.getSnapshot().can(event)) return false;
      actor.send(event);
      return true;
    },
  };
}
