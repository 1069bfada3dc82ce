import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { readManualValidations, recordManualValidation } from '../../src/evidence/manual-log.js';
import { renderArtifact } from '../../src/evidence/render/index.js';
import { startRelease, until } from '../machines/harness.js';
import { extrasFor } from './extras.js';

it('puts validations recorded by hand into the deployment report', async () => {
  const evidenceDir = join(mkdtempSync(join(tmpdir(), 'warroom-manual-')), 'deployment');
  recordManualValidation(evidenceDir, { step: 'Reconfirm staging health', result: 'pass', by: 'Dana Ortiz', login: 'dana', note: 'staging dashboard green | checked by hand' });
  const { actor, announcements } = startRelease();
  const snapshot = await until(actor, 'acknowledging');
  const report = renderArtifact('report', snapshot.context, { ...extrasFor(snapshot.context, announcements()), manualValidations: readManualValidations(evidenceDir) });
  expect(report).toContain('1 validation(s) recorded by hand');
  expect(report).toMatch(/\| Reconfirm staging health \| ✔ pass \| Dana Ortiz \| dana \| staging dashboard green \\\| checked by hand \|/);
});
