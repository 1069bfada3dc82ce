import { existsSync, statSync } from 'node:fs';
import type { ArtifactName, GateName } from '../../machines/types.js';

// Where each protocol artifact lives inside the evidence folder (SPEC section 6).
export const ARTIFACT_FILES: Record<Exclude<ArtifactName, `gate:${string}`>, string> = {
  'readiness-checklist': 'deployment-readiness-checklist.json',
  'release-manifest': 'release-manifest.md',
  'staging-results': 'staging-validation-results.json',
  'freeze-confirmation': 'change-freeze-confirmation.md',
  'production-approval': 'production-approval.json',
  'deployment-report': 'production-deployment-report.json',
  'post-deployment-validation': 'post-deployment-validation.json',
  'health-log': 'deployment-health-log.md',
  report: 'DEPLOYMENT-REPORT.md',
  retrospective: 'retrospective-inputs.json',
  'rollback-plan': 'rollback-plan.md',
};

export const COMMUNICATION_LOG = 'communication-log.md';
export const JOURNAL = 'journal.jsonl';
export const MANUAL_VALIDATION_LOG = '../protocol-15/manual-validation-log.md';

export function artifactPath(name: ArtifactName): string {
  if (name.startsWith('gate:')) return `gates/${name.slice('gate:'.length)}.json`;
  return ARTIFACT_FILES[name as keyof typeof ARTIFACT_FILES];
}

export const gateArtifact = (gate: GateName): ArtifactName => `gate:${gate}`;

/** The artifacts a release that reached Gate 4 must have written: the denominator of report completeness. */
export const REPORTING_EVIDENCE: ArtifactName[] = [
  'readiness-checklist',
  'release-manifest',
  'staging-results',
  'freeze-confirmation',
  'production-approval',
  'deployment-report',
  'post-deployment-validation',
  'health-log',
  'report',
  'retrospective',
  'gate:readiness',
  'gate:freeze',
  'gate:launch',
];

export function reportCompleteness(written: Iterable<string>): { completeness: number; missing: string[] } {
  const have = new Set(written);
  const missing = REPORTING_EVIDENCE.filter((name) => !have.has(name)).map(artifactPath);
  return { completeness: (REPORTING_EVIDENCE.length - missing.length) / REPORTING_EVIDENCE.length, missing };
}

/** Why DIR is no evidence folder to judge or to write beside (a typo, a file given by mistake): undefined when it is one. */
export function evidenceFolderProblem(dir: string): string | undefined {
  if (!existsSync(dir)) return `${dir}: no such evidence folder`;
  if (!statSync(dir).isDirectory()) return `${dir}: not a folder`;
  return undefined;
}
