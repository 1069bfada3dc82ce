import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

// A real terminal for end-to-end console tests: tmux at a fixed size, keys sent
// with send-keys, the screen read back with capture-pane.

export class TmuxScreen {
  readonly name = `warroom-${randomBytes(4).toString('hex')}`;

  constructor(command: string, readonly columns = 80, readonly rows = 24, env: Record<string, string> = {}) {
    const exports = Object.entries(env).map(([key, value]) => `export ${key}='${value.replace(/'/g, `'\\''`)}';`).join(' ');
    // An operator's terminal, not CI's: Ink draws only the last frame when it sees CI variables.
    const shell = `unset CI CONTINUOUS_INTEGRATION BUILD_NUMBER RUN_ID; ${exports} ${command}; echo "[exit $?]"; sleep 600`;
    execFileSync('tmux', ['new-session', '-d', '-s', this.name, '-x', String(columns), '-y', String(rows), shell]);
  }

  text(): string {
    return execFileSync('tmux', ['capture-pane', '-p', '-t', this.name], { encoding: 'utf8' });
  }

  keys(...keys: string[]): void {
    execFileSync('tmux', ['send-keys', '-t', this.name, ...keys]);
  }

  /** Types text literally (no key names). */
  type(text: string): void {
    execFileSync('tmux', ['send-keys', '-t', this.name, '-l', text]);
  }

  /** Waits until the screen satisfies `ready`; fails with the last screen. */
  async waitFor(ready: (screen: string) => boolean, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.text();
      if (ready(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`screen never became ready:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  close(): void {
    try {
      execFileSync('tmux', ['kill-session', '-t', this.name]);
    } catch {
      // already gone
    }
  }
}
