#!/usr/bin/env node
// `npm run bench`: how fast warroom is on this machine, each figure against a baseline
// measured in the same run (SPEC section 12). Prints a table and writes it, with the
// machine and the date, into docs/BENCHMARKS.md between its bench markers.
//
//   node scripts/bench/run.mjs [--scale 1] [--out docs/BENCHMARKS.md] [--only a,b] [--cli bin/warroom.js] [--keep]
//
// --scale multiplies every size (lines, megabytes, seconds): 0.01 is a quick look,
// 0.001 is what the test runs. Needs the build (npm run build): bin/warroom.js runs the
// tsc output, the first-frame row runs dist/warroom.mjs. Rows: throughput, rss, frame,
// soak, replay, zip (--only picks some).

import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundle } from '../build-bundle.mjs';
import { stretchRecording } from './recording.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '../..');
const GENERATOR = join(HERE, 'gen-lines.mjs');
const PROBE = join(HERE, 'rss-probe.mjs');
const ROWS = ['throughput', 'rss', 'frame', 'soak', 'replay', 'zip'];

const { values: options } = parseArgs({
  options: {
    scale: { type: 'string', default: '1' },
    out: { type: 'string', default: join(REPO, 'docs/BENCHMARKS.md') },
    only: { type: 'string', default: ROWS.join(',') },
    cli: { type: 'string', default: join(REPO, 'bin/warroom.js') },
    bundle: { type: 'string', default: join(REPO, 'dist/warroom.mjs') },
    keep: { type: 'boolean', default: false },
  },
});
const SCALE = Number(options.scale);
if (!(SCALE > 0)) throw new Error(`--scale must be a positive number, got ${options.scale}`);
const ONLY = new Set(options.only.split(','));
const CLI = resolve(options.cli);
const BUNDLE = resolve(options.bundle);
for (const file of [CLI, BUNDLE, join(REPO, 'dist/src/evidence/package.js')]) {
  if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build first`);
}
// Full-size runs repeat each measure and take the median; tiny ones (the test) run once.
const REPEATS = SCALE >= 0.5 ? 3 : 1;
// The throughput runs are short (~1 s) and swing with whatever else the host runs: more of them.
const THROUGHPUT_REPEATS = SCALE >= 0.5 ? 5 : 1;
const WORK = mkdtempSync(join(tmpdir(), 'warroom-bench-'));
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();
// The console tests' rule: Ink draws only the last frame when it sees CI variables.
const TERMINAL_ENV = (() => {
  // The bundle's compile cache (docs/bundle.md) lives in the work folder: the warm-up run writes it, as a first start would.
  const env = { ...process.env, TERM: 'xterm-256color', WARROOM_COMPILE_CACHE: join(WORK, 'compile-cache') };
  for (const name of ['CI', 'CONTINUOUS_INTEGRATION', 'BUILD_NUMBER', 'RUN_ID']) delete env[name];
  return env;
})();

// ─── small helpers ──────────────────────────────────────────────────────────

const log = (text) => process.stderr.write(`bench: ${text}\n`);
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
const seconds = (ms) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
const count = (n) => n.toLocaleString('en');
const scaled = (n, min = 1) => Math.max(min, Math.round(n * SCALE));

/** Runs a program to its end; resolves with its exit code, wall time and stderr. */
function run(program, args, { cwd = WORK, env = process.env, stdout = 'ignore' } = {}) {
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(program, args, { cwd, env, stdio: ['ignore', stdout, 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', fail);
    child.on('exit', (code, signal) => done({ code, signal, ms: performance.now() - started, stderr, pid: child.pid }));
  });
}

/** Plain `node` with the probe preloaded: its peak RSS and CPU time land in WORK/probe. */
function probed(args, options = {}) {
  const probeDir = join(WORK, 'probe');
  mkdirSync(probeDir, { recursive: true });
  return run(process.execPath, ['--import', PROBE, ...args], { ...options, env: { ...process.env, WARROOM_BENCH_PROBE_DIR: probeDir, ...options.env } }).then((result) => ({
    ...result,
    probe: JSON.parse(readFileSync(join(probeDir, `${result.pid}.json`), 'utf8')),
  }));
}

const devNull = () => openSync('/dev/null', 'w');

function journalEntries(path, { skipOutput = true } = {}) {
  const entries = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line === '' || (skipOutput && line.includes('"type":"output"'))) continue;
    entries.push(JSON.parse(line));
  }
  return entries;
}

// ─── the plans ──────────────────────────────────────────────────────────────

/** The plan's own secret pattern, which the generator's `ckt_` tokens match. */
const PLAN_PATTERN = 'ckt_[A-Za-z0-9]{16,}';
const APPROVALS = [{ for: 'production', role: 'sre', name: 'Sam Okafor', user: 'sam', decision: 'approve', at: '2026-03-02T01:55:00Z', reason: 'benchmark' }];

/** A plan with one deploy step and no more protocol than the schema asks for. */
function writePlan(name, { step, health } = {}) {
  const dir = join(WORK, name);
  mkdirSync(dir, { recursive: true });
  const lines = [
    'version: 1',
    'release: {name: bench-api, tag: v1.0.0, environment: production, services: [bench-api], strategy: canary}',
    'stakeholders:',
    '  - {name: Sam Okafor, role: sre, user: sam}',
    'approvals: {production: [sre]}',
    'deploy:',
    '  steps:',
    `    - {name: ${step.name}, run: ${JSON.stringify(step.run)}, timeout: 60m}`,
    'rollback: {run: ["true"]}',
    // Masking works for its living: a plan pattern the generator's tokens match, on top of the built-in detectors.
    `secrets: {patterns: [${JSON.stringify(PLAN_PATTERN)}], env: [BENCH_SECRET]}`,
    ...(health ?? []),
  ];
  writeFileSync(join(dir, 'release.yaml'), `${lines.join('\n')}\n`);
  writeFileSync(join(dir, 'approvals.json'), `${JSON.stringify(APPROVALS, null, 2)}\n`);
  return dir;
}

const runArgs = (dir, evidence, { headless = true, approvals = true } = {}) => [
  'run',
  join(dir, 'release.yaml'),
  ...(headless ? ['--headless'] : []),
  ...(approvals ? ['--approvals', join(dir, 'approvals.json')] : []),
  '--evidence',
  evidence,
];
const RUN_ENV = { BENCH_SECRET: 'bench-secret-value-7f3a9c' };

// ─── rows ───────────────────────────────────────────────────────────────────

/** One table row. `pass` is true, false, or null when there is nothing to judge. */
const row = (fields) => ({ baseline: '—', ratio: '—', target: '—', pass: null, note: '', ...fields });

/** A flood of `lines` through a real headless run: the step's wall time, the whole run's, and peak RSS. */
async function floodRun(lines, label) {
  const dir = writePlan(`flood-${lines}`, { step: { name: 'flood', run: [process.execPath, GENERATOR, String(lines)] } });
  const evidence = join(dir, 'evidence');
  rmSync(evidence, { recursive: true, force: true });
  rmSync(join(dir, '.warroom'), { recursive: true, force: true });
  const out = devNull();
  const result = await probed([CLI, ...runArgs(dir, evidence)], { cwd: dir, stdout: out, env: RUN_ENV });
  closeSync(out);
  if (result.code !== 0) throw new Error(`${label}: warroom exited ${result.code}: ${result.stderr.trim()}`);
  const entries = journalEntries(join(evidence, 'journal.jsonl'));
  const start = entries.find((entry) => entry.type === 'command.start');
  const end = entries.find((entry) => entry.type === 'command.end');
  // The step is over for warroom once its log is closed and the chart moved on: the next transition.
  const after = entries.find((entry) => entry.type === 'transition' && entry.seq > end.seq);
  if (end.data.lines !== lines) throw new Error(`${label}: the step printed ${lines} lines, warroom counted ${end.data.lines}`);
  const logBytes = statSync(join(evidence, 'logs/flood.log')).size;
  return { stepMs: Date.parse(after.ts) - Date.parse(start.ts), runMs: result.ms, maxRss: result.probe.maxRssBytes, logBytes, cpuMs: (result.probe.userCpuMicros + result.probe.systemCpuMicros) / 1000 };
}

async function teeRun(lines) {
  const logPath = join(WORK, 'tee.log');
  const result = await run('bash', ['-c', `"${process.execPath}" "${GENERATOR}" ${lines} | tee "${logPath}" > /dev/null`]);
  if (result.code !== 0) throw new Error(`cmd | tee exited ${result.code}: ${result.stderr}`);
  return { ms: result.ms, bytes: statSync(logPath).size };
}

/** The floor: the least work on the same output in one Node process (floor.mjs). */
async function floorRun(lines) {
  const logPath = join(WORK, 'floor.log');
  let out = '';
  const result = await new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(HERE, 'floor.mjs'), logPath, String(lines), PLAN_PATTERN], { cwd: WORK, env: { ...process.env, ...RUN_ENV }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', fail);
    child.on('exit', (code) => done({ code, stderr }));
  });
  if (result.code !== 0) throw new Error(`floor.mjs exited ${result.code}: ${result.stderr}`);
  return JSON.parse(out);
}

async function throughputRows(results) {
  const lines = scaled(1_000_000);
  log(`throughput: ${count(lines)} lines, ${THROUGHPUT_REPEATS} run(s) each`);
  const tee = [];
  const flood = [];
  const floor = [];
  for (let i = 0; i < THROUGHPUT_REPEATS; i += 1) {
    tee.push(await teeRun(lines));
    flood.push(await floodRun(lines, 'throughput'));
    floor.push(await floorRun(lines));
  }
  const teeMs = median(tee.map((t) => t.ms));
  const stepMs = median(flood.map((f) => f.stepMs));
  const floorMs = median(floor.map((f) => f.ms));
  const runMs = median(flood.map((f) => f.runMs));
  results.flood = flood;
  const what = `${count(lines)} lines (${mb(tee[0].bytes)})`;
  return [
    row({
      name: `deploy step printing ${what}: step wall time`,
      figure: seconds(stepMs),
      baseline: `${seconds(teeMs)} \`cmd | tee log\``,
      ratio: stepMs / teeMs,
      target: '≤ 1.5×',
      pass: stepMs / teeMs <= 1.5,
      note: 'command.start to the next transition in the journal: masking, sanitising, step log, journal, headless print to /dev/null',
    }),
    row({
      name: 'the least any console must do to that output (read, screen, SHA-256, log and copy)',
      figure: seconds(floorMs),
      baseline: `${seconds(teeMs)} \`cmd | tee log\``,
      ratio: floorMs / teeMs,
      note: "scripts/bench/floor.mjs: one Node process reads the pipe, runs warroom's own screen over every byte, hashes every byte and writes the log and a copy; no lines, masking, journal or chart. The step's ratio above this one is what warroom adds",
    }),
    row({
      name: `the whole headless run around that step`,
      figure: seconds(runMs),
      baseline: `${seconds(teeMs)} \`cmd | tee log\``,
      ratio: runMs / teeMs,
      note: 'process start to exit: adds start-up, the evidence package (manifest hashes and zip of log + journal) and the exit',
    }),
  ];
}

async function rssRows(results) {
  const small = scaled(10_000);
  const large = scaled(1_000_000);
  log(`rss: ${count(small)} and ${count(large)} lines`);
  const bare = await probed(['-e', '0']);
  const smallRuns = [];
  for (let i = 0; i < REPEATS; i += 1) smallRuns.push(await floodRun(small, 'rss'));
  const largeRuns = results.flood ?? [await floodRun(large, 'rss')];
  const smallRss = median(smallRuns.map((r) => r.maxRss));
  const largeRss = median(largeRuns.map((r) => r.maxRss));
  const limit = 200e6;
  return [
    row({
      name: `peak RSS of warroom, step printing ${count(small)} lines`,
      figure: mb(smallRss),
      baseline: `${mb(bare.probe.maxRssBytes)} bare \`node -e 0\``,
      ratio: smallRss / bare.probe.maxRssBytes,
      target: '≤ 200 MB',
      pass: smallRss <= limit,
    }),
    row({
      name: `peak RSS of warroom, step printing ${count(large)} lines`,
      figure: mb(largeRss),
      baseline: `${mb(smallRss)} at ${count(small)} lines`,
      ratio: largeRss / smallRss,
      target: '≤ 200 MB and ≤ 1.3×',
      pass: largeRss <= limit && largeRss / smallRss <= 1.3,
      note: 'maxRSS (getrusage) of the warroom process only, not the step it runs',
    }),
  ];
}

const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]/g;

/**
 * Starts `command` in a pseudo-terminal (script(1), 120×40) and resolves with the time
 * until `marker` shows in what it draws; `then` may answer it (keys) before it is ended.
 */
function firstFrame(command, marker, { cwd = WORK, keys = [] } = {}) {
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn('script', ['-qfec', `stty cols 120 rows 40; exec ${command}`, '/dev/null'], { cwd, env: TERMINAL_ENV, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let screen = '';
    let seenAt;
    const timeout = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
      fail(new Error(`no first frame with "${marker}" within 30 s; the terminal showed:\n${screen.replace(ANSI, '').slice(-2000)}`));
    }, 30_000);
    child.stdout.on('data', async (chunk) => {
      screen += chunk;
      if (seenAt !== undefined || !screen.replace(ANSI, '').includes(marker)) return;
      seenAt = performance.now() - started;
      for (const key of keys) {
        await sleep(300);
        child.stdin.write(key);
      }
    });
    child.on('error', fail);
    child.on('exit', () => {
      clearTimeout(timeout);
      if (seenAt !== undefined) done(seenAt);
      else fail(new Error(`exited before a first frame with "${marker}"; the terminal showed:\n${screen.replace(ANSI, '').slice(-2000)}`));
    });
  });
}

async function frameRows() {
  const repeats = SCALE >= 0.5 ? 5 : 1;
  log(`first frame: ${repeats} run(s) each, after one warm-up`);
  const hello = join(WORK, 'hello.mjs');
  await bundle({ entry: join(HERE, 'hello.mjs'), out: hello });
  const dir = writePlan('console', { step: { name: 'deploy', run: ['true'] } });
  const evidence = join(dir, 'evidence');
  const helloRun = () => firstFrame(`"${process.execPath}" "${hello}"`, 'hello from ink');
  // No approvals: the console stops at the approval prompt, and the operator quits (q, y): nothing runs in production.
  const consoleRun = async () => {
    rmSync(evidence, { recursive: true, force: true });
    rmSync(join(dir, '.warroom'), { recursive: true, force: true });
    return firstFrame(`"${process.execPath}" "${BUNDLE}" ${runArgs(dir, evidence, { headless: false, approvals: false }).map((a) => `"${a}"`).join(' ')}`, 'bench-api v1.0.0', { cwd: dir, keys: ['q', 'y'] });
  };
  await helloRun();
  await consoleRun();
  const helloMs = [];
  const consoleMs = [];
  for (let i = 0; i < repeats; i += 1) {
    helloMs.push(await helloRun());
    consoleMs.push(await consoleRun());
  }
  const figure = median(consoleMs);
  const base = median(helloMs);
  return [
    row({
      name: 'time to first frame of the console (dist/warroom.mjs run, in a pseudo-terminal)',
      figure: seconds(figure),
      baseline: `${seconds(base)} bare Ink "hello" bundle`,
      ratio: figure / base,
      target: '≤ 1.5×',
      pass: figure / base <= 1.5,
      note: `both bundled by scripts/build-bundle.mjs, started with script(1), timed until their text is drawn; median of ${repeats}`,
    }),
  ];
}

/** utime+stime and cutime+cstime of a live process, in milliseconds. */
function cpuOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields after the command name start at 3 (state): utime is 14, stime 15, cutime 16, cstime 17.
  const at = (field) => Number(fields[field - 3]);
  return { own: ((at(14) + at(15)) * 1000) / CLK_TCK, children: ((at(16) + at(17)) * 1000) / CLK_TCK };
}

async function waitForJournal(path, ready, child, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (existsSync(path) && ready(journalEntries(path))) return;
    if (child.exitCode !== null) throw new Error('warroom ended before the soak window began');
    if (Date.now() > deadline) throw new Error('the soak window never began');
    await sleep(50);
  }
}

/** CPU of `pid` over `windowMs`, as a share of one core. */
async function cpuShare(pid, windowMs) {
  const before = cpuOf(pid);
  const started = performance.now();
  await sleep(windowMs);
  const after = cpuOf(pid);
  const elapsed = performance.now() - started;
  return { own: (after.own - before.own) / elapsed, children: (after.children - before.children) / elapsed };
}

const METRIC_COMMAND = ['echo', '0.01'];

async function soakRows(results) {
  const windowMs = scaled(20, 2) * 1000;
  const soakSeconds = windowMs / 1000 + 4;
  log(`soak: ${soakSeconds} s window sampled every 1 s, CPU measured over ${windowMs / 1000} s`);
  const dir = writePlan('soak', {
    step: { name: 'deploy', run: [process.execPath, GENERATOR, String(scaled(50_000))] },
    health: [
      'health:',
      `  soak: ${soakSeconds}s`,
      '  interval: 1s',
      '  metrics:',
      '    - {name: cpu, source: system, field: cpu, max: 100}',
      '    - {name: memory, source: system, field: memory, max: 100}',
      `    - {name: error_ratio, source: command, run: ${JSON.stringify(METRIC_COMMAND)}, max: 0.05}`,
    ],
  });
  const evidence = join(dir, 'evidence');
  const out = devNull();
  const child = spawn(process.execPath, [CLI, ...runArgs(dir, evidence)], { cwd: dir, env: { ...process.env, ...RUN_ENV }, stdio: ['ignore', out, 'ignore'] });
  closeSync(out);
  const exited = new Promise((done) => child.on('exit', (code) => done(code)));
  await waitForJournal(join(evidence, 'journal.jsonl'), (entries) => entries.some((entry) => entry.type === 'transition' && entry.data.to === 'stabilisation.soak'), child);
  // The first round starts the samplers (and loads the system source): the idle window begins after it.
  await sleep(1000);
  const share = await cpuShare(child.pid, windowMs);
  const code = await exited;
  if (code !== 0) throw new Error(`soak run: warroom exited ${code}`);
  results.soakEvidence = evidence;

  // The baseline: a bare node process doing the same sampling work's floor, spawning the command every second.
  const baseline = spawn(process.execPath, ['-e', `const {execFile}=require('node:child_process');setInterval(()=>execFile(${JSON.stringify(METRIC_COMMAND[0])},${JSON.stringify(METRIC_COMMAND.slice(1))},()=>{}),1000)`], { stdio: 'ignore' });
  await sleep(1000);
  const base = await cpuShare(baseline.pid, windowMs);
  baseline.kill();
  const percent = (share) => `${(share * 100).toFixed(2)} %`;
  return [
    row({
      name: `CPU of warroom in a soak window (3 metrics every 1 s, ${windowMs / 1000} s)`,
      figure: `${percent(share.own)} of a core`,
      baseline: `${percent(base.own)} bare node spawning \`echo\` every 1 s`,
      ratio: base.own > 0 ? share.own / base.own : '—',
      target: '≤ 2 %',
      pass: share.own <= 0.02,
      note: `utime+stime from /proc/PID/stat; the metric commands themselves took another ${percent(share.children)}`,
    }),
  ];
}

async function replayRows(results) {
  const help = await run(process.execPath, [CLI, 'replay', '--help']);
  const hours = SCALE;
  const name = `replay of a ${hours === 1 ? 'one-hour' : `${seconds(hours * 3_600_000)}`} recording, --speed max --headless`;
  if (help.code !== 0) {
    log('replay: not built yet');
    return [row({ name, figure: 'not measured: replay not built yet', target: '≤ 3 s', note: '`warroom replay --help` did not exit 0' })];
  }
  if (!results.soakEvidence) await soakRows(results);
  const recordingDir = join(WORK, 'recording');
  mkdirSync(recordingDir, { recursive: true });
  const journal = join(recordingDir, 'journal.jsonl');
  const recording = stretchRecording(join(results.soakEvidence, 'journal.jsonl'), journal, Math.round(3600 * hours));
  log(`replay: ${count(recording.entries)} journal lines, ${mb(recording.bytes)}, ${seconds(recording.durationMs)} of recorded time`);
  const parse = [];
  const replay = [];
  for (let i = 0; i < REPEATS; i += 1) {
    parse.push(await run(process.execPath, ['-e', `const t=require('node:fs').readFileSync(${JSON.stringify(journal)},'utf8').split('\\n');for(const l of t)if(l)JSON.parse(l)`]));
    const out = devNull();
    const result = await run(process.execPath, [CLI, 'replay', journal, '--speed', 'max', '--headless'], { stdout: out });
    closeSync(out);
    if (result.code !== 0) {
      return [row({ name, figure: `failed: exit ${result.code}`, target: '≤ 3 s', pass: false, note: result.stderr.trim().split('\n')[0] ?? '' })];
    }
    replay.push(result.ms);
  }
  const figure = median(replay);
  const base = median(parse.map((p) => p.ms));
  return [
    row({
      name,
      figure: seconds(figure),
      baseline: `${seconds(base)} node reading + JSON.parse of the journal`,
      ratio: figure / base,
      target: '≤ 3 s',
      pass: figure <= 3000,
      note: `${count(recording.entries)} events (${mb(recording.bytes)}): a real soak run's journal stretched to the length, chain rewritten`,
    }),
  ];
}

async function zipRows() {
  const total = scaled(100e6, 100_000);
  const folder = join(WORK, 'evidence-100mb');
  const files = Math.max(1, Math.ceil(total / 10e6));
  // gen-lines prints ~96 bytes a line: each log gets its share of the total.
  const linesEach = Math.max(1, Math.round(total / files / 96));
  log(`zip: ${files} log(s) of ${count(linesEach)} lines`);
  mkdirSync(join(folder, 'logs'), { recursive: true });
  for (let i = 0; i < files; i += 1) {
    const fd = openSync(join(folder, 'logs', `step-${String(i + 1).padStart(2, '0')}.log`), 'w');
    await run(process.execPath, [GENERATOR, String(linesEach)], { stdout: fd });
    closeSync(fd);
  }
  writeFileSync(join(folder, 'DEPLOYMENT-REPORT.md'), '# Deployment report\n\nbenchmark evidence\n');
  const bytes = readdirSync(join(folder, 'logs')).reduce((sum, file) => sum + statSync(join(folder, 'logs', file)).size, 0);
  const hasZip = (await run('bash', ['-c', 'command -v zip'])).code === 0;
  const ours = [];
  const theirs = [];
  for (let i = 0; i < REPEATS; i += 1) {
    for (const file of ['DEPLOYMENT-EVIDENCE.zip', 'manifest.json']) rmSync(join(folder, file), { force: true });
    const result = await run(process.execPath, [join(HERE, 'zip-evidence.mjs'), folder]);
    if (result.code !== 0) throw new Error(`zip-evidence exited ${result.code}: ${result.stderr}`);
    ours.push(result.ms);
    if (hasZip) {
      const zipPath = join(WORK, 'baseline.zip');
      rmSync(zipPath, { force: true });
      const baseline = await run('zip', ['-qr', zipPath, 'logs', 'DEPLOYMENT-REPORT.md'], { cwd: folder });
      if (baseline.code !== 0) throw new Error(`zip -r exited ${baseline.code}: ${baseline.stderr}`);
      theirs.push(baseline.ms);
    }
  }
  const figure = median(ours);
  const name = `evidence zip of ${mb(bytes)} of logs (writeEvidencePackage)`;
  if (!hasZip) return [row({ name, figure: seconds(figure), baseline: 'not measured: zip not installed (apt-get install zip)', target: '≤ 1.3×' })];
  const base = median(theirs);
  return [
    row({
      name,
      figure: seconds(figure),
      baseline: `${seconds(base)} \`zip -r\``,
      ratio: figure / base,
      target: '≤ 1.3×',
      pass: figure / base <= 1.3,
      note: 'manifest (SHA-256 of every file), then the zip, fsynced and renamed into place; zip -r only compresses',
    }),
  ];
}

// ─── the table ──────────────────────────────────────────────────────────────

function machine() {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
}

const ratioText = (ratio) => (typeof ratio === 'number' ? `${ratio.toFixed(2)}×` : ratio);
// A pipe inside a cell (`cmd | tee log`) would end the cell.
const cell = (text) => String(text).replace(/\|/g, '\\|');
const resultText = (pass) => (pass === null ? '—' : pass ? 'pass' : '**FAIL**');

function markdown(rows, host) {
  const lines = [
    `Measured ${host.date} on ${host.cpu}, ${host.cores} cores, ${host.memory}, Node ${host.node}; scale ${SCALE}${SCALE === 1 ? '' : ' (not the spec sizes: figures are for a quick look only)'}.`,
    '',
    '| measure | figure | baseline (same run) | ratio | target | result |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${[r.name, r.figure, r.baseline, ratioText(r.ratio), r.target, resultText(r.pass)].map(cell).join(' | ')} |`),
    '',
    ...rows.filter((r) => r.note).map((r) => `- *${r.name}*: ${r.note}`),
  ];
  return lines.join('\n');
}

function plainTable(rows) {
  const cells = [['measure', 'figure', 'baseline', 'ratio', 'target', 'result'], ...rows.map((r) => [r.name, r.figure, r.baseline, ratioText(r.ratio), r.target, r.pass === null ? '—' : r.pass ? 'pass' : 'FAIL'])];
  const widths = cells[0].map((_, column) => Math.max(...cells.map((line) => line[column].length)));
  return cells.map((line) => line.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd()).join('\n');
}

const BEGIN = '<!-- bench:begin (written by npm run bench) -->';
const END = '<!-- bench:end -->';

/** Replaces what lies between the markers; a new file gets a heading and the markers. */
function writeReport(path, table) {
  const block = `${BEGIN}\n${table}\n${END}`;
  let text = existsSync(path) ? readFileSync(path, 'utf8') : `# Benchmarks\n\n${BEGIN}\n${END}\n`;
  const from = text.indexOf(BEGIN);
  const to = text.indexOf(END);
  text = from >= 0 && to > from ? `${text.slice(0, from)}${block}${text.slice(to + END.length)}` : `${text.trimEnd()}\n\n${block}\n`;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

const MEASURES = { throughput: throughputRows, rss: rssRows, frame: frameRows, soak: soakRows, replay: replayRows, zip: zipRows };

const host = machine();
log(`work folder ${WORK}; scale ${SCALE}`);
const results = {};
const rows = [];
let failed = false;
for (const name of ROWS) {
  if (!ONLY.has(name)) continue;
  try {
    rows.push(...(await MEASURES[name](results)));
  } catch (error) {
    failed = true;
    rows.push(row({ name, figure: `error: ${error.message.split('\n')[0]}`, pass: false }));
    log(`${name}: ${error.stack ?? error.message}`);
  }
}
console.log(plainTable(rows));
console.log(`\n${host.cpu}, ${host.cores} cores, ${host.memory}, node ${host.node}, ${host.date}, scale ${SCALE}`);
const out = resolve(options.out);
writeReport(out, markdown(rows, host));
console.log(`written to ${relative(process.cwd(), out) || out}`);
if (!options.keep) rmSync(WORK, { recursive: true, force: true });
else log(`kept ${WORK}`);
// A target missed is a figure to report, not a crash: only a measure that could not run fails the script.
process.exitCode = failed ? 1 : 0;
