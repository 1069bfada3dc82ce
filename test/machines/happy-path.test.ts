import { describe, expect, it } from 'vitest';
import { sendSamples, startRelease, stateOf, tick, until, walkToSoak } from './harness.js';

describe('a clean release', () => {
  it('walks all four phases and hands off to Protocol 19', async () => {
    const { actor, announcements, commands } = startRelease();
    await walkToSoak(actor);
    sendSamples(actor, 'error_ratio', [0.01, 0.01, 0.01]);
    actor.send(tick(10_000));
    const final = await until(actor, 'complete');
    expect(final.status).toBe('done');
    expect(commands.map((c) => c.name)).toEqual(['freeze-lock', 'dry-run', 'canary-10', 'promote-100', 'freeze-unlock']);
    expect(Object.values(final.context.gates).map((g) => g?.verdict)).toEqual(['pass', 'pass', 'pass', 'pass']);
    const lines = announcements();
    expect(lines[0]).toBe('[WARROOM | PHASE 1 START] - Verifying deployment readiness artifacts...');
    expect(lines).toContain('[WARROOM | PHASE 4 COMPLETE] - Deployment report compiled. Evidence: DEPLOYMENT-REPORT.md.');
    expect(lines.at(-1)).toBe('[WARROOM | PROTOCOL COMPLETE] Ready for Protocol 19: Monitoring & Observability');
    expect(lines.filter((l) => l.includes('ANNOUNCEMENT'))).toHaveLength(3);
    expect(stateOf(final)).toBe('complete');
  });
});
