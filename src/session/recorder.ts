import type { ArtifactName, GateName, SessionContext } from '../../machines/types.js';
import { COMMUNICATION_LOG, JOURNAL, artifactPath } from '../evidence/files.js';
import { renderArtifact } from '../evidence/render/index.js';
import { json } from '../evidence/render/format.js';
import { maskValue } from '../safety/mask.js';
import { EvidenceDir } from '../evidence/writer.js';
import { readManualValidations } from '../evidence/manual-log.js';
import { createHash, type Hash } from 'node:crypto';
import { Journal, sha256, type JournalEntry } from '../journal/journal.js';
import { INLINE_OUTPUT_BYTES, OUTPUT, OUTPUT_RANGE, type OutputBatch, type OutputRange } from '../journal/output.js';
import type { OutputLines, OutputStream } from '../runner/types.js';

// The one place where what the session does becomes evidence: the journal
// (every event), the communication log (every announcement) and the
// protocol's artifacts (rendered from the chart's context).

/** Lines in one `output` event: one event per line would double the cost of output. */
const OUTPUT_BATCH = 200;
/** Bytes one `output.range` covers at most, so a crash loses at most this much of the journal's account. */
const RANGE_MAX_BYTES = 8 * 1024 * 1024;

/** Lines as they were appended to a step's log. */
export interface LogWrite {
  log: string;
  offset: number;
  /** The bytes written, valid during the call. */
  bytes: Buffer;
}

type Pending = ({ kind: 'lines' } & OutputBatch) | ({ kind: 'range'; hash: Hash } & Omit<OutputRange, 'sha256'>);

export interface RecorderOptions {
  evidenceDir: string;
  /** Masks the session's secrets in text: every journaled event and every artifact goes through it (output is masked on its way in). */
  mask: (text: string) => string;
  planFile: string;
  operator: string;
  /** A resumed session's journal so far: the communication log goes on from it. */
  history?: JournalEntry[];
  /** Told once when the journal or the communication log cannot be written (a full disk): the session cannot go on recording. */
  onWriteFailure?: (file: string, error: Error) => void;
}

export class Recorder {
  readonly evidence: EvidenceDir;
  readonly journal: Journal;
  private readonly announcements: string[] = [];
  private pending: Pending | undefined;
  /** Output journaled as text so far, by log. */
  private readonly inlined = new Map<string, number>();
  private closed = false;

  constructor(private readonly options: RecorderOptions) {
    this.evidence = new EvidenceDir(options.evidenceDir);
    this.journal = Journal.open(this.evidence.path(JOURNAL), (error) => options.onWriteFailure?.(JOURNAL, error));
    for (const entry of options.history ?? []) {
      if (entry.type === 'announcement') this.announcements.push(`- ${entry.ts} ${(entry.data as { text: string }).text}`);
    }
  }

  event<T>(type: string, data: T, durable = false): void {
    // session.end is the journal's last line: work still settling after it is not journaled.
    if (this.closed) return;
    if (type !== OUTPUT) this.flushOutput();
    // An argv or a plan may hold a secret the plan's author typed in: the journal never does.
    this.journal.append(type, type === OUTPUT ? data : maskValue(data, this.options.mask), durable);
  }

  announce(kind: string, text: string): void {
    if (this.closed) return;
    this.event('announcement', { kind, text });
    this.announcements.push(`- ${new Date().toISOString()} ${text}`);
    this.writeCommunicationLog();
  }

  /** Something about the announcements themselves (a webhook that failed): logged, journaled, not announced. */
  note(text: string): void {
    if (this.closed) return;
    this.event('notify', { message: text });
    this.announcements.push(`- ${new Date().toISOString()} (delivery) ${text}`);
    this.writeCommunicationLog();
  }

  private writeCommunicationLog(): void {
    try {
      this.evidence.write(COMMUNICATION_LOG, `# Communication log\n\nEvery announcement of the session, in order.\n\n${this.announcements.join('\n')}\n`);
    } catch (error) {
      // Rewritten whole each time, atomically: the last good copy stays until the session stops.
      this.options.onWriteFailure?.(COMMUNICATION_LOG, error as Error);
    }
  }

  /** Output lines just appended to a step's log: journaled as text, then, past a step's first megabyte, by reference. */
  output(step: string, stream: OutputStream, lines: OutputLines, written: LogWrite): void {
    const inlined = this.inlined.get(written.log) ?? 0;
    if (inlined < INLINE_OUTPUT_BYTES) {
      this.inlined.set(written.log, inlined + written.bytes.length);
      const pending = this.pending;
      if (pending && (pending.kind !== 'lines' || pending.step !== step || pending.stream !== stream || pending.lines.length >= OUTPUT_BATCH)) this.flushOutput();
      this.pending ??= { kind: 'lines', step, stream, lines: [] };
      if (this.pending.kind === 'lines') for (const line of lines.evidence()) this.pending.lines.push(line);
      return;
    }
    const pending = this.pending;
    const follows = pending?.kind === 'range' && pending.log === written.log && pending.stream === stream && pending.offset + pending.bytes === written.offset;
    if (pending && (!follows || pending.bytes >= RANGE_MAX_BYTES)) this.flushOutput();
    if (this.pending?.kind !== 'range') {
      this.pending = { kind: 'range', step, stream, log: written.log, offset: written.offset, bytes: 0, lines: 0, hash: createHash('sha256') };
    }
    this.pending.hash.update(written.bytes);
    this.pending.bytes += written.bytes.length;
    this.pending.lines += lines.count;
  }

  flushOutput(): void {
    if (!this.pending || this.closed) return;
    const pending = this.pending;
    this.pending = undefined;
    if (pending.kind === 'lines') {
      this.journal.append(OUTPUT, { step: pending.step, stream: pending.stream, lines: pending.lines } satisfies OutputBatch);
      return;
    }
    const { kind: _, hash, ...range } = pending;
    this.journal.append(OUTPUT_RANGE, { ...range, sha256: hash.digest('hex') } satisfies OutputRange);
  }

  writeArtifacts(artifacts: ArtifactName[], context: SessionContext): void {
    if (this.closed) return;
    for (const name of artifacts) {
      const relative = artifactPath(name);
      const rendered = renderArtifact(name, context, {
        generatedAt: new Date().toISOString(),
        planFile: this.options.planFile,
        operator: this.options.operator,
        communicationLog: this.announcements,
        files: this.presentFiles(context),
        ...(name === 'report' ? { manualValidations: readManualValidations(this.options.evidenceDir) } : {}),
      });
      const content = maskedArtifact(relative, rendered, this.options.mask);
      this.evidence.write(relative, content);
      if (name.startsWith('gate:')) this.event('gate', context.gates[name.slice('gate:'.length) as GateName], true);
      this.event('evidence', { artifact: name, path: relative, sha256: sha256(content) }, true);
    }
  }

  private presentFiles(context: SessionContext): string[] {
    const files = new Set<string>([JOURNAL, COMMUNICATION_LOG]);
    for (const name of context.evidence) files.add(artifactPath(name));
    for (const command of context.commands) files.add(command.log);
    for (const check of [...context.staging, ...context.checks, ...(context.rollback?.checks ?? [])]) if (check.log) files.add(check.log);
    return [...files].sort();
  }

  close(): void {
    this.flushOutput();
    this.closed = true;
    this.journal.close();
  }
}

/** An artifact with the session's secrets masked: a JSON one value by value (it stays valid JSON), any other line by line. */
function maskedArtifact(relative: string, content: string, mask: (text: string) => string): string {
  if (!relative.endsWith('.json')) return content.split('\n').map(mask).join('\n');
  const value: unknown = JSON.parse(content);
  const masked = maskValue(value, mask);
  return masked === value ? content : json(masked);
}
