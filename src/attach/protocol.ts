import { z } from 'zod';
import type { SessionContext, SessionEvent } from '../../machines/types.js';
import { statePath } from '../../machines/resume.js';
import type { OutputLine } from '../../views/port.js';

// What travels over a session's socket: one JSON object a line each way.
// Clients send commands (answer, decide), never keystrokes; the session sends
// its state, output and announcements, starting with a full snapshot.

export type AttachRole = 'observer' | 'approver' | 'driver';
export const ATTACH_ROLES: AttachRole[] = ['observer', 'approver', 'driver'];

/** Someone attached, as the operating system vouched for them. */
export interface Participant {
  user: string;
  uid: number;
  role: AttachRole;
  /** How the login was learned, e.g. `SO_PEERCRED`. */
  method: string;
  /** The stakeholder entry of that login, when there is one. */
  name?: string;
  since: string;
}

export type ClientMessage =
  | { type: 'hello'; as: AttachRole }
  /** `version` is the prompt the answer was given to (promptVersion); a changed prompt refuses it. */
  | { type: 'answer'; version: string; event: SessionEvent };

export type ServerMessage =
  | { type: 'welcome'; you: Participant; operator: string; evidenceDir: string; sessionId: string }
  /** `version`: the prompt as it is now; an answer echoes it. */
  | { type: 'state'; value: unknown; context: SessionContext; version: string }
  | { type: 'output'; lines: OutputLine[]; total: number }
  | { type: 'announcements'; lines: string[]; total: number }
  | { type: 'presence'; participants: Participant[] }
  | { type: 'result'; accepted: boolean; reason?: string }
  | { type: 'refused'; reason: string }
  | { type: 'ended'; outcome: string; exitCode: number; state: string };

// What the session accepts, checked before anything reads it: a line that parses as JSON
// but has another shape ends that connection, never the session.
const claimedPerson = z.object({ name: z.string(), role: z.string() });
const answerBody = claimedPerson.extend({ decision: z.enum(['approve', 'reject']), reason: z.string().optional() });

/** The events an attached console may send, in the shape the session reads them (other fields are ignored). */
export const attachedEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('APPROVAL'), approval: answerBody }),
  z.object({ type: z.literal('ACKNOWLEDGE'), acknowledgement: answerBody }),
  z.object({ type: z.literal('WAIVE'), by: claimedPerson.optional(), reason: z.string().optional() }),
  z.object({ type: z.enum(['RETRY', 'EXTEND_SOAK']) }),
  z.object({ type: z.enum(['ROLLBACK', 'ABORT']), reason: z.string().optional() }),
]);
export type AttachedEvent = z.infer<typeof attachedEventSchema>;
const ATTACHED_EVENT_TYPES: ReadonlySet<string> = new Set(['APPROVAL', 'ACKNOWLEDGE', 'WAIVE', 'RETRY', 'EXTEND_SOAK', 'ROLLBACK', 'ABORT']);
/** Any other event is well formed enough to be refused by name ("cannot be sent from an attached console"). */
const otherEvent = z.object({ type: z.string().refine((type) => !ATTACHED_EVENT_TYPES.has(type), 'a malformed event') });

export const isAttachedEvent = (event: { type: string }): event is AttachedEvent => ATTACHED_EVENT_TYPES.has(event.type);

export const receivedMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), as: z.enum(['observer', 'approver', 'driver']) }),
  z.object({ type: z.literal('answer'), version: z.string(), event: z.union([attachedEventSchema, otherEvent]) }),
]);
/** A client's message as the session has checked it. */
export type ReceivedMessage = z.infer<typeof receivedMessageSchema>;

/** The message, or why it is malformed (one line, for the refusal). */
export function checkClientMessage(message: unknown): ReceivedMessage | string {
  const checked = receivedMessageSchema.safeParse(message);
  if (checked.success) return checked.data;
  const issue = checked.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  return `a malformed message${where}: ${issue?.message ?? 'not a command'}`;
}

export const encode = (message: ClientMessage | ServerMessage): string => `${JSON.stringify(message)}\n`;

/** Splits a byte stream into JSON messages; a line that is not JSON ends the connection (`onBad`). */
export function messageReader<T = unknown>(onMessage: (message: T) => void, onBad: (reason: string) => void, maxLine = 4 * 1024 * 1024): (chunk: Buffer) => void {
  let pending = '';
  return (chunk) => {
    pending += chunk.toString('utf8');
    if (pending.length > maxLine && !pending.includes('\n')) return onBad(`a message longer than ${maxLine} bytes`);
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (line.trim() === '') continue;
      let message: T;
      try {
        message = JSON.parse(line) as T;
      } catch {
        return onBad('a message that is not JSON');
      }
      onMessage(message);
    }
  };
}

/**
 * What a prompt is, for answers sent from elsewhere: the state, the halt, and the
 * answers already in. Time passing does not change it; anything an answerer should
 * have seen does.
 */
export function promptVersion(value: unknown, context: SessionContext): string {
  return [statePath(value), context.halt?.since ?? '', context.approvals.length, context.acknowledgements.length, context.decisions.length].join('|');
}
