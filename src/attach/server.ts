import { chmodSync, chownSync, readFileSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { Approval, Person, SessionEvent } from '../../machines/types.js';
import type { Session } from '../session/session.js';
import { peerIdentity, type PeerIdentity } from './identity.js';
import { checkClientMessage, encode, isAttachedEvent, messageReader, promptVersion, type AttachedEvent, type AttachRole, type Participant, type ReceivedMessage, type ServerMessage } from './protocol.js';

// The live session's socket: several clients at once, each told the current
// state first, then what changes. A client that stops reading never slows the
// session: it is skipped (and not read) until it drains, then sent a fresh snapshot.
// Whoever can open the socket is not trusted until the kernel says who it is, and
// nothing anyone sends, or fails to send, ends more than their own connection.

const FLUSH_MS = 100;
const RESYNC_OUTPUT_LINES = 200;
const RESYNC_ANNOUNCEMENTS = 50;
/** How long a client may take to read its last messages when the session ends. */
const CLOSE_GRACE_MS = 2_000;
/** Messages a client may send before it is welcomed: its hello, and no more than a few after it. */
const QUEUED_BEFORE_WELCOME = 8;
/** A client's command is a short line; a longer one ends its connection. */
const MAX_COMMAND_BYTES = 64 * 1024;

/** What one socket will hold for the people attached to it; anything past these is refused or disconnected, never the session's problem. */
export interface AttachLimits {
  /** Connections at once, welcomed or not. */
  maxClients: number;
  /** Connections not yet welcomed (being verified, or not yet said hello) at once: each may run an identity helper. */
  maxUnwelcomed: number;
  /** How long a connection has to say hello and be verified. */
  helloTimeoutMs: number;
  /** Bytes queued for one client before it counts as behind: no state, and its commands are not read, until it drains. */
  behindBytes: number;
  /** Bytes queued for one client (replies, presence, anything but state) past which it is disconnected. */
  maxQueuedBytes: number;
}

export const ATTACH_LIMITS: Readonly<AttachLimits> = {
  maxClients: 32,
  maxUnwelcomed: 8,
  helloTimeoutMs: 10_000,
  behindBytes: 1024 * 1024,
  maxQueuedBytes: 4 * 1024 * 1024,
};

const ANSWERS: Record<AttachRole, ReadonlySet<string>> = {
  observer: new Set(),
  approver: new Set(['APPROVAL', 'ACKNOWLEDGE']),
  driver: new Set(['APPROVAL', 'ACKNOWLEDGE', 'RETRY', 'WAIVE', 'ROLLBACK', 'ABORT', 'EXTEND_SOAK']),
};

interface Client {
  socket: Socket;
  who?: Participant;
  /** Why the session is ending this connection, once it is. */
  ending?: string;
  behind: boolean;
  sentOutput: number;
  sentAnnouncements: number;
  sentState?: unknown;
}

export interface ServedSession {
  socketPath: string;
  participants(): readonly Participant[];
  /** Says the ending to every client, then closes the socket. */
  close(ending?: { outcome: string; exitCode: number; state: string }): Promise<void>;
}

/** The numeric id of a group, from /etc/group (Node has no lookup). */
export function groupId(name: string): number | undefined {
  try {
    for (const line of readFileSync('/etc/group', 'utf8').split('\n')) {
      const [group, , gid] = line.split(':');
      if (group === name && gid !== undefined) return Number(gid);
    }
  } catch {
    // no /etc/group: unknown
  }
  return undefined;
}

export async function serveSession(session: Session, socketPath: string, onChange: () => void = () => {}, limitsGiven: Partial<AttachLimits> = {}): Promise<ServedSession> {
  const plan = session.options.plan;
  const limits: AttachLimits = { ...ATTACH_LIMITS, ...limitsGiven };
  const clients = new Set<Client>();
  const participants = (): Participant[] => [...clients].flatMap((c) => (c.who ? [c.who] : []));

  // Says why, then lets go of the descriptor as soon as the line is handed to the kernel (a peer that never reads cannot hold it).
  const goodbye = (socket: Socket, reason?: string): void => {
    if (socket.destroyed) return;
    const release = () => socket.destroy();
    if (reason === undefined) socket.end(release);
    else socket.end(encode({ type: 'refused', reason }), release);
    setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
  };

  /** `state`: a sync, sent only while the client is not behind; anything else (replies above all) counts against the cap. */
  const send = (client: Client, message: ServerMessage, state = false): void => {
    if (client.socket.destroyed || client.ending !== undefined) return;
    client.socket.write(encode(message));
    const queuedBytes = client.socket.writableLength;
    if (!state && queuedBytes > limits.maxQueuedBytes) {
      client.ending = `more than ${limits.maxQueuedBytes} bytes queued and unread`;
      client.socket.destroy();
      return;
    }
    if (queuedBytes > limits.behindBytes && !client.behind) {
      client.behind = true;
      // Its commands wait in the kernel until it reads: a client cannot make the session queue replies faster than it takes them.
      client.socket.pause();
      session.journal('attach.behind', { user: client.who?.user, queuedBytes });
    }
  };

  const sync = (client: Client, full: boolean): void => {
    const snapshot = session.getSnapshot();
    if (full || snapshot !== client.sentState) {
      client.sentState = snapshot;
      send(client, { type: 'state', value: snapshot.value, context: snapshot.context, version: promptVersion(snapshot.value, snapshot.context) }, true);
    }
    const { output, announcements } = session;
    const outputFrom = full ? Math.max(client.sentOutput, output.total - RESYNC_OUTPUT_LINES) : client.sentOutput;
    if (output.total > outputFrom) send(client, { type: 'output', lines: [...output.tail(output.total - outputFrom)], total: output.total }, true);
    client.sentOutput = output.total;
    const announcedFrom = full ? Math.max(client.sentAnnouncements, announcements.total - RESYNC_ANNOUNCEMENTS) : client.sentAnnouncements;
    if (announcements.total > announcedFrom) send(client, { type: 'announcements', lines: [...announcements.tail(announcements.total - announcedFrom)], total: announcements.total }, true);
    client.sentAnnouncements = announcements.total;
  };

  const broadcastPresence = (): void => {
    const list = participants();
    for (const client of clients) if (client.who) send(client, { type: 'presence', participants: list });
    onChange();
  };

  const timer = setInterval(() => {
    for (const client of clients) if (client.who && !client.behind) sync(client, false);
  }, FLUSH_MS);

  const admit = (identity: PeerIdentity, role: AttachRole): Participant | string => {
    const stakeholder = plan.stakeholders.find((s) => s.user === identity.user);
    const operator = identity.user === session.operator;
    if (!stakeholder && !operator) return `${identity.user} is neither a stakeholder of ${plan.release.name} ${plan.release.tag} nor its operator`;
    if (role === 'approver' && !stakeholder) return `${identity.user} is not a stakeholder: approvers must be listed in the plan`;
    return { user: identity.user, uid: identity.uid, role, method: identity.method, ...(stakeholder ? { name: stakeholder.name } : {}), since: new Date().toISOString() };
  };

  // The person an attached answer is recorded as: their own stakeholder entry (or the operator), never what the client wrote.
  const asVerified = (who: Participant, claimed?: { name: string; role: string }): Person | string => {
    const entries = plan.stakeholders.filter((s) => s.user === who.user);
    const chosen = claimed ? entries.find((s) => s.name === claimed.name && s.role === claimed.role) : entries[0];
    if (claimed && !chosen) return `you are ${who.user}: you cannot answer as ${claimed.name} (${claimed.role})`;
    if (chosen) return { name: chosen.name, role: chosen.role, user: who.user, source: 'attach' };
    return { name: who.user, role: 'operator', user: who.user, source: 'attach' };
  };

  const verified = (who: Participant, event: AttachedEvent): SessionEvent | string => {
    const at = new Date().toISOString();
    switch (event.type) {
      case 'APPROVAL':
      case 'ACKNOWLEDGE': {
        const given = event.type === 'APPROVAL' ? event.approval : event.acknowledgement;
        const person = asVerified(who, given);
        if (typeof person === 'string') return person;
        const approval: Approval = { ...person, for: event.type === 'APPROVAL' ? 'production' : 'freeze', decision: given.decision, at, ...(given.reason ? { reason: given.reason } : {}) };
        return event.type === 'APPROVAL' ? { type: 'APPROVAL', approval } : { type: 'ACKNOWLEDGE', acknowledgement: approval };
      }
      case 'WAIVE': {
        const person = asVerified(who, event.by);
        return typeof person === 'string' ? person : { type: 'WAIVE', by: person, reason: event.reason ?? '' };
      }
      case 'RETRY':
      case 'EXTEND_SOAK': {
        const person = asVerified(who);
        return typeof person === 'string' ? person : { type: event.type, by: person };
      }
      case 'ROLLBACK':
      case 'ABORT': {
        const person = asVerified(who);
        if (typeof person === 'string') return person;
        return { type: event.type, by: person, reason: event.reason ?? `${event.type === 'ROLLBACK' ? 'rollback' : 'abort'} chosen by ${who.user} (attached)` };
      }
    }
  };

  const onMessage = (client: Client, message: ReceivedMessage): void => {
    const who = client.who;
    if (!who) return;
    if (message.type !== 'answer') return send(client, { type: 'result', accepted: false, reason: 'unknown command' });
    if (!ANSWERS[who.role].has(message.event.type) || !isAttachedEvent(message.event)) {
      return send(client, { type: 'result', accepted: false, reason: who.role === 'observer' ? 'observers only watch' : `an ${who.role} cannot send ${message.event.type}` });
    }
    const snapshot = session.getSnapshot();
    if (message.version !== promptVersion(snapshot.value, snapshot.context)) {
      session.journal('answer.refused', { by: who.user, reason: 'stale prompt', event: message.event });
      return send(client, { type: 'result', accepted: false, reason: 'the prompt changed since you saw it: look again before answering' });
    }
    const event = verified(who, message.event);
    if (typeof event === 'string') {
      session.journal('answer.refused', { by: who.user, reason: event, event: message.event });
      return send(client, { type: 'result', accepted: false, reason: event });
    }
    const accepted = session.send(event);
    send(client, { type: 'result', accepted, ...(accepted ? {} : { reason: 'the session would not take it (role, stakeholder or separation of duties)' }) });
  };

  const connect = (socket: Socket): void => {
    socket.on('error', () => socket.destroy());
    // Caps before anything is spent on a connection: no identity helper, no journal line, one line of reason.
    if (clients.size >= limits.maxClients) return goodbye(socket, `the session has ${limits.maxClients} connections already: try again when someone leaves`);
    const unwelcomed = [...clients].filter((c) => !c.who).length;
    if (unwelcomed >= limits.maxUnwelcomed) return goodbye(socket, `${limits.maxUnwelcomed} connections are waiting to be verified already: try again in a moment`);

    const client: Client = { socket, behind: false, sentOutput: 0, sentAnnouncements: 0 };
    clients.add(client);
    const queued: ReceivedMessage[] = [];
    const drop = (reason: string) => {
      if (client.ending !== undefined) return;
      send(client, { type: 'refused', reason });
      client.ending = reason;
      goodbye(socket);
    };
    let identity: PeerIdentity | undefined;
    const helloTimer = setTimeout(() => {
      const reason = `${identity ? 'no hello' : 'could not be verified'} within ${limits.helloTimeoutMs / 1000} s of connecting`;
      session.journal('attach.refused', { ...(identity ? { user: identity.user, uid: identity.uid } : {}), reason });
      drop(reason);
    }, limits.helloTimeoutMs);
    helloTimer.unref();
    // The first message is the hello; it is read once the kernel has said who sent it.
    const admitOnce = (): void => {
      if (!identity || client.who || client.ending !== undefined || queued.length === 0) return;
      const hello = queued.shift()!;
      if (hello.type !== 'hello') return drop('say hello (as observer, approver or driver) first');
      const admitted = admit(identity, hello.as);
      if (typeof admitted === 'string') {
        session.journal('attach.refused', { user: identity.user, uid: identity.uid, role: hello.as, reason: admitted });
        return drop(admitted);
      }
      clearTimeout(helloTimer);
      client.who = admitted;
      session.journal('attach.join', admitted);
      send(client, { type: 'welcome', you: admitted, operator: session.operator, evidenceDir: session.evidenceDir, sessionId: session.sessionId });
      session.announce('presence', `[${plan.announce.prefix} ATTACH] ${label(admitted)} joined as ${admitted.role} (login verified by ${admitted.method}).`);
      sync(client, true);
      broadcastPresence();
      for (const message of queued.splice(0)) onMessage(client, message);
    };
    socket.on(
      'data',
      messageReader(
        (raw) => {
          if (client.ending !== undefined) return;
          // Checked for its shape before anything reads it: a malformed line ends this connection only.
          const message = checkClientMessage(raw);
          if (typeof message === 'string') return drop(message);
          if (client.who) return onMessage(client, message);
          if (queued.length >= QUEUED_BEFORE_WELCOME) return drop('say hello, then wait for the welcome before sending more');
          queued.push(message);
          admitOnce();
        },
        (reason) => drop(`the session received ${reason}`),
        MAX_COMMAND_BYTES,
      ),
    );
    socket.on('drain', () => {
      if (!client.behind || !client.who) return;
      client.behind = false;
      socket.resume();
      session.journal('attach.resync', { user: client.who.user });
      sync(client, true);
    });
    socket.on('close', () => {
      clearTimeout(helloTimer);
      clients.delete(client);
      if (!client.who) return;
      session.journal('attach.leave', { user: client.who.user, role: client.who.role, ...(client.ending !== undefined ? { reason: client.ending } : {}) });
      session.announce('presence', `[${plan.announce.prefix} ATTACH] ${label(client.who)} left.`);
      broadcastPresence();
    });
    peerIdentity(socket).then(
      (verified) => {
        identity = verified;
        admitOnce();
      },
      (error: Error) => {
        if (client.ending !== undefined) return;
        session.journal('attach.refused', { reason: error.message });
        drop(error.message);
      },
    );
  };

  try {
    unlinkSync(socketPath);
  } catch {
    // none left over
  }
  const server: Server = createServer(connect);
  await new Promise<void>((listening, failed) => {
    server.once('error', failed);
    server.listen(socketPath, () => {
      server.off('error', failed);
      listening();
    });
  });
  // Once listening, an error is one connection the kernel would not hand over (out of descriptors): never the session's end.
  server.on('error', (error: NodeJS.ErrnoException) => session.journal('attach.refused', { reason: `cannot accept a connection: ${error.code ?? error.message}` }));
  // Readable and writable by the owner and the plan's session group only.
  chmodSync(socketPath, 0o660);
  const gid = plan.session.group ? groupId(plan.session.group) : undefined;
  if (gid !== undefined) chownSync(socketPath, -1, gid);

  return {
    socketPath,
    participants,
    close: async (ending) => {
      clearInterval(timer);
      for (const client of clients) {
        // A client that is behind gets no goodbye: waiting for it to read would keep the session from ending.
        if (client.behind) {
          client.socket.destroy();
          continue;
        }
        if (client.who) {
          sync(client, false);
          if (ending) send(client, { type: 'ended', ...ending });
        }
        client.socket.end();
        setTimeout(() => client.socket.destroy(), CLOSE_GRACE_MS).unref();
      }
      await new Promise<void>((closed) => server.close(() => closed()));
      try {
        unlinkSync(socketPath);
      } catch {
        // already gone
      }
    },
  };
}

const label = (who: Participant): string => (who.name ? `${who.name} (${who.user})` : who.user);
