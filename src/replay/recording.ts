import { open, readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import { dirname, join } from 'node:path';
import { isLeafStatePath } from '../../machines/release.js';
import { JOURNAL } from '../evidence/files.js';
import { GENESIS, sha256, type JournalEntry } from '../journal/journal.js';
import { rangeLogs, withRangesRead } from '../journal/output.js';
import { issueText, readSessionStart } from '../journal/session-start.js';
import { listZipEntries, openZipEntry, readCapped } from '../probes/zip.js';
import { plainValue } from '../safety/sanitize.js';

// A recording is a session's journal: journal.jsonl itself, the evidence folder
// holding it, or the evidence zip (read where it lies, never extracted). Output the
// journal holds by reference is read from the step logs beside it.

/** The recording cannot be read or is not a journal: bad input, exit 3. */
export class RecordingError extends Error {}

export interface ChainBreak {
  /** 1-based line of the journal file. */
  line: number;
  reason: string;
}

export interface Recording {
  /** How to name the journal in messages: a path, or `ZIP:journal.jsonl` inside an evidence zip. */
  source: string;
  entries: JournalEntry[];
  /** SHA-256 of the journal's bytes (training annotations name the journal they are about). */
  sha256: string;
  /** Lines in the journal file. */
  lines: number;
  /** The first line whose hash chain breaks; with `force`, the entries go on past it. */
  brokenAt?: ChainBreak;
}

/**
 * The fields replay reads of the events it draws (session.start has its own check):
 * a journal from elsewhere may hold anything there, and is refused rather than half-drawn.
 */
const READ_FIELDS: Partial<Record<string, z.ZodType>> = {
  transition: z.looseObject({ to: z.string().refine(isLeafStatePath, 'not a state of the release chart') }),
  announcement: z.looseObject({ kind: z.string(), text: z.string() }),
  output: z.looseObject({ step: z.string(), stream: z.string(), lines: z.array(z.string()) }),
  check: z.looseObject({ result: z.looseObject({ name: z.string(), passed: z.boolean(), detail: z.string() }) }),
  'session.interrupted': z.looseObject({ signal: z.string() }),
  'session.end': z.looseObject({ sessionId: z.string(), outcome: z.string(), state: z.string(), exitCode: z.number() }),
};

/** A journal inside an evidence zip is at most this big: a zip bomb is not a recording. */
const MAX_JOURNAL_BYTES = 1024 * 1024 * 1024;
const ZIP_MAGIC = [0x04034b50, 0x06054b50];
const LAST_MOMENT = Date.UTC(10000, 0, 1);

/**
 * Splits journal bytes into entries and follows the hash chain over each line's
 * exact bytes (as `warroom verify` does). Without `force`, reading stops at the
 * first break; with it, every line that is a journal event is kept.
 */
export function parseJournal(bytes: Buffer, force = false): { entries: JournalEntry[]; lines: number; brokenAt?: ChainBreak } {
  const entries: JournalEntry[] = [];
  let brokenAt: ChainBreak | undefined;
  let prev = GENESIS;
  let start = 0;
  let line = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    const raw = bytes.subarray(start, end);
    start = end + 1;
    line += 1;
    const broken = (reason: string) => {
      brokenAt ??= { line, reason };
    };
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      parsed = undefined;
    }
    const problem = eventProblem(parsed);
    // Read as an event only where eventProblem found none.
    const entry = parsed as JournalEntry;
    if (problem !== undefined) broken(problem);
    else if (entry.prev !== prev) broken('prev does not match the previous line');
    else if (entry.seq !== line) broken(`seq ${String(entry.seq)}, expected ${line}`);
    if (brokenAt && !force) return { entries, lines: line, brokenAt };
    prev = sha256(raw);
    if (problem === undefined) entries.push(entry);
  }
  return brokenAt ? { entries, lines: line, brokenAt } : { entries, lines: line };
}

/** Why a parsed line is no journal event warroom could have written; undefined when it is one. */
function eventProblem(parsed: unknown): string | undefined {
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return 'not a JSON object';
  const { type, ts, data } = parsed as Partial<Record<keyof JournalEntry, unknown>>;
  if (typeof type !== 'string' || typeof ts !== 'string') return 'not a journal event (no type or ts)';
  // Between 1970 and 9999: replay's clock and the dates it prints stay sane.
  const ms = Date.parse(ts);
  if (!(ms >= 0 && ms < LAST_MOMENT)) return `ts ${JSON.stringify(ts)} is not a time`;
  if (data !== undefined && (data === null || typeof data !== 'object')) return 'data is not an object';
  return undefined;
}

async function isZip(path: string): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await file.read(head, 0, 4, 0);
    return bytesRead === 4 && ZIP_MAGIC.includes(head.readUInt32LE(0));
  } finally {
    await file.close();
  }
}

/** Finds and reads the journal of RECORDING; with `force`, a broken chain is read past (and still reported). */
export async function loadRecording(path: string, force = false): Promise<Recording> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new RecordingError(error.code === 'ENOENT' ? 'no such file or folder' : `cannot read (${error.code ?? error.message})`);
  });
  let source: string;
  let bytes: Buffer;
  /** Reads an evidence file beside the journal (a step's log), if it is there. */
  let readBeside: (name: string) => Promise<Buffer | undefined> = (name) => readFile(join(dirname(path), name)).catch(() => undefined);
  if (info.isDirectory()) {
    readBeside = (name) => readFile(join(path, name)).catch(() => undefined);
    source = join(path, JOURNAL);
    bytes = await readFile(source).catch(() => {
      throw new RecordingError(`no ${JOURNAL} in this folder: not an evidence folder`);
    });
  } else if (info.isFile() && (await isZip(path))) {
    const listing = await listZipEntries(path);
    if ('error' in listing) throw new RecordingError(listing.error);
    const journals = listing.entries.filter((e) => e.name === JOURNAL);
    const entry = journals[0];
    if (!entry) throw new RecordingError(`no ${JOURNAL} in this zip: not an evidence package`);
    // Tools disagree on which of two same-named entries is the file: replay neither.
    if (journals.length > 1) throw new RecordingError(`${JOURNAL} is in this zip ${journals.length} times: not a package warroom wrote (run warroom verify)`);
    source = `${path}:${JOURNAL}`;
    try {
      bytes = await readCapped(await openZipEntry(path, entry), MAX_JOURNAL_BYTES);
    } catch (error) {
      if (error instanceof RecordingError) throw error;
      throw new RecordingError(`cannot read ${JOURNAL} from the zip (${(error as Error).message})`);
    }
    readBeside = async (name) => {
      const log = listing.entries.find((e) => e.name === name);
      return log ? readCapped(await openZipEntry(path, log), MAX_JOURNAL_BYTES).catch(() => undefined) : undefined;
    };
  } else if (info.isFile()) {
    source = path;
    bytes = await readFile(path);
  } else {
    throw new RecordingError('not a journal, an evidence folder or an evidence zip');
  }
  const parsed = parseJournal(bytes, force);
  const { lines, brokenAt } = parsed;
  // Past a step's first megabyte, output is journaled by reference to its log: read from the log beside the journal.
  const logs = new Map<string, Buffer | undefined>();
  for (const log of rangeLogs(parsed.entries)) logs.set(log, await readBeside(log));
  // Messages follow the path the user gave: the journal inside it is named when it is not that path.
  const inJournal = source === path ? 'it' : JOURNAL;
  const where = (entry: JournalEntry) => `${source === path ? '' : `${JOURNAL} `}line ${entry.seq}`;
  // A recording may come from anywhere: nothing in it may drive the terminal that replays it.
  const entries = plainValue(logs.size === 0 ? parsed.entries : withRangesRead(parsed.entries, logs)).map((entry) => {
    const fields = READ_FIELDS[entry.type]?.safeParse(entry.data);
    if (fields && !fields.success) throw new RecordingError(`${where(entry)}: ${entry.type} event: ${issueText(fields.error)}`);
    if (entry.type !== 'session.start') return entry;
    const start = readSessionStart(entry.data);
    if ('problem' in start) throw new RecordingError(`${where(entry)}: ${start.problem}`);
    return { ...entry, data: start };
  });
  const recording: Recording = { source, entries, sha256: sha256(bytes), lines, ...(brokenAt ? { brokenAt } : {}) };
  if (brokenAt && !force) return recording;
  if (entries.length === 0) throw new RecordingError(`no journal events in ${inJournal} (${lines} lines)`);
  if (!entries.some((e) => e.type === 'session.start')) throw new RecordingError(`no session.start event in ${inJournal}: not a warroom journal`);
  return recording;
}

/** `FILE:LINE: reason`, the way the operator's editor jumps to it. */
export function describeBreak(recording: Pick<Recording, 'source'>, brokenAt: ChainBreak): string {
  return `${recording.source}:${brokenAt.line}: the journal's chain breaks here (${brokenAt.reason})`;
}
