import type { ArtifactName, GateName, SessionContext } from '../../../machines/types.js';
import type { RenderExtras } from './extras.js';
import { renderGate } from './gate.js';
import { renderHealthLog } from './health-log.js';
import { renderDeploymentReport, renderPostDeploymentValidation, renderProductionApproval } from './production.js';
import { renderReadinessChecklist, renderReleaseManifest } from './readiness.js';
import { renderDeploymentReportMarkdown } from './report.js';
import { renderRetrospective } from './retrospective.js';
import { renderRollbackPlan } from './rollback-plan.js';
import { renderFreezeConfirmation, renderStagingResults } from './staging.js';

// One pure renderer per protocol artifact: the session context (and a few
// facts only the shell knows) in, the file's text out. No IO here.

export type { RenderExtras } from './extras.js';

type Renderer = (context: SessionContext, extras: RenderExtras) => string;

const RENDERERS: Record<Exclude<ArtifactName, `gate:${string}`>, Renderer> = {
  'readiness-checklist': renderReadinessChecklist,
  'release-manifest': renderReleaseManifest,
  'staging-results': renderStagingResults,
  'freeze-confirmation': renderFreezeConfirmation,
  'production-approval': renderProductionApproval,
  'deployment-report': renderDeploymentReport,
  'post-deployment-validation': renderPostDeploymentValidation,
  'health-log': renderHealthLog,
  report: renderDeploymentReportMarkdown,
  retrospective: renderRetrospective,
  'rollback-plan': renderRollbackPlan,
};

/** The text of one evidence file (its path comes from artifactPath in ../files.ts). */
export function renderArtifact(name: ArtifactName, context: SessionContext, extras: RenderExtras): string {
  if (name.startsWith('gate:')) return renderGate(name.slice('gate:'.length) as GateName, context, extras);
  return RENDERERS[name as keyof typeof RENDERERS](context, extras);
}
