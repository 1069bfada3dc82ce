import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPlanError } from '../../src/plan/errors.js';
import { loadPlan, type LoadedPlan } from '../../src/plan/load.js';
import type { Metric } from '../../src/plan/schema.js';
import { sampleMetric } from '../../src/probes/metrics.js';
import { createHostSampler, memoryPercent, parseCpuCounters, type SystemField } from '../../src/probes/sources/system.js';
import { startServer, type TestServer } from '../helpers/servers.js';
import { planFolder, planWith } from '../plan/plan-files.js';

const system = (field: SystemField, extra: { interface?: string } = {}): Metric => ({
  name: field, source: 'system', field, breachesBeforeAction: 1, ...extra,
});

/**
 * A /proc whose counters move by a known amount on every read of /proc/stat (user +100,
 * idle +300: 25 % busy), with 2 cores, a 1-minute load of 3 and 75 % of memory in use.
 */
function fakeProc() {
  const reads: string[] = [];
  let statReads = 0;
  const files: Record<string, () => string> = {
    '/proc/stat': () => {
      statReads += 1;
      const user = 1000 + 100 * statReads;
      const idle = 5000 + 300 * statReads;
      return `cpu  ${user} 0 0 ${idle} 0 0 0 0 0 0\ncpu0 1 0 0 1 0 0 0 0 0 0\ncpu1 1 0 0 1 0 0 0 0 0 0\nintr 1\n`;
    },
    '/proc/loadavg': () => '3.00 2.00 1.00 2/180 4242\n',
    '/proc/meminfo': () => 'MemTotal:        1000 kB\nMemFree:          100 kB\nMemAvailable:     250 kB\n',
  };
  const readText = async (file: string): Promise<string> => {
    reads.push(file);
    const content = files[file];
    if (content === undefined) throw Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' });
    return content();
  };
  const count = (file: string): number => reads.filter((read) => read === file).length;
  return { readText, reads, count };
}

describe('system metrics on this host', () => {
  it('reads cpu and memory as percentages and load as a non-negative number', async () => {
    const [cpu, memory, load] = await Promise.all((['cpu', 'memory', 'load'] as const).map((field) => sampleMetric(system(field), { cwd: '.' })));
    for (const sample of [cpu, memory, load]) expect(sample?.error, sample?.metric).toBeUndefined();
    expect(cpu?.value).toBeGreaterThanOrEqual(0);
    expect(cpu?.value).toBeLessThanOrEqual(100);
    expect(memory?.value).toBeGreaterThan(0);
    expect(memory?.value).toBeLessThanOrEqual(100);
    expect(load?.value).toBeGreaterThanOrEqual(0);
  });

  describe('network', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startServer((req, res) => {
        req.resume();
        req.on('end', () => res.end('x'.repeat(32 * 1024)));
      });
    });
    afterAll(async () => server.close());

    it('reports bytes per second on the loopback interface from its first sample', async () => {
      const sampler = createHostSampler();
      const reading = sampler.read({ field: 'network', interface: 'lo' });
      let measured = false;
      void reading.finally(() => (measured = true));
      // Loopback traffic for as long as the first sample measures (its baseline window).
      let requests = 0;
      while (!measured) {
        const response = await fetch(server.url, { method: 'POST', body: 'y'.repeat(16 * 1024) });
        await response.text();
        requests += 1;
      }
      const { value, error } = await reading;
      expect(error).toBeUndefined();
      expect(requests).toBeGreaterThan(0);
      expect(value).toBeGreaterThan(0);
    });

    it('names an unknown interface and lists the ones this host has', async () => {
      const names = (await readdir('/sys/class/net')).sort();
      const sample = await sampleMetric(system('network', { interface: 'nosuch0' }), { cwd: '.' });
      expect(sample.value).toBeUndefined();
      expect(sample.error).toBe(`network interface "nosuch0" not found: this host has ${names.join(', ')}`);
    });

    it('refuses an interface name that would leave /sys/class/net', async () => {
      const sampler = createHostSampler();
      expect(await sampler.read({ field: 'network', interface: '../../../etc' })).toEqual({ error: 'not a network interface name: "../../../etc"' });
    });
  });
});

describe('the host sampler', () => {
  it('reads the host at most once a second, one read shared by cpu, memory and load', async () => {
    const proc = fakeProc();
    let clock = 0;
    const sampler = createHostSampler({ readText: proc.readText, now: () => clock });
    // The very first reading also takes the CPU baseline: /proc/stat twice.
    expect(await sampler.read({ field: 'cpu' })).toEqual({ value: 25 });
    expect([proc.count('/proc/stat'), proc.count('/proc/loadavg'), proc.count('/proc/meminfo')]).toEqual([2, 1, 1]);

    clock = 900;
    expect(await sampler.read({ field: 'load' })).toEqual({ value: 1.5 });
    expect(await sampler.read({ field: 'memory' })).toEqual({ value: 75 });
    expect(await sampler.read({ field: 'cpu' })).toEqual({ value: 25 });
    expect(proc.reads).toHaveLength(4);

    clock = 1_000;
    const [cpu, load, memory] = await Promise.all([
      sampler.read({ field: 'cpu' }),
      sampler.read({ field: 'load' }),
      sampler.read({ field: 'memory' }),
    ]);
    expect({ cpu, load, memory }).toEqual({ cpu: { value: 25 }, load: { value: 1.5 }, memory: { value: 75 } });
    expect([proc.count('/proc/stat'), proc.count('/proc/loadavg'), proc.count('/proc/meminfo')]).toEqual([3, 2, 2]);
  });

  it('shares a reading still in flight, however long it takes', async () => {
    const proc = fakeProc();
    let clock = 0;
    const sampler = createHostSampler({ readText: proc.readText, now: () => clock });
    const first = sampler.read({ field: 'cpu' });
    clock = 5_000;
    const second = sampler.read({ field: 'memory' });
    expect(await Promise.all([first, second])).toEqual([{ value: 25 }, { value: 75 }]);
    expect(proc.count('/proc/meminfo')).toBe(1);
  });

  it('measures CPU over a fresh window when the previous reading is more than a minute old', async () => {
    const proc = fakeProc();
    let clock = 0;
    const sampler = createHostSampler({ readText: proc.readText, now: () => clock });
    await sampler.read({ field: 'cpu' });
    clock = 30_000;
    await sampler.read({ field: 'cpu' });
    expect(proc.count('/proc/stat')).toBe(3);
    clock = 95_000;
    expect(await sampler.read({ field: 'cpu' })).toEqual({ value: 25 });
    expect(proc.count('/proc/stat')).toBe(5);
  });

  it('says which file it could not read', async () => {
    const sampler = createHostSampler({ readText: async () => Promise.reject(Object.assign(new Error('EACCES'), { code: 'EACCES' })) });
    expect(await sampler.read({ field: 'memory' })).toEqual({ error: 'cannot read /proc/meminfo: permission denied' });
  });

  it('refuses to guess on a platform without /proc', async () => {
    const sampler = createHostSampler({ platform: 'darwin' });
    expect(await sampler.read({ field: 'cpu' })).toEqual({
      error: 'system metrics are not supported on darwin: warroom reads /proc and /sys (Linux only)',
    });
  });
});

describe('/proc parsing', () => {
  it('leaves guest time out of the CPU total (the kernel counts it in user and nice already)', () => {
    expect(parseCpuCounters('cpu  10 2 3 80 5 0 0 0 7 1\ncpu0 10 2 3 80 5 0 0 0 7 1\n')).toEqual({ busy: 15, total: 100, cores: 1 });
  });

  it('counts reclaimable page cache as available memory', () => {
    expect(memoryPercent('MemTotal: 2000 kB\nMemFree: 100 kB\nMemAvailable: 1500 kB\nCached: 1200 kB\n')).toEqual({ value: 25 });
    expect(memoryPercent('MemTotal: 2000 kB\nMemFree: 100 kB\n')).toEqual({ error: 'MemAvailable missing from /proc/meminfo (needs Linux 3.14 or later)' });
  });
});

describe('the system metric in a plan', () => {
  const CPU_METRIC = '{name: cpu, source: system, field: cpu, max: 90}';

  async function load(metric: string): Promise<LoadedPlan | string[]> {
    const dir = await planFolder(planWith(CPU_METRIC, metric));
    const result = await loadPlan('release.yaml', { cwd: dir });
    return 'errors' in result ? result.errors.map(formatPlanError) : result;
  }

  it('accepts a network metric on a named interface', async () => {
    const result = await load('{name: net, source: system, field: network, interface: eth0, max: 125000000, unit: B/s}');
    expect(Array.isArray(result)).toBe(false);
    expect((result as LoadedPlan).plan.health.metrics[0]).toMatchObject({ field: 'network', interface: 'eth0' });
  });

  it('asks for the interface when the field is network', async () => {
    expect(await load('{name: net, source: system, field: network, max: 125000000}')).toEqual([
      'release.yaml:27:42 health.metrics[0].field: a network metric needs "interface", the network interface to read (e.g. interface: eth0)',
    ]);
  });

  it('refuses an interface on a field that is not network', async () => {
    expect(await load('{name: cpu, source: system, field: cpu, interface: eth0, max: 90}')).toEqual([
      'release.yaml:27:58 health.metrics[0].interface: "interface" applies to field network only; this metric reads cpu',
    ]);
  });

  it('refuses an interface name the kernel would not allow', async () => {
    expect(await load('{name: net, source: system, field: network, interface: ../eth0, max: 1}')).toEqual([
      'release.yaml:27:62 health.metrics[0].interface: an interface name is 1 to 15 characters without "/", ":" or spaces',
    ]);
  });
});
