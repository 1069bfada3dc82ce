import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { ReadinessItem } from '../../machines/types.js';
import type { ArtifactSpec, Plan } from '../plan/schema.js';
import { listZipEntries, unsafeEntry } from './zip.js';

// Phase 1, step 1: are the prerequisite artifacts there, current, well-formed
// and what upstream protocols said they would be? Each becomes a checklist item.

const MAX_JSON_BYTES = 5 * 1024 * 1024;

function item(kind: ReadinessItem['kind'], name: string, ok: boolean, detail: string, sha256?: string): ReadinessItem {
  return { id: `${kind}:${name}`, kind, name, status: ok ? 'pass' : 'fail', detail, ...(sha256 ? { sha256 } : {}) };
}

function fieldAt(document: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), document);
}

export async function checkArtifact(spec: ArtifactSpec, planDir: string, now: number): Promise<ReadinessItem> {
  const path = isAbsolute(spec.path) ? spec.path : resolve(planDir, spec.path);
  let info;
  try {
    info = await stat(path);
  } catch {
    return item('artifact', spec.path, false, 'missing');
  }
  if (!info.isFile()) return item('artifact', spec.path, false, 'not a regular file');
  const ageHours = (now - info.mtimeMs) / 3_600_000;
  if (spec.maxAgeHours !== undefined && ageHours > spec.maxAgeHours) {
    return item('artifact', spec.path, false, `outdated: ${ageHours.toFixed(1)} h old, at most ${spec.maxAgeHours} h allowed`);
  }
  if (spec.kind === 'json' && info.size > MAX_JSON_BYTES) return item('artifact', spec.path, false, `too large for a JSON artifact (${info.size} bytes)`);
  const bytes = await readFile(path);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  switch (spec.kind) {
    case 'zip': {
      const listing = await listZipEntries(path);
      if ('error' in listing) return item('artifact', spec.path, false, listing.error, sha256);
      const unsafe = unsafeEntry(listing.entries);
      if (unsafe) return item('artifact', spec.path, false, `unsafe entry name "${unsafe.name}"`, sha256);
      return item('artifact', spec.path, true, `zip, ${listing.entries.length} entries`, sha256);
    }
    case 'json': {
      let document: unknown;
      try {
        document = JSON.parse(bytes.toString('utf8'));
      } catch (error) {
        return item('artifact', spec.path, false, `not valid JSON: ${(error as Error).message}`, sha256);
      }
      for (const [field, expected] of Object.entries(spec.expect ?? {})) {
        const actual = fieldAt(document, field);
        if (actual !== expected) {
          return item('artifact', spec.path, false, `${field} is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`, sha256);
        }
      }
      const expectations = Object.keys(spec.expect ?? {}).length;
      return item('artifact', spec.path, true, expectations ? `json, ${expectations} expectation(s) met` : 'json', sha256);
    }
    case 'markdown':
      return bytes.toString('utf8').trim() === ''
        ? item('artifact', spec.path, false, 'empty', sha256)
        : item('artifact', spec.path, true, `markdown, ${bytes.length} bytes`, sha256);
  }
}

export async function checkScript(script: string, planDir: string): Promise<ReadinessItem> {
  const path = isAbsolute(script) ? script : resolve(planDir, script);
  try {
    const info = await stat(path);
    if (!info.isFile()) return item('script', script, false, 'not a regular file');
    await access(path, constants.X_OK);
    return item('script', script, true, 'present and executable');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return item('script', script, false, code === 'EACCES' ? 'not executable' : 'missing');
  }
}

export async function checkPrerequisiteFiles(plan: Plan, planDir: string, now: number): Promise<ReadinessItem[]> {
  return Promise.all([
    ...plan.prerequisites.artifacts.map((spec) => checkArtifact(spec, planDir, now)),
    ...plan.prerequisites.scripts.map((script) => checkScript(script, planDir)),
  ]);
}
