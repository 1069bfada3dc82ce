#!/usr/bin/env node
// The benchmark's deploy step: prints LINES lines of a realistic deploy log (~90 bytes a
// line) as fast as the reader takes them. Seeded, so every run prints the same bytes.
// About 1 % of lines carry a secret (masked by warroom) and 1 % terminal escapes.
//
//   node scripts/bench/gen-lines.mjs LINES

const LINES = Number(process.argv[2] ?? 1_000_000);
const POOL = 8192;
const CHUNK = 64 * 1024;

// mulberry32: the same log on every run.
let seed = 0x5eed;
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const int = (n) => Math.floor(random() * n);
const pick = (items) => items[int(items.length)];
const chars = (alphabet, n) => {
  let text = '';
  for (let i = 0; i < n; i += 1) text += alphabet[int(alphabet.length)];
  return text;
};
const hex = (n) => chars('0123456789abcdef', n);
const alnum = (n) => chars('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', n);
const ip = () => `10.${int(255)}.${int(255)}.${int(255)}`;
const pod = () => `checkout-api-7f9c${hex(4)}-${alnum(5).toLowerCase()}`;
let clock = Date.parse('2026-03-02T02:00:00Z');
const stamp = () => new Date((clock += int(40))).toISOString();

const ordinary = [
  () => `${stamp()} INFO  rollout canary-10: ${pod()} ready 3/3 on ${ip()}`,
  () => `${stamp()} INFO  pulled registry.internal/app@sha256:${hex(40)}`,
  () => `${stamp()} DEBUG req ${hex(8)}-${hex(4)} GET /v2/orders 200 ${int(300)}ms from ${ip()}`,
  () => `${stamp()} INFO  deployed commit ${hex(40)} to production`,
  () => `${stamp()} WARN  p95 latency ${int(400)}ms above 250ms budget for /v2/checkout`,
  () => `${stamp()} INFO  migration 2026_03_01_${hex(6)} applied in ${int(900)}ms, 0 rows locked`,
  () => `${stamp()} INFO  health GET http://${ip()}:8080/healthz -> 200 in ${int(30)}ms`,
  () => `  layer sha256:${hex(64)}: Pull complete`,
];
const secrets = [
  () => `${stamp()} DEBUG aws_access_key_id AKIA${chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`,
  () => `${stamp()} DEBUG remote https://x-access-token:ghs_${alnum(36)}@git.internal/app.git`,
  () => `${stamp()} DEBUG curl -H 'Authorization: Bearer ${alnum(40)}' https://api.internal/v1`,
  () => `${stamp()} DEBUG image store token ckt_${alnum(20)}`,
];
const escapes = [
  () => `\x1b[32m${stamp()} INFO  all ${int(90)} smoke tests passed\x1b[0m`,
  () => `progress 10%\rprogress 55%\rprogress 100% ${hex(7)}`,
  () => `\x1b]0;deploying ${pod()}\x07${stamp()} INFO  set title`,
];
const line = () => {
  const roll = random();
  if (roll < 0.01) return pick(secrets)();
  if (roll < 0.02) return pick(escapes)();
  return pick(ordinary)();
};

// A pool of distinct lines, encoded once and copied out in a scrambled order: printing
// costs next to nothing, so the baseline measures the pipe and the tee, not this script.
const pool = Array.from({ length: POOL }, () => Buffer.from(`${line()}\n`));
const longest = Math.max(...pool.map((bytes) => bytes.length));
let chunk = Buffer.allocUnsafe(CHUNK + longest);
let used = 0;
const flush = () =>
  new Promise((resolve) => {
    const full = chunk.subarray(0, used);
    chunk = Buffer.allocUnsafe(CHUNK + longest);
    used = 0;
    if (process.stdout.write(full)) resolve();
    else process.stdout.once('drain', resolve);
  });
for (let i = 0; i < LINES; i += 1) {
  used += pool[(i * 40503) % POOL].copy(chunk, used);
  if (used >= CHUNK) await flush();
}
if (used > 0) await flush();
