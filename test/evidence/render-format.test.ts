import { describe, expect, it } from 'vitest';
import { code, commandLine, inline, json, sparkline, table } from '../../src/evidence/render/format.js';
import { renderArtifact } from '../../src/evidence/render/index.js';
import { acknowledge, sendUnreadableSamples, startRelease, until, walkToSoak } from '../machines/harness.js';

const extras = { generatedAt: '2026-11-24T10:05:00.000Z', planFile: 'release.yaml', operator: 'Olive Operator (operator)', communicationLog: [], files: [] };

describe('render helpers', () => {
  it('shows argv as a release engineer would type it, quoting only what needs it', () => {
    expect(commandLine(['scripts/deploy_backend.sh', '--env', 'production', '--release=v2.4.0'])).toBe('scripts/deploy_backend.sh --env production --release=v2.4.0');
    expect(commandLine(['bash', '-c', "echo 'hi' && exit 1"])).toBe(`bash -c 'echo '\\''hi'\\'' && exit 1'`);
    expect(commandLine(['printf', '', 'a b'])).toBe("printf '' 'a b'");
  });

  it('draws a sparkline scaled between the series min and max', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([5, 5, 5])).toBe('▁▁▁');
    expect(sparkline([])).toBe('');
  });

  it('writes JSON with two-space indent and a trailing newline', () => {
    expect(json({ a: [1] })).toBe('{\n  "a": [\n    1\n  ]\n}\n');
  });

  it('keeps a table cell on one line with its pipes escaped', () => {
    expect(table(['A'], [['x | y\nz']])).toBe('| A |\n|---|\n| x \\| y z |');
  });

  it('writes session text so it cannot open an HTML comment that hides the rest of a rendered report', () => {
    expect(inline('deploy failed <!-- the rest is hidden')).toBe('deploy failed &lt;!-- the rest is hidden');
    expect(table(['Reason'], [['exit 1 <script>']])).toBe('| Reason |\n|---|\n| exit 1 &lt;script> |');
    // A code span shows `<` as it is: there it opens nothing.
    expect(code('a <b>')).toBe('`a <b>`');
  });
});

describe('evidence mid-session', () => {
  it('lists outstanding freeze roles by name while acknowledgements are pending', async () => {
    const { actor, announcements } = startRelease();
    await until(actor, 'acknowledging');
    actor.send(acknowledge('Sam Okafor', 'sre', 'sam'));
    const freeze = renderArtifact('freeze-confirmation', actor.getSnapshot().context, { ...extras, communicationLog: announcements() });
    expect(freeze).toContain('**Status: waiting** — outstanding: qa (Dana Ortiz).');
    expect(freeze).toContain('| Sam Okafor | sre | sam | ✔ acknowledged | 2026-11-24T10:00:00.000Z | file |  |');
    expect(freeze).toContain('- Lock command: `lock` — exit code 0, log [logs/freeze-lock.log](logs/freeze-lock.log)');
    expect(freeze).toContain('Change freeze in effect. All teams acknowledge?');
  });

  it('writes a gate that was not reached as not evaluated rather than inventing a verdict', () => {
    const { actor } = startRelease();
    const gate = JSON.parse(renderArtifact('gate:launch', actor.getSnapshot().context, extras));
    expect(gate).toMatchObject({ gate: 'launch', verdict: 'not-evaluated', tag: 'v2.4.0' });
  });

  it('logs an unreadable metric source as "metrics provider down" and rolls back', async () => {
    const { actor } = startRelease();
    await walkToSoak(actor);
    sendUnreadableSamples(actor, 'error_ratio', 'connection refused', 3);
    const context = (await until(actor, 'rolledBack')).context;
    const health = renderArtifact('health-log', context, extras);
    expect(health).toContain('- error_ratio: metrics provider down: connection refused (counts as a breach)');
    expect(health).not.toContain('error_ratio breached');
    expect(health).toContain('| error_ratio | error_ratio ≤ 0.05 | 0 | 3 | no value | no value | no value | 1 |  |');
    const retro = JSON.parse(renderArtifact('retrospective', context, extras));
    expect(retro.actionItems).toContainEqual({ item: 'Investigate error_ratio: metrics provider down: connection refused (counts as a breach)', owner: 'SRE' });
  });
});
