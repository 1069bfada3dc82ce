// Preloaded into the process under measurement (`node --import <this file> …`): at exit,
// writes its peak resident set size and its CPU time to $WARROOM_BENCH_PROBE_DIR/<pid>.json.
// Only the process given --import has it: the commands it runs are not measured.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.WARROOM_BENCH_PROBE_DIR;
const trace = process.env.WARROOM_BENCH_PROBE_TRACE === '1';
const heapPeak = { heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0 };
if (trace) {
  setInterval(() => {
    const now = process.memoryUsage();
    for (const key of Object.keys(heapPeak)) heapPeak[key] = Math.max(heapPeak[key], now[key]);
  }, 50).unref();
}
if (dir) {
  process.once('exit', () => {
    const usage = process.resourceUsage();
    // maxRSS is in kilobytes (getrusage), CPU times in microseconds.
    const probe = { pid: process.pid, maxRssBytes: usage.maxRSS * 1024, userCpuMicros: usage.userCPUTime, systemCpuMicros: usage.systemCPUTime, ...(trace ? { heapPeak } : {}) };
    writeFileSync(join(dir, `${process.pid}.json`), JSON.stringify(probe));
  });
}
