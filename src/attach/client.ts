import { connect, type Socket } from 'node:net';
import { releaseMachine } from '../../machines/release.js';
import type { SessionContext, SessionEvent } from '../../machines/types.js';
import type { Attendee, ConsoleSession, OutputLine, ReleaseSnapshot } from '../../views/port.js';
import { RingTail } from '../session/tail.js';
import { encode, messageReader, type AttachRole, type Participant, type ServerMessage } from './protocol.js';

// An attached console: the same port the operator's console uses, fed from the
// session's socket. The chart's state is rebuilt locally from the value and
// context the session sends (nothing runs here); answers go back as commands.

const OUTPUT_TAIL = 2_000;
const ANNOUNCEMENT_TAIL = 200;

export interface AttachedSession extends ConsoleSession {
  /** Who the session says we are (verified by the operating system). */
  you: Participant;
  sessionId: string;
  /** Answers and refusals from the session, newest last. */
  results: RingTail<string>;
  /** Resolves when the session ends or the connection closes: the ending, when the session said it. */
  closed: Promise<{ outcome: string; exitCode: number; state: string } | undefined>;
  close(): void;
}

export function attachTo(socketPath: string, as: AttachRole): Promise<AttachedSession> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(socketPath);
    const output = new RingTail<OutputLine>(OUTPUT_TAIL);
    const announcements = new RingTail<string>(ANNOUNCEMENT_TAIL);
    const results = new RingTail<string>(50);
    const listeners = new Set<() => void>();
    const changed = () => {
      for (const listener of listeners) listener();
    };
    let snapshot: ReleaseSnapshot | undefined;
    let version = '';
    let attendees: Attendee[] = [];
    let welcome: Extract<ServerMessage, { type: 'welcome' }> | undefined;
    let ending: { outcome: string; exitCode: number; state: string } | undefined;
    let finish!: (value: typeof ending) => void;
    const closed = new Promise<typeof ending>((done) => (finish = done));
    let settled = false;

    const session = (): AttachedSession => ({
      you: welcome!.you,
      sessionId: welcome!.sessionId,
      operator: welcome!.you.user,
      evidenceDir: welcome!.evidenceDir,
      resumeCommand: 'the session goes on without you; attach again at any time',
      output,
      announcements,
      results,
      closed,
      getSnapshot: () => snapshot!,
      subscribe: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      attendees: () => attendees,
      send: (event: SessionEvent) => {
        if (!snapshot || !snapshot.can(event)) return false;
        socket.write(encode({ type: 'answer', version, event }));
        return true;
      },
      close: () => socket.end(),
    });

    const onMessage = (message: ServerMessage): void => {
      switch (message.type) {
        case 'welcome':
          welcome = message;
          break;
        case 'state':
          snapshot = releaseMachine.resolveState({ value: message.value as never, context: message.context as SessionContext });
          version = message.version;
          if (!settled && welcome) {
            settled = true;
            resolve(session());
          }
          break;
        case 'output':
          for (const line of message.lines) output.push(line);
          break;
        case 'announcements':
          for (const line of message.lines) announcements.push(line);
          break;
        case 'presence':
          attendees = message.participants;
          break;
        case 'result':
          results.push(message.accepted ? 'accepted' : `refused: ${message.reason ?? 'no reason given'}`);
          if (!message.accepted) announcements.push(`[REFUSED] ${message.reason ?? 'the session did not take that answer'}`);
          break;
        case 'refused':
          if (!settled) {
            settled = true;
            reject(new Error(message.reason));
          } else announcements.push(`[REFUSED] the session ended this connection: ${message.reason}`);
          break;
        case 'ended':
          ending = { outcome: message.outcome, exitCode: message.exitCode, state: message.state };
          break;
      }
      changed();
    };

    socket.on('data', messageReader<ServerMessage>(onMessage, (reason) => socket.destroy(new Error(`the session sent ${reason}`))));
    socket.on('connect', () => socket.write(encode({ type: 'hello', as })));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (!settled) {
        settled = true;
        reject(new Error(error.code === 'EACCES' ? `no permission to open ${socketPath} (ask for the session's group)` : error.code === 'ECONNREFUSED' || error.code === 'ENOENT' ? `no live session at ${socketPath}` : error.message));
      }
    });
    socket.on('close', () => {
      if (!settled) {
        settled = true;
        reject(new Error('the session closed the connection'));
      }
      finish(ending);
      changed();
    });
  });
}
