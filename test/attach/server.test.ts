import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { attachTo } from '../../src/attach/client.js';
import { encode, messageReader, type ServerMessage } from '../../src/attach/protocol.js';
import { serveSession, type AttachLimits, type ServedSession } from '../../src/attach/server.js';
import { readJournal } from '../../src/journal/journal.js';
import { loadPlan } from '../../src/plan/load.js';
import { resolvePlan } from '../../src/plan/resolve.js';
import { startSession, type Session } from '../../src/session/session.js';
import { demoCopy } from '../e2e/demo.js';

// The session's socket against what any process that can open it may send (or not send):
// a real session of the demo plan (its chart not started, nothing runs), its real server
// with small limits, raw sockets, the kernel's SO_PEERCRED. Nothing may end the session.

let served: ServedSession | undefined;
let session: Session | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await served?.close();
  await session?.end();
  served = session = undefined;
});

/** The demo session with this login as Sam Okafor (sre), so it may attach as an approver. */
async function serve(limits: Partial<AttachLimits> = {}): Promise<{ socketPath: string; evidence: string }> {
  const dir = demoCopy();
  const planPath = join(dir, 'release.yaml');
  writeFileSync(planPath, readFileSync(planPath, 'utf8').replace('{name: Sam Okafor, role: sre, user: sam}', `{name: Sam Okafor, role: sre, user: ${userInfo().username}}`));
  const loaded = await loadPlan(planPath);
  if ('errors' in loaded) throw new Error(JSON.stringify(loaded.errors));
  const evidence = join(dir, 'evidence');
  session = startSession({ plan: resolvePlan(loaded.plan, evidence), planPath, planDir: dir, planFile: planPath, evidenceDir: evidence, stateDir: join(dir, '.warroom'), answers: [], operator: userInfo().username, env: {} });
  const socketPath = join(mkdtempSync(join(tmpdir(), 'wr-')), 's.sock');
  served = await serveSession(session, socketPath, () => {}, limits);
  return { socketPath, evidence };
}

interface Raw {
  socket: Socket;
  messages: ServerMessage[];
  closed: Promise<void>;
}

function raw(socketPath: string): Raw {
  const socket = connect(socketPath);
  sockets.push(socket);
  const messages: ServerMessage[] = [];
  socket.on('data', messageReader<ServerMessage>((message) => messages.push(message), () => {}));
  socket.on('error', () => {});
  return { socket, messages, closed: new Promise((done) => socket.on('close', () => done())) };
}

async function until(ready: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !ready(); ) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const refusal = (client: Raw): string | undefined => client.messages.find((m): m is Extract<ServerMessage, { type: 'refused' }> => m.type === 'refused')?.reason;

async function welcomed(socketPath: string, as: 'observer' | 'approver'): Promise<Raw & { version: () => string }> {
  const client = raw(socketPath);
  client.socket.write(encode({ type: 'hello', as }));
  await until(() => client.messages.some((m) => m.type === 'state'), `${as} welcomed`);
  const version = () => client.messages.findLast((m): m is Extract<ServerMessage, { type: 'state' }> => m.type === 'state')!.version;
  return { ...client, version };
}

/** The session still takes people: a fresh observer is welcomed and sees the state. */
async function stillServing(socketPath: string): Promise<void> {
  const observer = await attachTo(socketPath, 'observer');
  expect(observer.you.role).toBe('observer');
  observer.close();
}

it('ends only the connection that sends null before its hello, and goes on serving', async () => {
  const { socketPath } = await serve();
  const client = raw(socketPath);
  client.socket.write('null\n');
  await client.closed;
  expect(refusal(client)).toMatch(/^a malformed message/);
  await stillServing(socketPath);
});

it('ends only the connection of an observer that sends null after its welcome', async () => {
  const { socketPath } = await serve();
  const observer = await welcomed(socketPath, 'observer');
  observer.socket.write('null\n');
  await observer.closed;
  expect(refusal(observer)).toMatch(/^a malformed message/);
  await stillServing(socketPath);
});

it.each([
  ['an acknowledgement', { type: 'ACKNOWLEDGE' }],
  ['an approval', { type: 'APPROVAL' }],
])('ends only the connection of an approver that sends %s with no body, and records no answer', async (_, event) => {
  const { socketPath, evidence } = await serve();
  const approver = await welcomed(socketPath, 'approver');
  approver.socket.write(`${JSON.stringify({ type: 'answer', version: approver.version(), event })}\n`);
  await approver.closed;
  expect(refusal(approver)).toMatch(/^a malformed message at event/);
  await stillServing(socketPath);
  expect(readJournal(join(evidence, 'journal.jsonl')).entries.map((e) => e.type)).not.toContain('answer');
});

it('disconnects a client that sends commands and never reads the replies, once its queue passes the cap', async () => {
  // The cap under the behind mark, so the replies to one read's worth of commands pass it whatever the kernel buffers.
  const { socketPath, evidence } = await serve({ maxQueuedBytes: 64 * 1024 });
  const observer = await welcomed(socketPath, 'observer');
  observer.socket.pause();
  // Each is refused ("observers only watch"); 2 MB of them would queue about as many bytes of replies.
  const command = encode({ type: 'answer', version: observer.version(), event: { type: 'RETRY' } });
  observer.socket.write(command.repeat(Math.ceil((2 * 1024 * 1024) / command.length)));
  await observer.closed;
  await stillServing(socketPath);
  const leave = readJournal(join(evidence, 'journal.jsonl')).entries.find((e) => e.type === 'attach.leave');
  expect(leave?.data).toMatchObject({ role: 'observer', reason: `more than ${64 * 1024} bytes queued and unread` });
});

it('refuses a connection that says no hello in time, saying why', async () => {
  const { socketPath, evidence } = await serve({ helloTimeoutMs: 300 });
  const silent = raw(socketPath);
  await silent.closed;
  expect(refusal(silent)).toBe('no hello within 0.3 s of connecting');
  expect(readJournal(join(evidence, 'journal.jsonl')).entries.find((e) => e.type === 'attach.refused')?.data).toMatchObject({ reason: 'no hello within 0.3 s of connecting' });
  await stillServing(socketPath);
});

it('refuses a connection past the cap on connections waiting to be verified, and takes people again once one is welcomed', async () => {
  const { socketPath } = await serve({ maxUnwelcomed: 2 });
  const waiting = [raw(socketPath), raw(socketPath)];
  await until(() => waiting.every((c) => c.socket.readyState === 'open'), 'two connections open');
  const third = raw(socketPath);
  await third.closed;
  expect(refusal(third)).toBe('2 connections are waiting to be verified already: try again in a moment');
  waiting[0]!.socket.write(encode({ type: 'hello', as: 'observer' }));
  await until(() => waiting[0]!.messages.some((m) => m.type === 'state'), 'the first welcomed');
  await stillServing(socketPath);
});

it('refuses a connection past the cap on connections in all, saying why', async () => {
  const { socketPath } = await serve({ maxClients: 2 });
  await welcomed(socketPath, 'observer');
  await welcomed(socketPath, 'observer');
  const third = raw(socketPath);
  await third.closed;
  expect(refusal(third)).toBe('the session has 2 connections already: try again when someone leaves');
  expect(served!.participants()).toHaveLength(2);
});

it('ends only the connection whose identity cannot be checked for want of file descriptors', async () => {
  const { socketPath } = await serve();
  // Fill the descriptor table but for two: the client's socket and the accepted one. The identity helper's pipes then fail (EMFILE).
  const filler: number[] = [];
  try {
    for (;;) filler.push(openSync('/dev/null', 'r'));
  } catch (error) {
    expect((error as NodeJS.ErrnoException).code).toBe('EMFILE');
  }
  let client: Raw;
  try {
    closeSync(filler.pop()!);
    closeSync(filler.pop()!);
    client = raw(socketPath);
    client.socket.write(encode({ type: 'hello', as: 'observer' }));
    await client.closed;
  } finally {
    for (const fd of filler) closeSync(fd);
  }
  expect(refusal(client)).toBe('cannot verify who attached: python3 EMFILE');
  await stillServing(socketPath);
});
