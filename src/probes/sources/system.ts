import { readFile, readdir } from 'node:fs/promises';
import type { Reading } from './reading.js';

export type SystemField = 'cpu' | 'memory' | 'load' | 'network';

/** What the plan says about a system metric: `field`, and `interface` when field is network. */
export interface SystemSource {
  field: SystemField;
  interface?: string | undefined;
}

/**
 * Host readings straight from /proc and /sys with async reads. systeminformation is not
 * used: on Linux its currentLoad() runs `execSync('cat /proc/stat | grep cpu')` on every
 * call, which blocks the event loop (and the console with it).
 */
export interface HostSampler {
  read(source: SystemSource): Promise<Reading>;
}

export interface HostSamplerOptions {
  /** Async file read (tests count the reads). */
  readText?: (file: string) => Promise<string>;
  listInterfaces?: () => Promise<string[]>;
  /** Monotonic milliseconds: cache ages, baseline ages and rates. */
  now?: () => number;
  platform?: NodeJS.Platform;
}

/** The host is read at most once a second, whatever the number of system metrics. */
export const HOST_CACHE_MS = 1_000;
/** With no usable previous counters, a rate (CPU %, bytes/s) is measured over this window. */
export const BASELINE_WINDOW_MS = 250;
/** Older previous counters would average a minutes-old spike away: measure afresh instead. */
export const MAX_BASELINE_AGE_MS = 60_000;

interface CpuCounters {
  at: number;
  busy: number;
  total: number;
  cores: number;
}

interface HostSnapshot {
  cpu: Reading;
  memory: Reading;
  load: Reading;
}

interface Cached<T> {
  /** When the reading was taken; undefined while it is being taken. */
  at?: number;
  value: Promise<T>;
}

/** A sampler with its own cache and counters; `readSystemMetric` uses one per process. */
export function createHostSampler(options: HostSamplerOptions = {}): HostSampler {
  const readText = options.readText ?? ((file: string) => readFile(file, 'utf8'));
  const listInterfaces = options.listInterfaces ?? (() => readdir('/sys/class/net'));
  const now = options.now ?? (() => performance.now());
  const platform = options.platform ?? process.platform;

  const cache = new Map<string, Cached<unknown>>();
  let previousCpu: CpuCounters | undefined;
  const previousNetwork = new Map<string, { at: number; bytes: number }>();

  /** One read per key per second; callers within that second, or during the read, share it. */
  function cached<T>(key: string, take: () => Promise<T>): Promise<T> {
    const hit = cache.get(key) as Cached<T> | undefined;
    if (hit !== undefined && (hit.at === undefined || now() - hit.at < HOST_CACHE_MS)) return hit.value;
    const entry: Cached<T> = { value: take() };
    cache.set(key, entry);
    // The second counts from when the reading was taken, not from when it was asked for.
    const taken = (): void => {
      entry.at = now();
    };
    entry.value.then(taken, taken);
    return entry.value;
  }

  /** Previous counters make a rate only when they are recent and the counters went forward. */
  const usableBaseline = (previous: { at: number }, current: { at: number }, forward: boolean): boolean =>
    forward && current.at > previous.at && current.at - previous.at <= MAX_BASELINE_AGE_MS;

  async function cpuCounters(): Promise<CpuCounters> {
    return { at: now(), ...parseCpuCounters(await readText('/proc/stat')) };
  }

  /** Busy share of CPU time since the previous host reading (or over a fresh baseline window). */
  async function readCpuPercent(): Promise<{ percent: number; cores: number }> {
    let baseline = previousCpu;
    let current = await cpuCounters();
    if (baseline === undefined || !usableBaseline(baseline, current, current.total > baseline.total)) {
      baseline = current;
      await delay(BASELINE_WINDOW_MS);
      current = await cpuCounters();
    }
    previousCpu = current;
    const total = current.total - baseline.total;
    const busy = current.busy - baseline.busy;
    return { percent: total > 0 ? clamp((busy / total) * 100, 0, 100) : 0, cores: current.cores };
  }

  async function takeHostSnapshot(): Promise<HostSnapshot> {
    const [cpu, loadavg, meminfo] = await Promise.allSettled([
      readCpuPercent(),
      readText('/proc/loadavg'),
      readText('/proc/meminfo'),
    ]);
    const failed = (result: PromiseRejectedResult, file: string): Reading => ({ error: `cannot read ${file}: ${describeFsError(result.reason)}` });
    const cpuReading: Reading = cpu.status === 'fulfilled' ? { value: round(cpu.value.percent) } : failed(cpu, '/proc/stat');
    let load: Reading;
    if (loadavg.status === 'rejected') load = failed(loadavg, '/proc/loadavg');
    else if (cpu.status === 'rejected') load = { error: 'number of cores unknown: /proc/stat unreadable' };
    else load = loadPerCore(loadavg.value, cpu.value.cores);
    const memory = meminfo.status === 'fulfilled' ? memoryPercent(meminfo.value) : failed(meminfo, '/proc/meminfo');
    return { cpu: cpuReading, memory, load };
  }

  async function readNetworkRate(name: string): Promise<Reading> {
    const dir = `/sys/class/net/${name}/statistics`;
    const counters = async (): Promise<{ at: number; bytes: number }> => {
      const [rx, tx] = await Promise.all([readText(`${dir}/rx_bytes`), readText(`${dir}/tx_bytes`)]);
      return { at: now(), bytes: Number(rx.trim()) + Number(tx.trim()) };
    };
    let current: { at: number; bytes: number };
    try {
      current = await counters();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return { error: `cannot read ${dir}: ${describeFsError(error)}` };
      return { error: await unknownInterface(name) };
    }
    if (!Number.isFinite(current.bytes)) return { error: `unexpected byte counters in ${dir}` };
    let baseline = previousNetwork.get(name);
    // Counters that went down mean the interface was re-created: the old ones mean nothing.
    if (baseline === undefined || !usableBaseline(baseline, current, current.bytes >= baseline.bytes)) {
      baseline = current;
      await delay(BASELINE_WINDOW_MS);
      try {
        current = await counters();
      } catch (error) {
        return { error: `network interface "${name}" went away while it was measured: ${describeFsError(error)}` };
      }
    }
    previousNetwork.set(name, current);
    const seconds = (current.at - baseline.at) / 1000;
    if (!(seconds > 0) || current.bytes < baseline.bytes) {
      return { error: `byte counters of network interface "${name}" were reset; the next sample measures afresh` };
    }
    return { value: round((current.bytes - baseline.bytes) / seconds) };
  }

  async function unknownInterface(name: string): Promise<string> {
    let names: string[] = [];
    try {
      names = (await listInterfaces()).sort();
    } catch {
      // Only the list in the message is lost.
    }
    const known = names.length > 0 ? `this host has ${names.join(', ')}` : 'no interfaces listed in /sys/class/net';
    return `network interface "${name}" not found: ${known}`;
  }

  return {
    async read(source) {
      if (platform !== 'linux') {
        return { error: `system metrics are not supported on ${platform}: warroom reads /proc and /sys (Linux only)` };
      }
      if (source.field === 'network') {
        const name = source.interface;
        if (name === undefined || name === '') return { error: 'a network metric needs "interface" (e.g. eth0)' };
        if (!isInterfaceName(name)) return { error: `not a network interface name: ${JSON.stringify(name)}` };
        return cached(`network:${name}`, () => readNetworkRate(name));
      }
      const snapshot = await cached('host', takeHostSnapshot);
      return snapshot[source.field];
    },
  };
}

const processSampler = createHostSampler();

/** One reading of a host metric, shared with every other system metric read within the same second. */
export function readSystemMetric(source: SystemSource): Promise<Reading> {
  return processSampler.read(source);
}

/**
 * The kernel's rule for interface names (dev_valid_name): 1 to 15 bytes, not `.` or `..`,
 * no `/`, `:` or whitespace. It also keeps the name a single path segment under /sys.
 */
export function isInterfaceName(name: string): boolean {
  return /^[^/:\s]{1,15}$/.test(name) && name !== '.' && name !== '..';
}

/**
 * The aggregate `cpu` line of /proc/stat: user nice system idle iowait irq softirq steal
 * guest guest_nice. Guest time is already counted in user and nice, so it is left out of
 * the total; idle and iowait are the CPU doing nothing. `cores` counts the `cpuN` lines.
 */
export function parseCpuCounters(stat: string): { busy: number; total: number; cores: number } {
  const lines = stat.split('\n');
  const aggregate = lines.find((line) => line.startsWith('cpu '));
  const fields = (aggregate ?? '').trim().split(/\s+/).slice(1, 9).map(Number);
  if (fields.length < 4 || fields.some((value) => !Number.isFinite(value))) throw new Error('no cpu line in /proc/stat');
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  const total = user + nice + system + idle + iowait + irq + softirq + steal;
  const cores = lines.filter((line) => /^cpu\d+\s/.test(line)).length;
  return { busy: total - idle - iowait, total, cores };
}

/** MemAvailable is what the kernel can hand out without swapping: page cache counts as free. */
export function memoryPercent(meminfo: string): Reading {
  const kib = (key: string): number | undefined => {
    const match = new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(meminfo);
    return match?.[1] === undefined ? undefined : Number(match[1]);
  };
  const total = kib('MemTotal');
  const available = kib('MemAvailable');
  if (total === undefined || !(total > 0)) return { error: 'MemTotal missing from /proc/meminfo' };
  if (available === undefined) return { error: 'MemAvailable missing from /proc/meminfo (needs Linux 3.14 or later)' };
  return { value: round(clamp(((total - available) / total) * 100, 0, 100)) };
}

/** The 1-minute load average per core: 1 means every core busy, whatever the host's size. */
export function loadPerCore(loadavg: string, cores: number): Reading {
  const oneMinute = Number(loadavg.trim().split(/\s+/)[0]);
  if (!Number.isFinite(oneMinute)) return { error: 'unexpected /proc/loadavg' };
  if (!(cores > 0)) return { error: 'number of cores unknown: no cpuN lines in /proc/stat' };
  return { value: round(oneMinute / cores) };
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return code ?? (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'unreadable';
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
