#!/usr/bin/env node
// Packages an evidence folder the way a session does at its end: manifest.json, then
// DEPLOYMENT-EVIDENCE.zip (src/evidence/package.ts, from the tsc build in dist/).
//
//   node scripts/bench/zip-evidence.mjs EVIDENCE_DIR
import { writeEvidencePackage } from '../../dist/src/evidence/package.js';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: zip-evidence.mjs EVIDENCE_DIR');
  process.exit(3);
}
const result = await writeEvidencePackage(dir);
console.log(`${result.files} files in ${result.zipPath}`);
