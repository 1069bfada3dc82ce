#!/usr/bin/env node
// Regenerates fixtures/recordings/: each recording is the real journal of a real
// session of a fixture plan (a copy of fixtures/demo, its commands and service),
// beside its training annotations (NAME.expected.json).
//
//   npm run build && node scripts/record-fixtures.mjs [NAME...]
//
// Headless runs go through the real CLI (`warroom run --headless --approvals …`).
// A waiver needs a person in the middle of a run, which headless mode never
// decides: that recording runs the session in-process (src/session, the same
// code the console drives) and sends Sam Okafor's WAIVE where the console would.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { basename, join, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '..');
const CLI = join(REPO, 'bin/warroom.js');
const OUT = join(REPO, 'fixtures/recordings');

/** A private copy of the demo with the recordings' plan variants and scripts added. */
function workspace() {
  const root = mkdtempSync(join(tmpdir(), 'warroom-record-'));
  const dir = join(root, 'demo');
  cpSync(join(REPO, 'fixtures/demo'), dir, { recursive: true, filter: (source) => !['.run', '.warroom'].includes(basename(source)) });
  for (const plan of readdirSync(join(OUT, 'plans'))) copyFileSync(join(OUT, 'plans', plan), join(dir, plan));
  for (const script of readdirSync(join(OUT, 'scripts'))) {
    copyFileSync(join(OUT, 'scripts', script), join(dir, 'scripts', script));
    chmodSync(join(dir, 'scripts', script), 0o755);
  }
  return { root, dir, evidence: join(root, 'evidence') };
}

function runHeadless(space, plan, approvals) {
  const run = spawnSync(process.execPath, [CLI, 'run', join(space.dir, plan), '--headless', '--approvals', join(OUT, 'approvals', approvals), '--evidence', space.evidence], {
    env: { ...process.env, DEMO_RUN_DIR: join(space.dir, '.run') },
    encoding: 'utf8',
    timeout: 180_000,
  });
  return { exitCode: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The waiver recording: the session in-process, a stakeholder waiving the staging halt with a reason. */
async function runWithWaiver(space, plan, approvals, waiver) {
  const { loadPlan } = await import(join(REPO, 'dist/src/plan/load.js'));
  const { resolvePlan } = await import(join(REPO, 'dist/src/plan/resolve.js'));
  const { loadApprovalsFile } = await import(join(REPO, 'dist/src/plan/approvals-file.js'));
  const { startSession } = await import(join(REPO, 'dist/src/session/session.js'));
  const { isPrompt, offerApprovalsFile } = await import(join(REPO, 'dist/src/session/headless.js'));
  const loaded = await loadPlan(join(space.dir, plan));
  if ('errors' in loaded) throw new Error(`${plan}: ${JSON.stringify(loaded.errors)}`);
  const answers = await loadApprovalsFile(join(OUT, 'approvals', approvals), loaded.plan);
  if ('errors' in answers) throw new Error(`${approvals}: ${JSON.stringify(answers.errors)}`);
  process.env.DEMO_RUN_DIR = join(space.dir, '.run');
  let stdout = '';
  const session = startSession({
    plan: resolvePlan(loaded.plan, space.evidence),
    planPath: loaded.planPath,
    planDir: loaded.planDir,
    planFile: loaded.file,
    evidenceDir: space.evidence,
    stateDir: join(space.dir, '.warroom'),
    answers: answers.entries,
    operator: userInfo().username,
    print: (line) => (stdout += `${line}\n`),
    env: process.env,
  });
  let waived = false;
  session.onStateChange((snapshot) => {
    if (snapshot.status === 'done') return void session.end();
    if (isPrompt(snapshot)) {
      if (offerApprovalsFile(session, snapshot)) session.send({ type: 'HALT', reason: 'the approvals file did not answer' });
      return;
    }
    if (snapshot.hasTag('halted')) {
      if (!waived && snapshot.context.halt?.step === waiver.step) {
        waived = true;
        if (session.send({ type: 'WAIVE', by: waiver.by, reason: waiver.reason })) return;
      }
      void session.end();
    }
  });
  session.start();
  const result = await session.done;
  return { exitCode: result.exitCode, stdout, stderr: '' };
}

// Where a decision point sits: the last journal line a trainee has seen when asked.
const entriesOf = (text) => text.split('\n').filter(Boolean).map((line) => JSON.parse(line));
function transitionTo(entries, to) {
  const entry = entries.find((e) => e.type === 'transition' && e.data.to === to);
  if (!entry) throw new Error(`no transition to ${to}`);
  return entry.seq;
}
function announcement(entries, pattern) {
  const entry = entries.find((e) => e.type === 'announcement' && pattern.test(e.data.text));
  if (!entry) throw new Error(`no announcement matching ${pattern}`);
  return entry;
}
/** The first soak-window reading over its maximum; the trainee is asked just before the chart hears it. */
function firstBreach(entries, metric, max) {
  const soak = transitionTo(entries, 'stabilisation.soak');
  const entry = entries.find((e) => e.seq > soak && e.type === 'metric' && e.data.metric === metric && e.data.value > max);
  if (!entry) throw new Error(`no ${metric} reading over ${max} in the soak window`);
  return entry;
}

const acknowledgement = (entries) => ({
  seq: transitionTo(entries, 'staging.changeFreeze.acknowledging'),
  kind: 'acknowledgement',
  title: 'Change freeze acknowledgement',
  question: 'The change freeze is locked (merge queue paused, release branch locked). sre, qa and product-owner are asked to acknowledge it. Acknowledge the freeze for your team?',
  options: ['acknowledge', 'refuse'],
  expected: 'acknowledge',
  explanation: 'The lock command succeeded and reported 0 conflicting changes queued; staging was reconfirmed healthy. Nothing stands against the freeze, and Gate 2 needs every acknowledgement.',
});
const approval = (entries, expected, explanation) => ({
  seq: transitionTo(entries, 'production.approval.waiting'),
  kind: 'approval',
  title: 'Production approval',
  question: 'Gates 1 and 2 passed and the dry run succeeded. Approve the production deployment of checkout-api v2.4.0 (as product-owner and sre)?',
  options: ['approve', 'reject'],
  expected,
  explanation,
});
const CLEAN_APPROVAL =
  'Readiness artifacts all passed (15/15), staging reconfirmed healthy (142/142 tests, 0.3% errors, no drift), every freeze acknowledgement is in and the dry run resolved the expected image. Everything an approver reviews supports going ahead.';

const FIXTURES = {
  clean: {
    plan: 'release.yaml',
    approvals: 'standard.json',
    exitCode: 0,
    title: 'Clean canary release of checkout-api v2.4.0',
    summary: 'Every gate passes, the canary analysis and the health window stay under their thresholds, and the release is handed off to monitoring.',
    passMark: 1,
    decisions: (entries) => [acknowledgement(entries), approval(entries, 'approve', CLEAN_APPROVAL)],
  },
  'failing-smoke': {
    plan: 'release-failing-smoke.yaml',
    approvals: 'standard.json',
    exitCode: 1,
    title: 'A faulty build caught by the smoke checks (v2.4.1-bad)',
    summary: 'The deployment steps succeed, but /healthz answers 503 after promotion: Gate 3 fails (1 of 2 checks, 50% < 95%) and the plan rolls back to v2.3.9.',
    passMark: 2 / 3,
    decisions: (entries) => {
      const gate = announcement(entries, /GATE FAILED: Production Launch Gate/);
      const launch = entries.find((e) => e.type === 'gate' && e.data.gate === 'launch').data;
      const failing = launch.criteria.filter((c) => !c.passed).map((c) => `${c.name}: ${c.actual}`).join('; ');
      const smoke = entries.filter((e) => e.type === 'check' && e.data.stage === 'smoke' && !e.data.result.passed).map((e) => `${e.data.result.name} (${e.data.result.detail})`);
      return [
        acknowledgement(entries),
        approval(entries, 'approve', 'Nothing visible before the deployment is wrong: readiness, staging and the dry run are clean. The fault only shows once the build takes traffic; approving was right, catching it is what Gate 3 is for.'),
        {
          seq: gate.seq,
          kind: 'rollback',
          title: 'Gate 3: Production Launch failed',
          question: `Gate 3 failed: ${failing}. Failing smoke check: ${smoke.join(', ')}; the new build takes 100% of traffic. What do you do?`,
          options: ['rollback', 'retry', 'waive', 'abort'],
          expected: 'rollback',
          explanation:
            'A failed smoke check on a build that already takes 100% of traffic is an outage in progress: Gate 3 requires a rollback (Protocol 15, Required action), and rollback.auto does it at once. Retrying the checks does not change the build; a waiver would ship a service answering 503; aborting leaves the bad build live.',
        },
      ];
    },
  },
  'soak-breach': {
    plan: 'release-soak-breach.yaml',
    approvals: 'standard.json',
    exitCode: 1,
    title: 'A build that degrades in the health window (v2.4.2-leak)',
    summary: 'The canary analysis, smoke checks and post-deployment snapshot are clean; in the health window error_ratio jumps to ~0.3 (max 0.05) and the plan rolls back.',
    passMark: 2 / 3,
    decisions: (entries) => {
      const breach = firstBreach(entries, 'error_ratio', 0.05);
      return [
        acknowledgement(entries),
        approval(entries, 'approve', 'Before the deployment everything is clean, exactly as in a good release; the leak only shows after several minutes of production traffic.'),
        {
          seq: breach.seq - 1,
          kind: 'rollback',
          title: 'Health window: error_ratio over its threshold',
          question: `Gate 3 passed and the health window is running. The next error_ratio reading is ${breach.data.value} (max 0.05); /healthz still answers 200. What do you do?`,
          options: ['rollback', 'retry', 'waive', 'abort'],
          expected: 'rollback',
          explanation:
            'An error ratio six times over its threshold on 100% of traffic is customer impact, whatever /healthz says: the protocol rolls back a breach in the soak window and escalates to Protocol 20 (the plan does it automatically with rollback.auto). Waiting or waiving keeps failing requests flowing.',
        },
      ];
    },
  },
  waiver: {
    plan: 'release-staging-waiver.yaml',
    variant: true,
    approvals: 'standard.json',
    exitCode: 0,
    title: 'A staging failure waived with a reason (INC-4821, staging DNS)',
    summary: 'The staging synthetics cannot run because staging DNS is down (a staging-only incident) while every health signal is green; an sre waives the staging step with that reason, Gate 2 passes with the waiver on record, and the release completes.',
    passMark: 2 / 3,
    waiver: {
      step: 'Reconfirm staging health',
      by: { name: 'Sam Okafor', role: 'sre', user: 'sam', source: 'console' },
      reason: 'staging-synthetics cannot resolve synthetic.staging.internal: staging DNS outage INC-4821 (staging resolvers only). staging-health passes (142/142 tests, 0.3% errors, no drift); production DNS unaffected. Waived under CHG-1182.',
    },
    decisions: (entries) => [
      {
        seq: transitionTo(entries, 'staging.reconfirmStaging.halted'),
        kind: 'waiver',
        title: 'Reconfirm staging health halted',
        question: 'staging-synthetics failed: SERVFAIL resolving synthetic.staging.internal (INC-4821, staging DNS outage, staging resolvers only); staging-health passed. Retry, waive (with a reason, by an approver other than the operator), or abort?',
        options: ['waive', 'retry', 'abort'],
        expected: 'waive',
        explanation:
          'The failure is in staging infrastructure, not in the release: the check could not run, and every signal about the release (pods, 142/142 tests, error ratio, latency, drift) is green. A retry fails the same way while INC-4821 lasts; aborting delays a healthy release for an unrelated incident. A waiver by a second person, with the incident in the reason, keeps the decision on the record (Gate 2 shows it).',
      },
      acknowledgement(entries),
      approval(entries, 'approve', 'The only failure so far was waived with a reason by an sre; staging health, the freeze and the dry run are clean.'),
    ],
  },
  'reject-approval': {
    plan: 'release-reject-approval.yaml',
    variant: true,
    approvals: 'reject.json',
    exitCode: 2,
    title: 'An approval that must be refused (refund flow regression in staging)',
    summary: 'Staging passes on pod readiness, but its summary shows the refund flow failing 3 Protocol 21 tests and 4.1% errors on POST /refunds. The product owner rejects the production approval; the session halts before any production command.',
    passMark: 1,
    decisions: (entries) => [
      acknowledgement(entries),
      approval(
        entries,
        'reject',
        'The staging output says "139/142 tests (3 FAILED: refund flow REF-2211, REF-2212, REF-2215)" and "error ratio 4.1% on POST /refunds": the check passed only on pod readiness. Approving would ship a known refund regression to production; an approver rejects with the reason and the release waits for a fix.',
      ),
    ],
  },
};

async function record(name, fixture) {
  const space = workspace();
  try {
    const run = fixture.waiver ? await runWithWaiver(space, fixture.plan, fixture.approvals, fixture.waiver) : runHeadless(space, fixture.plan, fixture.approvals);
    if (run.exitCode !== fixture.exitCode) throw new Error(`${name}: exit ${run.exitCode}, expected ${fixture.exitCode}\n${run.stdout}\n${run.stderr}`);
    const journal = readFileSync(join(space.evidence, 'journal.jsonl'));
    const entries = entriesOf(journal.toString('utf8'));
    const annotations = {
      recording: `${name}.jsonl`,
      journalSha256: createHash('sha256').update(journal).digest('hex'),
      title: fixture.title,
      summary: fixture.summary,
      plan: `${fixture.variant ? 'fixtures/recordings/plans' : 'fixtures/demo'}/${fixture.plan}`,
      approvals: `fixtures/recordings/approvals/${fixture.approvals}`,
      passMark: Number(fixture.passMark.toFixed(2)),
      decisions: fixture.decisions(entries),
    };
    writeFileSync(join(OUT, `${name}.jsonl`), journal);
    writeFileSync(join(OUT, `${name}.expected.json`), `${JSON.stringify(annotations, null, 2)}\n`);
    console.log(`${name}: exit ${run.exitCode}, ${entries.length} journal lines, ${annotations.decisions.length} decision points`);
  } finally {
    rmSync(space.root, { recursive: true, force: true });
  }
}

const names = process.argv.slice(2);
for (const name of names.length ? names : Object.keys(FIXTURES)) {
  if (!FIXTURES[name]) throw new Error(`unknown fixture ${name}; known: ${Object.keys(FIXTURES).join(', ')}`);
  await record(name, FIXTURES[name]);
}
