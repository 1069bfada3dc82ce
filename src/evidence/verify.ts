import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, open, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import { GENESIS, sha256, type JournalEntry } from '../journal/journal.js';
import { isLogPath, isOutputRange, isRange, type OutputRange } from '../journal/output.js';
import { listZipEntries, openZipEntry, readCapped, unsafeEntry, type ZipEntry } from '../probes/zip.js';
import { JOURNAL } from './files.js';
import { digest, listEvidence, MANIFEST, manifestSchema, type Manifest, type ManifestFile } from './manifest.js';

// `warroom verify`: recomputes manifest.json and the journal's hash chain over an
// evidence folder or zip, and names every file missing, added or changed (SPEC section 6).

export interface VerifyReport {
  intact: boolean;
  problems: string[];
  files: number;
  journalLines: number;
}

/** The target is neither an evidence folder nor a zip: bad input, not tampering. */
export class EvidenceInputError extends Error {}

type EntryKind = 'file' | 'not a regular file';

/** A folder on disk or a zip read in place: what it holds and how to stream one file. */
interface EvidenceSource {
  entries: Map<string, EntryKind>;
  problems: string[];
  open(path: string): Promise<Readable>;
  /** A zip whose directory cannot be read: nothing more to say about its files. */
  unreadable?: boolean;
}

const ZIP_MAGIC = [0x04034b50, 0x06054b50];
const MANIFEST_CAP = 16 * 1024 * 1024;
const NOT_READ = '(absolute or with "..": not read)';

/** A path that would lead out of the evidence, by the zip reader's rule for entry names (only the name is looked at). */
const unsafePath = (path: string): boolean => unsafeEntry([{ name: path }]) !== undefined;

export async function verifyEvidence(target: string): Promise<VerifyReport> {
  const source = (await isFolder(target)) ? await folderSource(target) : await zipSource(target);
  if (source.unreadable) return { intact: false, problems: source.problems, files: 0, journalLines: 0 };
  const problems = [...source.problems];
  const manifest = await readManifest(source, problems);
  if (manifest) {
    const seen = new Set<string>();
    for (const file of manifest.files) {
      const problem = seen.has(file.path) ? `duplicate entry in manifest: ${file.path}` : unsafePath(file.path) ? `unsafe entry in manifest: ${file.path} ${NOT_READ}` : await compare(source, file);
      seen.add(file.path);
      if (problem) problems.push(problem);
    }
    const listed = new Set(manifest.files.map((file) => file.path));
    for (const path of [...source.entries.keys()].sort()) {
      const kind = source.entries.get(path);
      if (path !== MANIFEST && !listed.has(path)) problems.push(kind === 'file' ? `added: ${path}` : `added: ${path} (${kind}, not followed)`);
    }
  }
  const journalLines = await checkJournal(source, problems);
  return { intact: problems.length === 0, problems, files: manifest?.files.length ?? 0, journalLines };
}

async function isFolder(target: string): Promise<boolean> {
  const info = await stat(target).catch((error: NodeJS.ErrnoException) => {
    throw new EvidenceInputError(error.code === 'ENOENT' ? 'no such file or folder' : `cannot read (${error.code ?? error.message})`);
  });
  if (info.isDirectory()) return true;
  if (info.isFile()) {
    const file = await open(target, 'r').catch((error: NodeJS.ErrnoException) => {
      throw new EvidenceInputError(`cannot read (${error.code ?? error.message})`);
    });
    const head = Buffer.alloc(4);
    const { bytesRead } = await file.read(head, 0, 4, 0).finally(() => file.close());
    if (bytesRead === 4 && ZIP_MAGIC.includes(head.readUInt32LE(0))) return false;
  }
  throw new EvidenceInputError('not a zip archive or an evidence folder');
}

async function folderSource(root: string): Promise<EvidenceSource> {
  const listing = await listEvidence(root);
  const entries = new Map<string, EntryKind>();
  for (const path of listing.files) entries.set(path, 'file');
  for (const path of listing.others) entries.set(path, 'not a regular file');
  const manifest = await lstat(join(root, MANIFEST)).catch(() => undefined);
  if (manifest) entries.set(MANIFEST, manifest.isFile() ? 'file' : 'not a regular file');
  return { entries, problems: [], open: async (path) => createReadStream(join(root, path)) };
}

/** Reads the zip where it lies: entries are streamed and hashed, never extracted. */
async function zipSource(path: string): Promise<EvidenceSource> {
  const byName = new Map<string, ZipEntry>();
  const open = async (name: string): Promise<Readable> => {
    const entry = byName.get(name);
    if (!entry) throw new Error(`no entry ${name}`);
    return openZipEntry(path, entry);
  };
  const listing = await listZipEntries(path);
  if ('error' in listing) return { entries: new Map(), problems: [`${basename(path)}: ${listing.error}`], open, unreadable: true };
  const entries = new Map<string, EntryKind>();
  const problems: string[] = [];
  for (const entry of listing.entries) {
    if (unsafeEntry([entry])) problems.push(`unsafe entry: ${entry.name} ${NOT_READ}`);
    else if (entry.name.endsWith('/')) continue;
    else if (byName.has(entry.name)) problems.push(`duplicate entry: ${entry.name}`);
    else {
      byName.set(entry.name, entry);
      const type = entry.mode & 0o170000;
      entries.set(entry.name, type === 0 || type === 0o100000 ? 'file' : 'not a regular file');
    }
  }
  return { entries, problems, open };
}

async function readManifest(source: EvidenceSource, problems: string[]): Promise<Manifest | undefined> {
  const kind = source.entries.get(MANIFEST);
  if (kind !== 'file') {
    problems.push(kind === undefined ? `missing: ${MANIFEST}` : `${MANIFEST}: ${kind}`);
    return undefined;
  }
  let text: string;
  let document: unknown;
  try {
    text = (await readCapped(await source.open(MANIFEST), MANIFEST_CAP)).toString('utf8');
  } catch (error) {
    problems.push(`${MANIFEST}: unreadable (${(error as Error).message})`);
    return undefined;
  }
  try {
    document = JSON.parse(text);
  } catch {
    problems.push(`${MANIFEST}: not valid JSON`);
    return undefined;
  }
  const parsed = manifestSchema.safeParse(document);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  problems.push(`${MANIFEST}: not a manifest (${issue ? `${issue.path.join('.') || 'top level'}: ${issue.message}` : 'invalid'})`);
  return undefined;
}

async function compare(source: EvidenceSource, file: ManifestFile): Promise<string | undefined> {
  const kind = source.entries.get(file.path);
  if (kind === undefined) return `missing: ${file.path}`;
  if (kind !== 'file') return `changed: ${file.path} (${kind})`;
  let actual: { sha256: string; bytes: number; over?: true };
  try {
    // No more than the manifest vouches for is read: past it, the file has changed anyway.
    actual = await digest(await source.open(file.path), file.bytes);
  } catch (error) {
    return `changed: ${file.path} (unreadable: ${(error as Error).message})`;
  }
  if (actual.over) return `changed: ${file.path} (over ${file.bytes} bytes, manifest says ${file.bytes})`;
  if (actual.bytes !== file.bytes) return `changed: ${file.path} (${actual.bytes} bytes, manifest says ${file.bytes})`;
  if (actual.sha256 !== file.sha256) return `changed: ${file.path} (sha256 differs)`;
  return undefined;
}

/** Follows the journal's chain; returns how many lines verified before it ends or breaks. */
async function checkJournal(source: EvidenceSource, problems: string[]): Promise<number> {
  const kind = source.entries.get(JOURNAL);
  if (kind !== 'file') {
    // A journal that is there but not a regular file is already named as changed or added.
    if (kind === undefined && !problems.includes(`missing: ${JOURNAL}`)) problems.push(`missing: ${JOURNAL}`);
    return 0;
  }
  try {
    const chain = await followChain(await source.open(JOURNAL));
    if (chain.brokenAt) problems.push(`${JOURNAL} line ${chain.brokenAt.line}: ${chain.brokenAt.reason}`);
    else if (chain.lines === 0) problems.push(`${JOURNAL}: no events`);
    await checkRanges(source, chain.ranges, problems);
    return chain.lines;
  } catch (error) {
    problems.push(`${JOURNAL}: unreadable (${(error as Error).message})`);
    return 0;
  }
}

/** A journal line past this is not read into memory. */
const MAX_JOURNAL_LINE_BYTES = 64 * 1024 * 1024;

/**
 * readJournal's rules over a stream, hashing each line's exact bytes as written
 * (no decoding, no CR stripping), so a deleted line breaks the chain at the line after it.
 */
async function followChain(stream: Readable): Promise<{ lines: number; ranges: Array<JournalEntry<OutputRange>>; brokenAt?: { line: number; reason: string } }> {
  let prev = GENESIS;
  let lines = 0;
  const ranges: Array<JournalEntry<OutputRange>> = [];
  const check = (bytes: Buffer): string | undefined => {
    let entry: Partial<JournalEntry>;
    try {
      entry = JSON.parse(bytes.toString('utf8')) as Partial<JournalEntry>;
    } catch {
      return 'not a JSON object';
    }
    if (typeof entry !== 'object' || entry === null) return 'not a JSON object';
    if (entry.prev !== prev) return 'prev does not match the previous line';
    if (entry.seq !== lines + 1) return `seq ${String(entry.seq)}, expected ${lines + 1}`;
    if (isOutputRange(entry as JournalEntry)) ranges.push(entry as JournalEntry<OutputRange>);
    prev = sha256(bytes);
    lines += 1;
    return undefined;
  };
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let start = 0;
    for (let end = chunk.indexOf(0x0a); end >= 0; end = chunk.indexOf(0x0a, start)) {
      pending.push(chunk.subarray(start, end));
      const reason = check(Buffer.concat(pending));
      if (reason) return { lines, ranges, brokenAt: { line: lines + 1, reason } };
      pending = [];
      pendingBytes = 0;
      start = end + 1;
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
      // warroom writes no line this long (a flood is journaled by reference): a journal that does is not one to hold in memory.
      if (pendingBytes > MAX_JOURNAL_LINE_BYTES) {
        stream.destroy();
        return { lines, ranges, brokenAt: { line: lines + 1, reason: `longer than ${MAX_JOURNAL_LINE_BYTES / 1024 / 1024} MiB` } };
      }
    }
  }
  // A last line without its newline still counts, as it does for readJournal.
  const reason = pending.length > 0 ? check(Buffer.concat(pending)) : undefined;
  return reason ? { lines, ranges, brokenAt: { line: lines + 1, reason } } : { lines, ranges };
}

/**
 * Output the journal holds by reference must still be in the step's log, byte for byte.
 * Each log is streamed once, its ranges hashed as the bytes go by: a log of any size.
 */
async function checkRanges(source: EvidenceSource, ranges: Array<JournalEntry<OutputRange>>, problems: string[]): Promise<void> {
  const byLog = new Map<string, Array<JournalEntry<OutputRange>>>();
  for (const entry of ranges) byLog.set(entry.data.log, [...(byLog.get(entry.data.log) ?? []), entry]);
  for (const [log, entries] of byLog) {
    const say = ({ seq, data }: JournalEntry<OutputRange>, problem: string) => problems.push(`${JOURNAL} line ${seq}: output at ${data.offset}+${data.bytes} bytes: ${problem}`);
    if (!isLogPath(log) || source.entries.get(log) !== 'file') {
      for (const entry of entries) say(entry, `${log} is missing`);
      continue;
    }
    for (const entry of entries) if (!isRange(entry.data)) say(entry, 'not an output range');
    const ordered = entries.filter((entry) => isRange(entry.data)).sort((a, b) => a.data.offset - b.data.offset);
    let next = 0;
    let hash: Hash | undefined;
    let at = 0;
    for await (const chunk of (await source.open(log)) as AsyncIterable<Buffer>) {
      for (let pos = 0; pos < chunk.length && next < ordered.length; ) {
        const { data } = ordered[next]!;
        const here = at + pos;
        if (here < data.offset && hash === undefined) {
          pos += Math.min(chunk.length - pos, data.offset - here);
          continue;
        }
        // A range that starts before the one before it ended cannot be what was written.
        if (hash === undefined && here > data.offset) {
          say(ordered[next]!, `${log} does not hold what the journal vouched for`);
          next += 1;
          continue;
        }
        hash ??= createHash('sha256');
        const take = Math.min(chunk.length - pos, data.offset + data.bytes - here);
        hash.update(chunk.subarray(pos, pos + take));
        pos += take;
        if (here + take === data.offset + data.bytes) {
          if (hash.digest('hex') !== data.sha256) say(ordered[next]!, `${log} does not hold what the journal vouched for`);
          hash = undefined;
          next += 1;
        }
      }
      at += chunk.length;
      // Past the last range there is nothing more to check in this log.
      if (next === ordered.length) break;
    }
    for (const entry of ordered.slice(next)) say(entry, `${log} is shorter than the journal says`);
  }
}
