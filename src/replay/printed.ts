import type { Approval, SessionEvent } from '../../machines/types.js';
import type { JournalEntry } from '../journal/journal.js';
import type { Plan } from '../plan/schema.js';

// What a live headless run printed, recovered from its journal: every
// announcement as it was announced, every output line as `step | line`, the
// lines the headless driver added (refused approvals-file answers, an
// interrupt) and the closing summary. The journal's order is the order.

export interface OutputBatch {
  step: string;
  stream: 'stdout' | 'stderr';
  lines: string[];
}

export interface SessionStart {
  sessionId: string;
  operator: string;
  evidenceDir: string;
  planPath?: string;
  plan: Plan;
}

export interface SessionEnd {
  sessionId: string;
  exitCode: number;
  outcome: string;
  state: string;
}

/** Reads the printed lines entry by entry; it keeps what later lines need (prefix, current state). */
export class HeadlessPrinter {
  private prefix = 'WARROOM';
  private evidenceDir = '';
  private where = '';

  /** The lines the live run printed for this entry (most entries print nothing). */
  linesOf(entry: JournalEntry): string[] {
    switch (entry.type) {
      case 'session.start': {
        const start = entry.data as SessionStart;
        this.prefix = start.plan?.announce?.prefix ?? this.prefix;
        this.evidenceDir = start.evidenceDir;
        return [];
      }
      case 'transition':
        this.where = (entry.data as { to: string }).to;
        return [];
      case 'announcement':
        return [(entry.data as { text: string }).text];
      case 'output': {
        const batch = entry.data as OutputBatch;
        return batch.lines.map((line) => `${batch.step} | ${line}`);
      }
      case 'answer.refused': {
        const refused = refusedFromFile(entry.data);
        return refused ? [`[${this.prefix} REFUSED] ${refused}: not accepted by the plan (role, stakeholder or separation of duties)`] : [];
      }
      case 'session.interrupted':
        return [`[${this.prefix} ERROR] - "Failed at ${this.where}. Reason: interrupted by ${(entry.data as { signal: string }).signal}. Awaiting instructions."`];
      case 'session.end': {
        const end = entry.data as SessionEnd;
        return [`warroom: session ${end.sessionId} ended ${end.outcome} (${end.state}), exit ${end.exitCode}. Evidence: ${this.evidenceDir}`];
      }
      default:
        return [];
    }
  }
}

/** The headless driver says so when the approvals file offers an answer the plan does not take. */
function refusedFromFile(data: unknown): string | undefined {
  const event = data as SessionEvent;
  const answer: Approval | undefined = event.type === 'APPROVAL' ? event.approval : event.type === 'ACKNOWLEDGE' ? event.acknowledgement : undefined;
  if (!answer || answer.source !== 'file') return undefined;
  return event.type === 'APPROVAL'
    ? `production ${answer.decision} by ${answer.name} (${answer.role}, ${answer.user})`
    : `freeze acknowledgement by ${answer.name} (${answer.role})`;
}
