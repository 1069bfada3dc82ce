import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeZip } from '../probes/hostile-zip.js';
import { demoCopy, warroom } from './demo.js';

// The chart and the CLI around Gate 1: a hostile prerequisite package halts the
// release in readiness (exit 2) with the entry named, and nothing is deployed or unpacked.

describe('the headless demo with a hostile prerequisite package', () => {
  it('halts in readiness naming a ../escape entry, exits 2 and unpacks nothing', async () => {
    const dir = demoCopy();
    writeZip(join(dir, 'artifacts/PRE-DEPLOYMENT-PACKAGE.zip'), [
      { name: 'README.md', text: '# Package\n' },
      { name: '../escape', text: 'outside the artifacts folder\n' },
    ]);
    const evidence = join(dir, 'evidence');
    const run = await warroom(['run', join(dir, 'release.yaml'), '--headless', '--approvals', join(dir, 'approvals.json'), '--evidence', evidence], {
      env: { DEMO_RUN_DIR: join(dir, '.run') },
    });

    expect(run.code).toBe(2);
    expect(run.stdout).toContain(
      'Failed at Validate pre-deployment evidence. Reason: artifacts/PRE-DEPLOYMENT-PACKAGE.zip: entry "../escape": path with ".." (would land outside the folder it is unpacked into)',
    );
    const checklist = readFileSync(join(evidence, 'deployment-readiness-checklist.json'), 'utf8');
    expect(checklist).toContain('entry \\"../escape\\": path with');
    expect(existsSync(join(evidence, 'logs/canary-10.log'))).toBe(false);
    for (const folder of [join(dir, 'artifacts'), dir, dirname(dir)]) expect(readdirSync(folder)).not.toContain('escape');
  });
});
