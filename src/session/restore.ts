import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { resumePoint, type PersistedRelease, type ResumePoint } from '../../machines/resume.js';
import type { SessionEvent } from '../../machines/types.js';
import { JOURNAL } from '../evidence/files.js';
import { dropTornTail, readJournal, type JournalEntry } from '../journal/journal.js';
import { issueText } from '../journal/session-start.js';
import type { MetricSample } from '../probes/types.js';

// Finding and loading a stopped session for `warroom resume`. The journal is
// the truth: the snapshot says where the chart stood after journal line
// `seq`, and whatever was journaled after that line is heard again.

/** session.json in the session's state folder. */
const sessionRecordSchema = z.object({
  sessionId: z.string().min(1),
  planPath: z.string().min(1),
  planDir: z.string().min(1).optional(),
  planFile: z.string().min(1).optional(),
  evidenceDir: z.string().min(1),
  pid: z.number().int().positive(),
  /** The socket others attach to (absent in sessions started before attach existed). */
  socket: z.string().optional(),
});

export type SessionRecord = z.infer<typeof sessionRecordSchema>;

export interface Restored {
  sessionId: string;
  point: ResumePoint;
  /** The whole journal: the screen's tails and the communication log continue from it. */
  entries: JournalEntry[];
  /** Answers and samples journaled after the snapshot was written. */
  trailing: SessionEvent[];
  /** Bytes of a half-written last journal line that were cut off. */
  tornBytes: number;
}

/** A reason resume cannot go on, in one line for the operator. */
export class ResumeError extends Error {}

const quote = (text: string) => (/^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`);

export function resumeCommandFor(sessionDir: string): string {
  return `warroom resume ${quote(sessionDir)}`;
}

/** A state file read back and checked against `schema`: a damaged one is a ResumeError naming the file. */
function readJson<T>(path: string, what: string, schema: z.ZodType): T {
  let content: unknown;
  try {
    content = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ResumeError(`${path}: ${code === 'ENOENT' ? `no ${what}` : `unreadable ${what} (${code ?? (error as Error).message})`}`);
  }
  const checked = schema.safeParse(content);
  if (!checked.success) throw new ResumeError(`${path}: not a ${what} (${issueText(checked.error)})`);
  return content as T;
}

/** The parts of snapshot.json that resuming reads; the rest is XState's own. */
const snapshotFileSchema = z.object({
  seq: z.number().int().nonnegative(),
  snapshot: z.looseObject({
    status: z.string(),
    value: z.union([z.string(), z.record(z.string(), z.unknown())]),
    context: z.looseObject({ plan: z.looseObject({}) }),
    children: z.record(z.string(), z.unknown()),
  }),
});

interface SnapshotFile {
  seq: number;
  snapshot: PersistedRelease;
}

/** Whether the session's process still runs: a zombie or a reused pid running something else does not count. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('warroom');
  } catch {
    // No /proc (not Linux): trust the signal check.
    return true;
  }
}

/** The folders of the state folder that hold `file`, the most recently written first. */
function sessionFolders(stateDir: string, file: string): string[] {
  let names: string[];
  try {
    names = readdirSync(stateDir);
  } catch {
    throw new ResumeError(`no session state in ${stateDir} (give the session folder, or --state DIR)`);
  }
  return names
    .map((name) => join(stateDir, name))
    .filter((dir) => existsSync(join(dir, file)))
    .sort((a, b) => statSync(join(b, file)).mtimeMs - statSync(join(a, file)).mtimeMs);
}

/** The session folder SESSION names (a path or an id under the state folder), or the latest unfinished one. */
export function findSessionDir(session: string | undefined, stateDir: string, cwd: string): string {
  if (session !== undefined) {
    const candidates = [resolve(cwd, session), join(stateDir, session)];
    const found = candidates.find((dir) => existsSync(join(dir, 'session.json')));
    if (!found) throw new ResumeError(`no session ${session}: neither ${candidates[0]} nor ${candidates[1]} holds a session.json`);
    return found;
  }
  const unfinished = sessionFolders(stateDir, 'snapshot.json').filter((dir) => {
    try {
      return (JSON.parse(readFileSync(join(dir, 'snapshot.json'), 'utf8')) as SnapshotFile).snapshot.status === 'active';
    } catch {
      return false;
    }
  });
  if (unfinished.length === 0) throw new ResumeError(`no unfinished session in ${stateDir}`);
  return unfinished[0]!;
}

/** The live session SESSION names (its folder or id), or the newest live one in the state folder. */
export function findLiveSession(session: string | undefined, stateDir: string, cwd: string): SessionRecord {
  const dirs = session !== undefined ? [findSessionDir(session, stateDir, cwd)] : sessionFolders(stateDir, 'session.json');
  const live = dirs
    .map((dir) => readJson<SessionRecord>(join(dir, 'session.json'), 'session record', sessionRecordSchema))
    .filter((record) => isAlive(record.pid) && record.socket !== undefined);
  if (live.length === 0) throw new ResumeError(session !== undefined ? `session ${session} is not running (resume it instead)` : `no live session in ${stateDir}`);
  return live[0]!;
}

/** Loads a stopped session; every reason it cannot continue is a ResumeError. */
export function loadSession(sessionDir: string): { record: SessionRecord; restored: Restored } {
  const record = readJson<SessionRecord>(join(sessionDir, 'session.json'), 'session record', sessionRecordSchema);
  if (record.pid !== process.pid && isAlive(record.pid)) {
    throw new ResumeError(`session ${record.sessionId} is still running (pid ${record.pid}); it cannot be resumed twice`);
  }
  const file = readJson<SnapshotFile>(join(sessionDir, 'snapshot.json'), 'snapshot', snapshotFileSchema);
  let point: ResumePoint;
  try {
    point = resumePoint(file.snapshot);
  } catch (error) {
    throw new ResumeError(`session ${record.sessionId}: ${(error as Error).message}; nothing to resume`);
  }
  const journalPath = join(record.evidenceDir, JOURNAL);
  if (!existsSync(journalPath)) throw new ResumeError(`${journalPath}: the session's journal is missing; resume refused`);
  const tornBytes = dropTornTail(journalPath);
  const { entries, brokenAt } = readJournal(journalPath);
  if (brokenAt) {
    throw new ResumeError(`${journalPath}:${brokenAt.line}: the journal's chain breaks here (${brokenAt.reason}); resume refused, run warroom verify`);
  }
  const trailing = entries.filter((entry) => entry.seq > file.seq).flatMap(replayable);
  const survivor = survivingGroup(entries);
  if (point.interrupted && survivor !== undefined) {
    point.interrupted.reason += `; its processes (group ${survivor}) are still running: check them before a retry`;
  }
  return { record, restored: { sessionId: record.sessionId, point, entries, trailing, tornBytes } };
}

/** The process group of a command that started and never ended in the journal, if it still runs. */
function survivingGroup(entries: JournalEntry[]): number | undefined {
  let pgid: number | undefined;
  for (const entry of entries) {
    if (entry.type === 'command.spawned') pgid = (entry.data as { pgid: number }).pgid;
    if (entry.type === 'command.end') pgid = undefined;
  }
  if (pgid === undefined) return undefined;
  try {
    process.kill(-pgid, 0);
    return pgid;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pgid : undefined;
  }
}

function replayable(entry: JournalEntry): SessionEvent[] {
  if (entry.type === 'answer') return [entry.data as SessionEvent];
  if (entry.type === 'metric') return [{ type: 'SAMPLE', sample: entry.data as MetricSample }];
  return [];
}
