import si from 'systeminformation';
import type { Reading } from './reading.js';

export type SystemField = 'cpu' | 'memory' | 'load';

/**
 * Host readings through systeminformation. Only these calls: others run synchronous
 * shell commands on Linux. (currentLoad itself reads /proc/stat through one short
 * execSync; measured at a few ms, acceptable at one sample per second.)
 */
export async function readSystemMetric(field: SystemField): Promise<Reading> {
  if (field === 'memory') {
    const memory = await si.mem();
    if (!(memory.total > 0)) return { error: 'total memory unknown' };
    // Page cache and buffers are reclaimable: counting them would always look "full".
    return { value: round(((memory.used - memory.buffcache) / memory.total) * 100) };
  }
  const load = await si.currentLoad();
  // avgLoad: the highest of the 1, 5 and 15 minute load averages, per core.
  return { value: round(field === 'cpu' ? load.currentLoad : load.avgLoad) };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
