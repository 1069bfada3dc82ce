import type { SessionContext } from '../../machines/types.js';
import { artifactPath } from '../../src/evidence/files.js';
import type { RenderExtras } from '../../src/evidence/render/index.js';

/** When the render tests say their artifacts were written, unless a test passes its own time. */
export const GENERATED_AT = '2026-11-24T10:05:00.000Z';

/**
 * The extras a session would pass the renderers at the end of a run: the announcements
 * so far, and as files the journal, the communication log, every artifact the context
 * lists and every command log, sorted.
 */
export function extrasFor(context: SessionContext, announcements: string[], generatedAt: string = GENERATED_AT): RenderExtras {
  const files = new Set(['journal.jsonl', 'communication-log.md', ...context.evidence.map(artifactPath), ...context.commands.map((c) => c.log)]);
  return { generatedAt, planFile: 'release.yaml', operator: 'Olive Operator (operator)', communicationLog: announcements, files: [...files].sort() };
}
