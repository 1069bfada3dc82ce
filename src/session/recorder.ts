import type { ArtifactName, GateName, SessionContext } from '../../machines/types.js';
import { COMMUNICATION_LOG, JOURNAL, artifactPath } from '../evidence/files.js';
import { renderArtifact } from '../evidence/render/index.js';
import { EvidenceDir } from '../evidence/writer.js';
import { readManualValidations } from '../evidence/manual-log.js';
import { Journal, sha256, type JournalEntry } from '../journal/journal.js';
import type { OutputStream } from '../runner/types.js';

// The one place where what the session does becomes evidence: the journal
// (every event), the communication log (every announcement) and the
// protocol's artifacts (rendered from the chart's context).

const OUTPUT_BATCH = 200;

export interface RecorderOptions {
  evidenceDir: string;
  planFile: string;
  operator: string;
  /** A resumed session's journal so far: the communication log goes on from it. */
  history?: JournalEntry[];
}

export class Recorder {
  readonly evidence: EvidenceDir;
  readonly journal: Journal;
  private readonly announcements: string[] = [];
  private pending: { step: string; stream: OutputStream; lines: string[] } | undefined;
  private closed = false;

  constructor(private readonly options: RecorderOptions) {
    this.evidence = new EvidenceDir(options.evidenceDir);
    this.journal = Journal.open(this.evidence.path(JOURNAL));
    for (const entry of options.history ?? []) {
      if (entry.type === 'announcement') this.announcements.push(`- ${entry.ts} ${(entry.data as { text: string }).text}`);
    }
  }

  event<T>(type: string, data: T, durable = false): void {
    // session.end is the journal's last line: work still settling after it is not journaled.
    if (this.closed) return;
    if (type !== 'output') this.flushOutput();
    this.journal.append(type, data, durable);
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
    this.evidence.write(COMMUNICATION_LOG, `# Communication log\n\nEvery announcement of the session, in order.\n\n${this.announcements.join('\n')}\n`);
  }

  /** Output lines are journaled in batches: one event per line would double the cost of a flood. */
  output(step: string, stream: OutputStream, lines: readonly string[]): void {
    if (this.pending && (this.pending.step !== step || this.pending.stream !== stream || this.pending.lines.length >= OUTPUT_BATCH)) this.flushOutput();
    this.pending ??= { step, stream, lines: [] };
    for (const line of lines) this.pending.lines.push(line);
  }

  flushOutput(): void {
    if (!this.pending || this.closed) return;
    const batch = this.pending;
    this.pending = undefined;
    this.journal.append('output', batch);
  }

  writeArtifacts(artifacts: ArtifactName[], context: SessionContext): void {
    if (this.closed) return;
    for (const name of artifacts) {
      const relative = artifactPath(name);
      const content = renderArtifact(name, context, {
        generatedAt: new Date().toISOString(),
        planFile: this.options.planFile,
        operator: this.options.operator,
        communicationLog: this.announcements,
        files: this.presentFiles(context),
        ...(name === 'report' ? { manualValidations: readManualValidations(this.options.evidenceDir) } : {}),
      });
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
