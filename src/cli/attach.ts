import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { attachTo, type AttachedSession } from '../attach/client.js';
import { ATTACH_ROLES, type AttachRole } from '../attach/protocol.js';
import { ResumeError, findLiveSession } from '../session/restore.js';
import { EXIT } from './exit-codes.js';
import { writeLine, type CliIo } from './io.js';
import { consoleCapable } from './run.js';

// `warroom attach`: join a live session on this host as observer, approver or
// driver. The session learns who we are from the kernel, not from us.

export async function attachCommand(args: string[], io: CliIo): Promise<number> {
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { as: { type: 'string', default: 'observer' }, state: { type: 'string' }, headless: { type: 'boolean', default: false } },
    }));
    if (positionals.length > 1) throw new Error(`one session at a time, got ${positionals.join(' ')}`);
    if (!ATTACH_ROLES.includes(values.as as AttachRole)) throw new Error(`--as takes observer, approver or driver, not "${values.as}"`);
  } catch (error) {
    writeLine(io.stderr, `warroom attach: ${(error as Error).message}`);
    return EXIT.badInput;
  }

  let attached: AttachedSession;
  try {
    const record = findLiveSession(positionals[0], resolve(io.cwd, values.state ?? '.warroom'), io.cwd);
    attached = await attachTo(record.socket!, values.as as AttachRole);
  } catch (error) {
    if (!(error instanceof ResumeError) && !(error instanceof Error)) throw error;
    writeLine(io.stderr, `warroom attach: ${error.message}`);
    return EXIT.badInput;
  }
  writeLine(io.stdout, `warroom: attached to ${attached.sessionId} as ${attached.you.user} (${attached.you.role}, verified by ${attached.you.method})`);

  if (values.headless || !consoleCapable(io)) {
    // Plain lines, as a headless run prints them: announcements and step output.
    let announced = attached.announcements.total;
    let printed = attached.output.total;
    for (const line of attached.announcements.tail(announced)) writeLine(io.stdout, line);
    attached.subscribe(() => {
      const { announcements, output } = attached;
      for (const line of announcements.tail(announcements.total - announced)) writeLine(io.stdout, line);
      for (const line of output.tail(output.total - printed)) writeLine(io.stdout, `${line.step} | ${line.text}`);
      announced = announcements.total;
      printed = output.total;
    });
  } else {
    const { renderConsole } = await import('../../views/index.js');
    const screen = renderConsole(attached, { stdout: process.stdout, stdin: process.stdin });
    void attached.closed.then(() => screen.unmount());
    await screen.waitUntilExit().catch(() => undefined);
    attached.close();
  }
  const ending = await attached.closed;
  writeLine(io.stdout, ending ? `warroom: the session ended ${ending.outcome} (${ending.state}), exit ${ending.exitCode}` : 'warroom: detached; the session goes on');
  return EXIT.ok;
}
