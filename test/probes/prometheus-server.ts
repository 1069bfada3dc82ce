import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

// A real Prometheus server for the prometheus metric source's tests: the Debian
// `prometheus` binary on a free loopback port, scraping a tiny exporter every second.

const INSTALL_HINT = 'install it with `apt-get install -y prometheus` (.ci/run does this in CI)';
/** Between SIGTERM and SIGKILL: Prometheus flushes its head block on shutdown. */
const STOP_GRACE_MS = 5_000;

/** The prometheus binary on PATH; throws (failing the suite, not skipping it) when there is none. */
export function prometheusBinary(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'prometheus');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  throw new Error(`the prometheus binary is not on PATH; these tests need a real Prometheus server: ${INSTALL_HINT}`);
}

/** Polls until the predicate holds; the error names what was awaited and the last thing seen. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: { timeoutMs: number; intervalMs?: number; diagnostics?: () => string; giveUpIf?: () => string | undefined },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastProblem = 'never checked';
  for (;;) {
    const hopeless = options.giveUpIf?.();
    if (hopeless !== undefined) {
      const extra = options.diagnostics ? `\n${options.diagnostics()}` : '';
      throw new Error(`stopped waiting for ${what}: ${hopeless}${extra}`);
    }
    try {
      const value = await probe();
      if (value !== undefined) return value;
      lastProblem = 'not yet';
    } catch (error) {
      lastProblem = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadline) {
      const extra = options.diagnostics ? `\n${options.diagnostics()}` : '';
      throw new Error(`gave up after ${options.timeoutMs} ms waiting for ${what} (last: ${lastProblem})${extra}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}

export interface Exporter {
  /** host:port, as a scrape target. */
  target: string;
  /** Sets (or adds) a gauge sample; labels in text-format syntax, e.g. `{pod="a"}`. */
  set: (series: string, value: number) => void;
  close: () => Promise<void>;
}

/** A node:http exporter serving its gauges in the Prometheus text format on /metrics. */
export async function startExporter(initial: Record<string, number> = {}): Promise<Exporter> {
  const gauges = new Map<string, number>(Object.entries(initial));
  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end('not found\n');
      return;
    }
    const families = new Set([...gauges.keys()].map((series) => series.replace(/\{.*$/, '')));
    const lines = [...families].flatMap((family) => [
      `# TYPE ${family} gauge`,
      ...[...gauges].filter(([series]) => series.replace(/\{.*$/, '') === family).map(([series, value]) => `${series} ${value}`),
    ]);
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    res.end(`${lines.join('\n')}\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    target: `127.0.0.1:${port}`,
    set: (series, value) => void gauges.set(series, value),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface PrometheusServer {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  /** The server's own log (stderr), for failure messages. */
  log: () => string;
  stop: () => Promise<void>;
}

/** A port that was free a moment ago (Prometheus cannot be told to pick one itself). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Starts Prometheus scraping `target` every second as job `job`, and resolves once it
 * answers queries (/-/ready). Everything it writes lives in a temp dir removed by stop().
 */
export async function startPrometheus(options: { target: string; job: string; readyTimeoutMs: number }): Promise<PrometheusServer> {
  const binary = prometheusBinary();
  // The free port may be taken between our probe and Prometheus binding it: try another.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await launch(binary, options);
    } catch (error) {
      if (attempt >= 3 || !/address already in use/.test(String(error))) throw error;
    }
  }
}

async function launch(binary: string, options: { target: string; job: string; readyTimeoutMs: number }): Promise<PrometheusServer> {
  const dir = await mkdtemp(join(tmpdir(), 'warroom-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  await writeFile(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      `  - job_name: ${JSON.stringify(options.job)}`,
      '    static_configs:',
      `      - targets: [${JSON.stringify(options.target)}]`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    binary,
    [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    // Keep the tail only: enough to explain a failure.
    log = (log + chunk).slice(-8_000);
  });
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = signal ? `killed by ${signal}` : `exit code ${code}`;
      resolve();
    });
    child.once('error', (error) => {
      exited = `could not start: ${error.message}`;
      resolve();
    });
  });

  const stop = async (): Promise<void> => {
    if (exited === undefined) {
      child.kill('SIGTERM');
      const grace = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exit;
      clearTimeout(grace);
    }
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await waitFor(
      `Prometheus to be ready on ${url}`,
      async () => {
        const response = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) });
        return response.status === 200 ? true : undefined;
      },
      {
        timeoutMs: options.readyTimeoutMs,
        diagnostics: () => `prometheus log:\n${log}`,
        giveUpIf: () => (exited === undefined ? undefined : `prometheus stopped (${exited})`),
      },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, log: () => log, stop };
}
