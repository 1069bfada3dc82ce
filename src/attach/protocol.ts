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

export const encode = (message: ClientMessage | ServerMessage): string => `${JSON.stringify(message)}\n`;

/** Splits a byte stream into JSON messages; a line that is not JSON ends the connection (`onBad`). */
export function messageReader<T>(onMessage: (message: T) => void, onBad: (reason: string) => void, maxLine = 4 * 1024 * 1024): (chunk: Buffer) => void {
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
