import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { approvalWaitingFor } from '../../machines/rules.js';
import { attachTo, type AttachedSession } from '../../src/attach/client.js';
import { encode, messageReader, type ServerMessage } from '../../src/attach/protocol.js';
import { readJournal } from '../../src/journal/journal.js';
import { CLI, demoCopy, journalUntil, warroom } from './demo.js';
import { TmuxScreen } from './tmux.js';

// Pair-driving on one host: the session serves a Unix socket, learns each
// client's login from the kernel, and records it on every answer.

const APPROVER = join(import.meta.dirname, 'attach-approver.py');

let screen: TmuxScreen | undefined;
afterEach(() => screen?.close());

/** The operator's console in a real terminal; the approvals file answers what it covers, the rest waits for people. */
function operatorConsole(dir: string): TmuxScreen {
  const command = `node ${CLI} run ${join(dir, 'release.yaml')} --approvals ${join(dir, 'approvals.json')} --evidence ${join(dir, 'evidence')}`;
  return (screen = new TmuxScreen(command, 100, 30, { DEMO_RUN_DIR: join(dir, '.run') }));
}

/** A demo copy where Sam Okafor (sre) logs in as `login`, and the approvals file leaves Sam's production approval to him. */
function demoWithSreLogin(login: string, options: { extraPlan?: string; sreOnly?: boolean } = {}): string {
  const dir = demoCopy();
  const plan = join(dir, 'release.yaml');
  let text = readFileSync(plan, 'utf8').replace('{name: Sam Okafor, role: sre, user: sam}', `{name: Sam Okafor, role: sre, user: ${login}}`);
  if (options.sreOnly) text = text.replace('production: [product-owner, sre]', 'production: [sre]');
  writeFileSync(plan, text + (options.extraPlan ?? ''));
  const approvals = JSON.parse(readFileSync(join(dir, 'approvals.json'), 'utf8')) as Array<{ for: string; name: string; user: string }>;
  const others = approvals.filter((a) => !(a.for === 'production' && (a.name === 'Sam Okafor' || options.sreOnly)));
  writeFileSync(join(dir, 'approvals.json'), JSON.stringify(others.map((a) => (a.name === 'Sam Okafor' ? { ...a, user: login } : a))));
  return dir;
}

async function socketOf(dir: string): Promise<string> {
  await journalUntil(join(dir, 'evidence'), (entries) => entries.some((e) => e.type === 'session.start'));
  const state = join(dir, '.warroom');
  for (;;) {
    const session = existsSync(state) ? readdirSync(state).find((name) => existsSync(join(state, name, 'session.json'))) : undefined;
    const record = session ? join(state, session, 'session.json') : '';
    if (record && existsSync(record)) {
      const socket = (JSON.parse(readFileSync(record, 'utf8')) as { socket: string }).socket;
      if (existsSync(socket)) return socket;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The pid of the warroom process serving the session (its session.json). */
function sessionPid(dir: string): number {
  const state = join(dir, '.warroom');
  const session = readdirSync(state).find((name) => existsSync(join(state, name, 'session.json')))!;
  return (JSON.parse(readFileSync(join(state, session, 'session.json'), 'utf8')) as { pid: number }).pid;
}

async function until(session: AttachedSession, ready: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`never happened; attached session at ${JSON.stringify(session.getSnapshot()?.value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

it('lets a second login approve from its own terminal, verified by the kernel, while another client watches', async () => {
  const dir = demoWithSreLogin('nobody', { extraPlan: 'session:\n  group: nogroup\n' });
  // The approver runs as `nobody`: it must be able to reach the socket through these folders.
  chmodSync(dirname(dir), 0o755);
  mkdirSync(join(dir, '.warroom'), { mode: 0o755 });
  const evidence = join(dir, 'evidence');
  const term = operatorConsole(dir);
  const socket = await socketOf(dir);

  const observer = spawn(process.execPath, [CLI, 'attach', '--headless', '--state', join(dir, '.warroom')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let watched = '';
  observer.stdout.on('data', (chunk: Buffer) => (watched += chunk.toString()));
  const approver = spawn('python3', [APPROVER, socket, 'Sam Okafor', 'sre'], { uid: 65534, gid: 65534, stdio: ['ignore', 'pipe', 'pipe'] });
  let approverSaw = '';
  approver.stdout.on('data', (chunk: Buffer) => (approverSaw += chunk.toString()));
  const observerDone = new Promise<number | null>((done) => observer.on('exit', done));

  // The operator sees who is attached, and the approval arrive from the other terminal.
  await term.waitFor((s) => s.includes('Attached: ') && s.includes('Sam Okafor (nobody) approver'));
  await term.waitFor((s) => s.includes('Released checkout-api v2.4.0 to production'), 90_000);
  term.keys('Enter');
  await term.waitFor((s) => s.includes('[exit 0]'));
  expect(await observerDone).toBe(0);
  approver.kill();

  const journal = readJournal(join(evidence, 'journal.jsonl'));
  expect(journal.brokenAt).toBeUndefined();
  const joins = journal.entries.filter((e) => e.type === 'attach.join').map((e) => e.data);
  expect(joins).toContainEqual(expect.objectContaining({ user: 'nobody', uid: 65534, role: 'approver', name: 'Sam Okafor', method: 'SO_PEERCRED' }));
  expect(joins).toContainEqual(expect.objectContaining({ user: userInfo().username, role: 'observer' }));
  // What the client claimed as its login is not what is recorded.
  const approval = journal.entries.find((e) => e.type === 'answer' && (e.data as { type: string }).type === 'APPROVAL' && JSON.stringify(e.data).includes('"source":"attach"'));
  expect(approval?.data).toMatchObject({ approval: { name: 'Sam Okafor', role: 'sre', user: 'nobody', source: 'attach', decision: 'approve' } });
  const recorded = JSON.parse(readFileSync(join(evidence, 'production-approval.json'), 'utf8')) as { approvals: Array<{ user: string; source: string }> };
  expect(recorded.approvals.map((a) => `${a.user}/${a.source}`)).toEqual(['priya/file', 'nobody/attach']);

  expect(approverSaw).toContain('"type": "result", "accepted": true');
  expect(watched).toContain('ATTACH] Sam Okafor (nobody) joined as approver (login verified by SO_PEERCRED).');
  expect(watched).toContain('[WARROOM | PROTOCOL COMPLETE]');
  expect(watched).toContain('warroom: the session ended released (complete), exit 0');
}, 120_000);

it('refuses what observers send, answers to a prompt that has changed, and counts an approval from the operator\'s own login for nothing under four eyes', async () => {
  const operator = userInfo().username;
  // Sam (the only approving role) logs in as the operator: his approval alone cannot satisfy four eyes.
  const dir = demoWithSreLogin(operator, { sreOnly: true });
  const term = operatorConsole(dir);
  const socket = await socketOf(dir);
  const approver = await attachTo(socket, 'approver');
  const observer = await attachTo(socket, 'observer');
  expect(approver.you).toMatchObject({ user: operator, role: 'approver', name: 'Sam Okafor', method: 'SO_PEERCRED' });

  // A second release of the same plan while this one is live: refused, pointing at attach.
  const second = await warroom(['run', join(dir, 'release.yaml'), '--headless', '--evidence', join(dir, 'other-evidence')]);
  expect(second.stderr).toMatch(/is being released right now \(pid \d+\); join it instead: warroom attach --state /);
  expect(second.code).toBe(3);
  expect(existsSync(join(dir, 'other-evidence', 'journal.jsonl'))).toBe(false);
  await until(approver, () => approver.getSnapshot().hasTag('awaiting-approval'));
  await until(observer, () => observer.getSnapshot().hasTag('awaiting-approval'));

  const sam = { name: 'Sam Okafor', role: 'sre', user: operator, source: 'attach' as const };
  const approve = { type: 'APPROVAL' as const, approval: { ...sam, for: 'production' as const, decision: 'approve' as const, at: '' } };
  expect(observer.send(approve)).toBe(true);
  await until(observer, () => observer.results.total > 0);
  expect(observer.results.tail(1)).toEqual(['refused: observers only watch']);

  // An answer to a prompt as it was before: refused.
  const raw = connect(socket);
  const replies: ServerMessage[] = [];
  raw.on('data', messageReader<ServerMessage>((message) => replies.push(message), () => {}));
  raw.write(encode({ type: 'hello', as: 'approver' }));
  await until(approver, () => replies.some((m) => m.type === 'state'));
  raw.write(encode({ type: 'answer', version: 'readiness.validateEvidence.checking|||0|0|0', event: approve }));
  await until(approver, () => replies.some((m) => m.type === 'result'));
  expect(replies.find((m) => m.type === 'result')).toEqual({ type: 'result', accepted: false, reason: 'the prompt changed since you saw it: look again before answering' });
  raw.end();

  expect(approver.send(approve)).toBe(true);
  await until(approver, () => approver.getSnapshot().context.approvals.length === 1);
  const context = approver.getSnapshot().context;
  expect(approver.getSnapshot().hasTag('awaiting-approval')).toBe(true);
  expect(context.approvals.map((a) => `${a.user}/${a.source}`)).toEqual([`${operator}/attach`]);
  expect(approvalWaitingFor(context)).toBe(`an approver other than the operator (${operator})`);
  expect(approver.attendees().map((a) => a.role).sort()).toEqual(['approver', 'observer']);

  // The operator quits; both attached consoles hear how the session ended.
  term.keys('q');
  await term.waitFor((s) => s.includes('Quit the console?'));
  term.keys('y');
  await term.waitFor((s) => s.includes('[exit 2]'));
  expect(await approver.closed).toMatchObject({ outcome: 'halted', exitCode: 2 });
  expect(await observer.closed).toMatchObject({ outcome: 'halted', exitCode: 2 });
}, 120_000);

it('keeps the release going when the operator\'s terminal drops mid-step, and lets someone attach to it', async () => {
  const dir = demoCopy();
  const evidence = join(dir, 'evidence');
  const term = operatorConsole(dir);
  await journalUntil(evidence, (entries) => entries.some((e) => e.type === 'command.spawned' && (e.data as { name: string }).name === 'canary-10'));
  const socket = await socketOf(dir);
  // The SSH connection drops: the terminal and everything in its foreground get SIGHUP.
  term.close();
  screen = undefined;
  // A hangup may come twice (the SSH daemon, then the kernel): the second must not end the release either.
  await journalUntil(evidence, (entries) => entries.some((e) => e.type === 'terminal.hangup'));
  process.kill(sessionPid(dir), 'SIGHUP');

  // A late joiner sees the current state and recent output first.
  const watcher = await attachTo(socket, 'observer');
  await until(watcher, () => watcher.output.total > 0);
  expect(await watcher.closed).toMatchObject({ outcome: 'released', exitCode: 0 });
  // Clients hear the ending just before the journal's last line is written.
  await journalUntil(evidence, (entries) => entries.at(-1)?.type === 'session.end');

  const journal = readJournal(join(evidence, 'journal.jsonl'));
  expect(journal.brokenAt).toBeUndefined();
  const hangup = journal.entries.find((e) => e.type === 'terminal.hangup');
  expect(hangup).toBeDefined();
  // The step kept streaming and the release went on after the hangup.
  const after = journal.entries.filter((e) => e.seq > hangup!.seq).map((e) => e.type);
  expect(after).toContain('output');
  expect(after).toContain('gate');
  expect(journal.entries.at(-1)).toMatchObject({ type: 'session.end', data: { outcome: 'released' } });
}, 120_000);

it('still stops where it stands on SIGTERM after the operator\'s terminal dropped', async () => {
  const dir = demoCopy();
  const evidence = join(dir, 'evidence');
  const term = operatorConsole(dir);
  await socketOf(dir);
  term.close();
  screen = undefined;
  await journalUntil(evidence, (entries) => entries.some((e) => e.type === 'terminal.hangup'));
  const pid = sessionPid(dir);
  process.kill(pid, 'SIGTERM');
  const entries = await journalUntil(evidence, (all) => all.at(-1)?.type === 'session.end', 30_000);
  const types = entries.map((e) => e.type);
  expect(types.indexOf('session.interrupted')).toBeGreaterThan(types.indexOf('terminal.hangup'));
  // Stopped where it stood, resumable: not carried on to the end of the release.
  expect(entries.at(-1)).toMatchObject({ type: 'session.end', data: { final: false, exitCode: 2 } });
  // And the process ends, rather than waiting on without a terminal.
  const alive = () => {
    try {
      return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
    } catch {
      return false;
    }
  };
  for (const deadline = Date.now() + 30_000; alive(); ) {
    expect(Date.now()).toBeLessThan(deadline);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}, 120_000);

it('does not slow down for a client that stops reading while a step floods output', async () => {
  const dir = demoCopy();
  const plan = join(dir, 'release.yaml');
  // The dry run prints 300,000 lines (about 30 MB) as fast as it can.
  const flood = `const line = 'x'.repeat(96); for (let i = 0; i < 300000; i++) process.stdout.write(i + ' ' + line + '\\\\n');`;
  const dryRun = 'dryRun: {run: [scripts/deploy.sh, canary-10, --release, "${TAG}", --dry-run], timeout: 1m}';
  writeFileSync(plan, readFileSync(plan, 'utf8').replace(dryRun, `dryRun: {run: [node, -e, "${flood}"], timeout: 2m}`));
  expect(readFileSync(plan, 'utf8')).toContain('repeat(96)');
  const evidence = join(dir, 'evidence');
  const run = spawn(process.execPath, [CLI, 'run', plan, '--headless', '--approvals', join(dir, 'approvals.json'), '--evidence', evidence], {
    env: { ...process.env, DEMO_RUN_DIR: join(dir, '.run') },
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((done) => run.on('exit', done));
  const socket = await socketOf(dir);

  // An observer that says hello and then never reads again.
  const stuck = connect(socket);
  stuck.write(encode({ type: 'hello', as: 'observer' }));
  stuck.pause();

  expect(await exited).toBe(0);
  const journal = readJournal(join(evidence, 'journal.jsonl'));
  // Past a step's first megabyte, output is journaled by reference to its log.
  const inline = journal.entries.filter((e) => e.type === 'output').reduce((lines, e) => lines + (e.data as { lines: string[] }).lines.length, 0);
  const ranges = journal.entries.filter((e) => e.type === 'output.range').reduce((lines, e) => lines + (e.data as { lines: number }).lines, 0);
  expect(inline + ranges).toBeGreaterThanOrEqual(300_000);
  expect(journal.entries.some((e) => e.type === 'attach.behind' && (e.data as { user: string }).user === userInfo().username)).toBe(true);
  stuck.destroy();
}, 180_000);
