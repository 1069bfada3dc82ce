import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { isAbsolute, resolve } from 'node:path';
import type { ReadinessItem } from '../../machines/types.js';
import type { ArtifactSpec, Plan } from '../plan/schema.js';
import { formatBytes, inspectZip, ZIP_LIMITS, type ZipLimits } from './zip.js';

// Phase 1, step 1: are the prerequisite artifacts there, current, well-formed
// and what upstream protocols said they would be? Each becomes a checklist item.

export const MAX_JSON_BYTES = 5 * 1024 * 1024;
/** Deeper than any real report; a hostile `[[[[…` is refused before JSON.parse or anything recursive sees it. */
export const MAX_JSON_DEPTH = 64;

export interface ArtifactLimits extends ZipLimits {
  maxJsonBytes: number;
  maxJsonDepth: number;
}

export const ARTIFACT_LIMITS: ArtifactLimits = { ...ZIP_LIMITS, maxJsonBytes: MAX_JSON_BYTES, maxJsonDepth: MAX_JSON_DEPTH };

function item(kind: ReadinessItem['kind'], name: string, ok: boolean, detail: string, sha256?: string): ReadinessItem {
  return { id: `${kind}:${name}`, kind, name, status: ok ? 'pass' : 'fail', detail, ...(sha256 ? { sha256 } : {}) };
}

function fieldAt(document: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), document);
}

/**
 * Reads the artifact once as a stream: its sha256 in bounded memory, each chunk
 * handed to `visit`. Stops at `cap` bytes in case the file grew after its stat.
 */
async function streamArtifact(path: string, cap: number, visit?: (chunk: Buffer) => void): Promise<{ sha256: string; size: number } | { overCap: number }> {
  const hash = createHash('sha256');
  let size = 0;
  const stream = createReadStream(path, Number.isFinite(cap) ? { end: cap } : {});
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > cap) {
      stream.destroy();
      return { overCap: size };
    }
    hash.update(chunk);
    visit?.(chunk);
  }
  return { sha256: hash.digest('hex'), size };
}

/** Where the first byte that is not UTF-8 sits, or undefined when all of it is. */
function firstInvalidUtf8(bytes: Buffer): number | undefined {
  if (isUtf8(bytes)) return undefined;
  let i = 0;
  while (i < bytes.length) {
    const length = utf8SequenceLength(bytes, i);
    if (length === 0) return i;
    i += length;
  }
  return i;
}

/** Bytes in the well-formed sequence starting at `at` (RFC 3629 table), 0 when it is not one. */
function utf8SequenceLength(bytes: Buffer, at: number): number {
  const lead = bytes[at]!;
  if (lead < 0x80) return 1;
  const [length, low, high] =
    lead >= 0xc2 && lead <= 0xdf ? [2, 0x80, 0xbf]
    : lead === 0xe0 ? [3, 0xa0, 0xbf]
    : lead === 0xed ? [3, 0x80, 0x9f]
    : lead >= 0xe1 && lead <= 0xef ? [3, 0x80, 0xbf]
    : lead === 0xf0 ? [4, 0x90, 0xbf]
    : lead >= 0xf1 && lead <= 0xf3 ? [4, 0x80, 0xbf]
    : lead === 0xf4 ? [4, 0x80, 0x8f]
    : [0, 0, 0];
  if (length === 0 || at + length > bytes.length) return 0;
  if (bytes[at + 1]! < low || bytes[at + 1]! > high) return 0;
  for (let k = 2; k < length; k++) if (bytes[at + k]! < 0x80 || bytes[at + k]! > 0xbf) return 0;
  return length;
}

/**
 * Whether brackets nest deeper than `max`: one pass over the text, skipping
 * strings and their escapes, so no depth of input can exhaust the stack.
 */
export function nestedDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

export async function checkArtifact(spec: ArtifactSpec, planDir: string, now: number, limits: Partial<ArtifactLimits> = {}): Promise<ReadinessItem> {
  const caps: ArtifactLimits = { ...ARTIFACT_LIMITS, ...limits };
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
  const tooLarge = (size: number, cap: number, what: string) =>
    item('artifact', spec.path, false, `too large for ${what}: ${formatBytes(size)}, over the cap of ${formatBytes(cap)}`);
  switch (spec.kind) {
    case 'zip': {
      if (info.size > caps.maxArchiveBytes) return tooLarge(info.size, caps.maxArchiveBytes, 'a zip artifact');
      const listing = await inspectZip(path, caps);
      const read = await streamArtifact(path, caps.maxArchiveBytes);
      if ('overCap' in read) return tooLarge(read.overCap, caps.maxArchiveBytes, 'a zip artifact');
      if ('error' in listing) return item('artifact', spec.path, false, listing.error, read.sha256);
      return item('artifact', spec.path, true, `zip, ${listing.entries.length} entries`, read.sha256);
    }
    case 'json': {
      if (info.size > caps.maxJsonBytes) return tooLarge(info.size, caps.maxJsonBytes, 'a JSON artifact');
      const chunks: Buffer[] = [];
      const read = await streamArtifact(path, caps.maxJsonBytes, (chunk) => chunks.push(chunk));
      if ('overCap' in read) return tooLarge(read.overCap, caps.maxJsonBytes, 'a JSON artifact');
      const bytes = Buffer.concat(chunks);
      const invalidAt = firstInvalidUtf8(bytes);
      if (invalidAt !== undefined) return item('artifact', spec.path, false, `not valid UTF-8 (byte ${invalidAt})`, read.sha256);
      const text = bytes.toString('utf8');
      if (nestedDeeperThan(text, caps.maxJsonDepth)) return item('artifact', spec.path, false, `nested deeper than ${caps.maxJsonDepth} levels`, read.sha256);
      let document: unknown;
      try {
        document = JSON.parse(text);
      } catch (error) {
        return item('artifact', spec.path, false, `not valid JSON: ${(error as Error).message}`, read.sha256);
      }
      for (const [field, expected] of Object.entries(spec.expect ?? {})) {
        const actual = fieldAt(document, field);
        if (actual !== expected) {
          return item('artifact', spec.path, false, `${field} is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`, read.sha256);
        }
      }
      const expectations = Object.keys(spec.expect ?? {}).length;
      return item('artifact', spec.path, true, expectations ? `json, ${expectations} expectation(s) met` : 'json', read.sha256);
    }
    case 'markdown': {
      // Only whether anything but whitespace is there matters, so the text is looked at chunk by chunk.
      const decoder = new StringDecoder('utf8');
      let content = false;
      const read = await streamArtifact(path, Infinity, (chunk) => {
        if (!content && /\S/.test(decoder.write(chunk))) content = true;
      });
      if ('overCap' in read) throw new Error('an uncapped read cannot go over its cap');
      if (!content && /\S/.test(decoder.end())) content = true;
      return content ? item('artifact', spec.path, true, `markdown, ${read.size} bytes`, read.sha256) : item('artifact', spec.path, false, 'empty', read.sha256);
    }
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
