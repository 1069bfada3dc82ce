#!/usr/bin/env node
// The least any console must do to a step's output on this machine, in one Node process:
// read the pipe, screen every byte for secrets and control characters (warroom's own
// screen), hash every byte (SHA-256, as the journal's output ranges do), and write the
// log and a copy for the screen. No lines, no masking, no journal, no chart. The bench
// sets this beside `cmd | tee log` so the step's ratio can be read against it.
//
//   node scripts/bench/floor.mjs LOG LINES [pattern...]   prints {"ms":…,"bytes":…}

import { spawn } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const { createMasking } = await import(join(HERE, '../../dist/src/safety/mask.js'));

const [logPath, lines, ...patterns] = process.argv.slice(2);
const masking = createMasking({ patterns, values: [process.env.BENCH_SECRET ?? 'bench-secret-value-7f3a9c'] });
// Built before the clock starts: a floor leaves out every one-off cost.
masking.screen('warm up '.repeat(4096));

const started = performance.now();
const child = spawn(process.execPath, [join(HERE, 'gen-lines.mjs'), lines], { stdio: ['ignore', 'pipe', 'inherit'] });
const log = openSync(logPath, 'w');
const copy = openSync('/dev/null', 'w');
const hash = createHash('sha256');
let bytes = 0;
let named = 0;
child.stdout.on('data', (chunk) => {
  named += masking.screen(chunk.latin1Slice(0, chunk.length)).length;
  hash.update(chunk);
  writeSync(log, chunk);
  writeSync(copy, chunk);
  bytes += chunk.length;
});
child.on('close', (code) => {
  closeSync(log);
  closeSync(copy);
  hash.digest();
  if (code !== 0) process.exitCode = 1;
  process.stdout.write(`${JSON.stringify({ ms: performance.now() - started, bytes, named })}\n`);
});
