#!/usr/bin/env node
// Throughput of the output filter (src/safety): how fast masking and escape sanitising
// go through a long, realistic deploy log. Prints a figure, asserts nothing.
//
//   npm run build && node scripts/measure-filter.mjs [--lines 1000000] [--values 2] [--patterns 1]
//   node --cpu-prof --cpu-prof-dir=/tmp/prof scripts/measure-filter.mjs   # to profile
//
// The log is generated (seeded, so runs compare): mostly ordinary lines with hashes,
// UUIDs, digests, image references and IPs, about 1 % with a secret and 1 % with escapes.

import { performance } from 'node:perf_hooks';
import { cpus } from 'node:os';
import { createOutputFilter } from '../dist/src/safety/output.js';
import { LineSplitter } from '../dist/src/runner/lines.js';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(args[at + 1]);
};
const LINES = option('lines', 1_000_000);
const VALUES = option('values', 2);
const PATTERNS = option('patterns', 1);

// A small deterministic PRNG (mulberry32): the same log on every run.
let seed = 0x5eed;
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (items) => items[Math.floor(random() * items.length)];
const hex = (n) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(random() * 16)]).join('');
const alnum = (n) => Array.from({ length: n }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(random() * 62)]).join('');
const upper = (n) => Array.from({ length: n }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0234567'[Math.floor(random() * 33)]).join('');
const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
const ip = () => `10.${Math.floor(random() * 255)}.${Math.floor(random() * 255)}.${Math.floor(random() * 255)}`;
let clock = Date.parse('2026-03-02T02:00:00Z');
const stamp = () => new Date((clock += Math.floor(random() * 40))).toISOString();
const pod = () => `checkout-api-7f9c${hex(4)}-${alnum(5).toLowerCase()}`;

const ordinary = [
  () => `${stamp()} INFO  rollout canary-10: ${pod()} ready 3/3 on node ${ip()}`,
  () => `${stamp()} INFO  pulled registry.internal:5000/team/app@sha256:${hex(64)}`,
  () => `${stamp()} DEBUG request ${uuid()} GET /v2/orders 200 ${Math.floor(random() * 300)}ms from ${ip()}`,
  () => `${stamp()} INFO  deployed commit ${hex(40)} to production (${pod()})`,
  () => `${stamp()} WARN  p95 latency ${Math.floor(random() * 400)}ms above 250ms budget for route /v2/checkout`,
  () => `${stamp()} INFO  migration 2026_03_01_${hex(6)} applied in ${Math.floor(random() * 900)}ms, 0 rows locked`,
  () => `${stamp()} INFO  health GET http://${ip()}:8080/healthz -> 200 in ${Math.floor(random() * 30)}ms`,
  () => `  layer sha256:${hex(64)}: Pull complete`,
];
const secrets = [
  () => `${stamp()} DEBUG aws configure set aws_access_key_id AKIA${upper(16)}`,
  () => `${stamp()} DEBUG git remote https://x-access-token:ghs_${alnum(36)}@git.internal/app.git`,
  () => `${stamp()} DEBUG DATABASE_URL=postgres://app:${alnum(18)}@db.internal:5432/orders`,
  () => `${stamp()} DEBUG curl -H 'Authorization: Bearer ${alnum(40)}' https://api.internal/v1/deploys`,
  () => `${stamp()} DEBUG notify token=xoxb-${hex(10)}-${hex(12)}-${alnum(24)}`,
  () => `${stamp()} DEBUG session eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ${alnum(20)}.${alnum(43)}`,
];
const escapes = [
  () => `\x1b[32m${stamp()} INFO  all ${Math.floor(random() * 90)} smoke tests passed\x1b[0m`,
  () => `progress 10%\rprogress 55%\rprogress 100% ${hex(7)}`,
  () => `\x1b]0;deploying ${pod()}\x07${stamp()} INFO  set title`,
  () => `\x1b[1A\x1b[2K${stamp()} PASSED overwritten \x1b]8;;http://example.invalid\x1b\\link\x1b]8;;\x1b\\`,
];

function line() {
  const roll = random();
  if (roll < 0.01) return pick(secrets)();
  if (roll < 0.02) return pick(escapes)();
  return pick(ordinary)();
}

const values = Array.from({ length: VALUES }, (_, i) => `plan-secret-${i}-${alnum(20)}`);
const patterns = Array.from({ length: PATTERNS }, (_, i) => `corp${i}-[0-9]{6}-[a-z]{4}`);

process.stdout.write(`generating ${LINES.toLocaleString('en')} lines… `);
const log = new Array(LINES);
let bytes = 0;
for (let i = 0; i < LINES; i += 1) {
  log[i] = line();
  bytes += Buffer.byteLength(log[i]) + 1;
}
process.stdout.write(`${(bytes / 1e6).toFixed(1)} MB\n`);

const report = (label, ms, outputs) => {
  const seconds = ms / 1000;
  console.log(
    `${label.padEnd(24)} ${(bytes / 1e6 / seconds).toFixed(1).padStart(7)} MB/s  ${Math.round(LINES / seconds).toLocaleString('en').padStart(10)} lines/s  (${seconds.toFixed(2)} s, ${outputs} lines changed)`,
  );
};

// Lines as the session sees them: already split, one call per line.
{
  const filter = createOutputFilter({ values, patterns });
  let changed = 0;
  const start = performance.now();
  for (let i = 0; i < LINES; i += 1) {
    const { evidence } = filter(log[i]);
    if (evidence !== log[i]) changed += 1;
  }
  report('createOutputFilter, line by line', performance.now() - start, changed);
}

// The whole path from bytes, as a session runs it: 64 KiB chunks through the LineSplitter, then the filter a chunk's lines at a time.
{
  const filter = createOutputFilter({ values, patterns });
  const buffer = Buffer.from(`${log.join('\n')}\n`);
  let changed = 0;
  const splitter = new LineSplitter((batch) => {
    const { evidence } = filter.lines(batch);
    for (let i = 0; i < batch.length; i += 1) if (evidence[i] !== batch[i]) changed += 1;
  });
  const start = performance.now();
  for (let at = 0; at < buffer.length; at += 65536) splitter.write(buffer.subarray(at, at + 65536));
  splitter.flush();
  report('LineSplitter + filter', performance.now() - start, changed);
}

console.log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`);
