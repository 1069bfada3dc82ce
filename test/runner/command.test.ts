import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../src/runner/command.js';
import type { CommandRequest, OutputStream } from '../../src/runner/types.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warroom-command-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function script(name: string, body: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `#!/usr/bin/env bash\n${body}\n`);
  await chmod(path, 0o755);
  return `./${name}`;
}

function request(argv: string[], overrides: Partial<CommandRequest> = {}): CommandRequest {
  return { name: 'step', argv, cwd: dir, timeoutMs: 30_000, log: 'logs/step.log', onLines: () => {}, ...overrides };
}

/** A zombie or a missing /proc entry both mean the process is gone. */
async function isRunning(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function waitUntil(predicate: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('runCommand', () => {
  it('streams lines while the command is still running, in order, per stream', async () => {
    const gate = join(dir, 'gate');
    const argv = [await script('stream.sh', `echo ready\nwhile [ ! -e "${gate}" ]; do sleep 0.05; done\necho oops >&2\necho done`)];
    const seen: Array<[string, OutputStream]> = [];
    const record = await runCommand(
      request(argv, {
        onLines: (lines, stream) => {
          for (const line of lines) {
            seen.push([line, stream]);
            // Only a streamed line can open the gate the script waits on.
            if (line === 'ready') void writeFile(gate, '');
          }
        },
      }),
    );
    expect(record.exitCode).toBe(0);
    expect(record.error).toBeUndefined();
    expect(seen[0]).toEqual(['ready', 'stdout']);
    expect(seen.filter(([, stream]) => stream === 'stdout').map(([line]) => line)).toEqual(['ready', 'done']);
    expect(seen.filter(([, stream]) => stream === 'stderr').map(([line]) => line)).toEqual(['oops']);
    expect(record.lines).toBe(3);
  });

  it('joins lines written in pieces, including a split multi-byte character', async () => {
    const argv = [await script('pieces.sh', `printf 'hel'; sleep 0.1; printf 'lo\\nwor'; sleep 0.1; printf '\\xc3'; sleep 0.1; printf '\\xa9ld'`)];
    const lines: string[] = [];
    await runCommand(request(argv, { onLines: (batch) => lines.push(...batch) }));
    expect(lines).toEqual(['hello', 'woréld']);
  });

  it('records the exit code and a one-line error for a failing command', async () => {
    const record = await runCommand(request([await script('fail.sh', 'exit 3')]));
    expect(record).toMatchObject({ exitCode: 3, signal: null, timedOut: false, aborted: false, error: 'exit code 3' });
    expect(Date.parse(record.endedAt)).toBeGreaterThanOrEqual(Date.parse(record.startedAt));
  });

  it('passes the plan environment on top of the inherited one', async () => {
    const lines: string[] = [];
    await runCommand(request(['bash', '-c', 'echo "$TAG $HOME"'], { env: { TAG: 'v2.4.0' }, onLines: (batch) => lines.push(...batch) }));
    expect(lines).toEqual([`v2.4.0 ${process.env.HOME ?? ''}`]);
  });

  it('kills the whole process group on timeout, grandchildren included', async () => {
    const pidFile = join(dir, 'grandchild.pid');
    const argv = [await script('hang.sh', `sleep 300 &\necho $! > "${pidFile}"\nwait`)];
    const record = await runCommand(request(argv, { timeoutMs: 500 }));
    expect(record).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGTERM', error: 'timed out after 500ms' });
    const grandchild = Number(await readFile(pidFile, 'utf8'));
    await waitUntil(async () => !(await isRunning(grandchild)));
  });

  it('escalates to SIGKILL when the command ignores SIGTERM', async () => {
    const argv = [await script('stubborn.sh', `trap '' TERM\necho started\nwhile true; do sleep 0.1; done`)];
    const record = await runCommand(request(argv, { timeoutMs: 300 }));
    expect(record).toMatchObject({ timedOut: true, signal: 'SIGKILL', exitCode: null });
  });

  it('kills the process group when the step is aborted', async () => {
    const controller = new AbortController();
    const argv = [await script('abortable.sh', 'echo started\nsleep 300')];
    const record = await runCommand(
      request(argv, { signal: controller.signal, onLines: (lines) => lines.includes('started') && controller.abort() }),
    );
    expect(record).toMatchObject({ aborted: true, timedOut: false, exitCode: null, error: 'aborted' });
  });

  it('does not start a command whose step was already aborted', async () => {
    const record = await runCommand(request(['bash', '-c', 'echo should-not-run'], { signal: AbortSignal.abort() }));
    expect(record).toMatchObject({ aborted: true, exitCode: null, lines: 0, error: 'aborted' });
  });

  it('resolves with "command not found" for a missing program', async () => {
    const record = await runCommand(request(['./deploy.sh']));
    expect(record).toMatchObject({ exitCode: null, error: 'command not found: ./deploy.sh', lines: 0 });
  });

  it('resolves with "permission denied" for a script that is not executable', async () => {
    await writeFile(join(dir, 'plain.sh'), 'echo hi\n');
    const record = await runCommand(request(['./plain.sh']));
    expect(record).toMatchObject({ exitCode: null, error: 'permission denied: ./plain.sh' });
  });

  it('names a missing working directory instead of the program', async () => {
    const record = await runCommand(request(['bash', '-c', 'true'], { cwd: join(dir, 'nowhere') }));
    expect(record.error).toBe(`working directory not found: ${join(dir, 'nowhere')}`);
  });

  it('does not wait for a daemon that keeps stdout open after the command exits', async () => {
    const pidFile = join(dir, 'daemon.pid');
    const argv = [await script('daemon.sh', `sleep 300 &\necho $! > "${pidFile}"\necho started`)];
    const lines: string[] = [];
    const record = await runCommand(request(argv, { onLines: (batch) => lines.push(...batch) }));
    expect(record).toMatchObject({ exitCode: 0, timedOut: false });
    expect(lines).toEqual(['started']);
    process.kill(Number(await readFile(pidFile, 'utf8')), 'SIGKILL');
  });

  it('counts 200,000 lines exactly without keeping them', async () => {
    let count = 0;
    let last = '';
    const record = await runCommand(
      request(['seq', '1', '200000'], {
        onLines: (lines) => {
          count += lines.length;
          last = lines.at(-1) ?? last;
        },
      }),
    );
    expect(record.lines).toBe(200_000);
    expect(count).toBe(200_000);
    expect(last).toBe('200000');
  });
});
