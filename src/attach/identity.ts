import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';

// Who is on the other end of a Unix socket, from the kernel (SO_PEERCRED), never
// from what the client says. Node cannot read peer credentials, so the accepted
// socket's descriptor is lent to a tiny python3 program that can.

export interface PeerIdentity {
  pid: number;
  uid: number;
  gid: number;
  /** The login of uid, or `uid:N` when it has none. */
  user: string;
  method: 'SO_PEERCRED';
}

const PEERCRED = `
import pwd, socket, struct, sys
s = socket.socket(fileno=3)
try:
    pid, uid, gid = struct.unpack('3i', s.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize('3i')))
finally:
    s.detach()
try:
    name = pwd.getpwuid(uid).pw_name
except KeyError:
    name = ''
print(pid, uid, gid, name)
`;

const TIMEOUT_MS = 5_000;

/** Reads the peer's credentials; rejects (and the client is refused) when they cannot be learned. */
export async function peerIdentity(socket: Socket): Promise<PeerIdentity> {
  try {
    return await askHelper(socket);
  } catch (error) {
    // A hangup sent to warroom's process group can reach the helper in the moment after it is
    // forked and before it has its own group (the operator's terminal dropping as someone
    // attaches): it then dies of that signal without answering. Asking once more is safe.
    if (!(error instanceof HelperSignalled)) throw error;
    return askHelper(socket);
  }
}

class HelperSignalled extends Error {}

function askHelper(socket: Socket): Promise<PeerIdentity> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      // Its own process group: a signal to the operator's terminal (a hangup, Ctrl-C) is for warroom, not for this helper.
      child = spawn('python3', ['-c', PEERCRED], { stdio: ['ignore', 'pipe', 'pipe', socket], detached: true });
    } catch (error) {
      return reject(new Error(`cannot verify who attached: python3 ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`));
    }
    let settled = false;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(error);
    };
    // First, before anything else can throw: out of descriptors (EMFILE) the child has no pipes and says so only by 'error'.
    child.on('error', (error: NodeJS.ErrnoException) => {
      fail(new Error(`cannot verify who attached: python3 ${error.code ?? error.message}`));
    });
    let out = '';
    let err = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
    }, TIMEOUT_MS);
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    // 'close', not 'exit': the answer may still be in the pipe when the process has exited.
    child.on('close', (code, signal) => {
      // Lending the socket to a child pauses it here: take it back.
      socket.resume();
      const [pid, uid, gid, name] = out.trim().split(' ');
      if (code !== 0 || uid === undefined || !/^\d+$/.test(uid)) {
        const why = err.trim().split('\n').at(-1) || (timedOut ? `python3 gave no answer in ${TIMEOUT_MS / 1000} s` : signal ? `python3 killed by ${signal}` : `exit ${code}`);
        return fail(signal && !timedOut && out === '' ? new HelperSignalled(`cannot verify who attached: ${why}`) : new Error(`cannot verify who attached: ${why}`));
      }
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ pid: Number(pid), uid: Number(uid), gid: Number(gid), user: name || `uid:${uid}`, method: 'SO_PEERCRED' });
    });
  });
}
