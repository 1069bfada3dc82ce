import { stat } from 'node:fs/promises';
import path from 'node:path';
import { patternError } from '../safety/mask.js';
import { parseDuration } from './duration.js';
import { describePath, type PlanIssue, type PlanPath } from './errors.js';
import { checkLogPath, commandLogPath, logSlug, OWN_COMMAND_LOGS, type CheckLogStage } from './log-names.js';
import type { Check, Plan } from './schema.js';
import { PLACEHOLDER_NAMES, unknownPlaceholders } from './substitute.js';

/** Every command the plan can run, with where it is written. */
export interface PlanCommand {
  path: PlanPath;
  run: string[];
  cwd?: string | undefined;
}

/** The `run` arrays are the plan's own (not copies): resolvePlan fills them in place. */
export function planCommands(plan: Plan): PlanCommand[] {
  const commands: PlanCommand[] = [];
  const add = (at: PlanPath, command: { run: string[]; cwd?: string | undefined } | undefined): void => {
    if (command) commands.push({ path: at, run: command.run, cwd: command.cwd });
  };
  const addCheck = (at: PlanPath, check: Check): void => add(at, 'run' in check ? check : undefined);
  plan.prerequisites.checks.forEach((check, i) => addCheck(['prerequisites', 'checks', i], check));
  plan.staging.checks.forEach((check, i) => addCheck(['staging', 'checks', i], check));
  add(['freeze', 'lock'], plan.freeze.lock);
  add(['freeze', 'unlock'], plan.freeze.unlock);
  add(['dryRun'], plan.dryRun);
  plan.deploy.steps.forEach((step, i) => add(['deploy', 'steps', i], step));
  add(['rollback'], plan.rollback);
  plan.checks.forEach((check, i) => addCheck(['checks', i], check));
  plan.rollback.checks.forEach((check, i) => addCheck(['rollback', 'checks', i], check));
  plan.health.metrics.forEach((metric, i) => {
    if (metric.source === 'command') add(['health', 'metrics', i], metric);
  });
  return commands;
}

/** Checks beyond the schema: the plan is well-formed but says something impossible. */
export async function checkSemantics(plan: Plan, planDir: string): Promise<PlanIssue[]> {
  return [
    ...roleIssues(plan),
    ...deployIssues(plan),
    ...logIssues(plan),
    ...healthIssues(plan),
    ...windowIssues(plan),
    ...artifactIssues(plan),
    ...secretIssues(plan),
    ...placeholderIssues(plan),
    ...(await pathIssues(plan, planDir)),
  ];
}

function roleIssues(plan: Plan): PlanIssue[] {
  const held = new Set(plan.stakeholders.map((stakeholder) => stakeholder.role));
  const lists: [string, string[]][] = [
    ['production', plan.approvals.production],
    ...(plan.release.securityImpacting ? [['security', plan.approvals.security] as [string, string[]]] : []),
  ];
  const issues: PlanIssue[] = [];
  const check = (listPath: PlanPath, roles: string[]): void =>
    roles.forEach((role, i) => {
      if (held.has(role)) return;
      issues.push({
        path: [...listPath, i],
        message: `unknown role "${role}" in ${describePath(listPath)}: no stakeholder holds it (stakeholders hold ${[...held].join(', ')})`,
      });
    });
  for (const [key, roles] of lists) check(['approvals', key], roles);
  check(['freeze', 'acknowledge'], plan.freeze.acknowledge);
  return issues;
}

function deployIssues(plan: Plan): PlanIssue[] {
  const issues: PlanIssue[] = [];
  const metricNames = plan.health.metrics.map((metric) => metric.name);
  plan.deploy.steps.forEach((step, i) => {
    (step.analysis ?? []).forEach((name, j) => {
      if (metricNames.includes(name)) return;
      const known = metricNames.length > 0 ? `health.metrics has ${metricNames.join(', ')}` : 'health.metrics lists none';
      issues.push({ path: ['deploy', 'steps', i, 'analysis', j], message: `unknown metric "${name}" in analysis: ${known}` });
    });
  });
  return issues;
}

/**
 * Each step and check writes logs/<name>.log (checks with their stage in front), and warroom
 * writes the logs of its own commands: two writers of one file would interleave in the evidence.
 * The log name is lower case with punctuation folded, so `Canary` and `canary` collide.
 */
function logIssues(plan: Plan): PlanIssue[] {
  type Writer = { path: PlanPath; name: string; kind: 'step' | 'check' };
  const writers = new Map<string, Writer | { ownKey: string }>();
  for (const own of OWN_COMMAND_LOGS) writers.set(commandLogPath(own.name), { ownKey: own.key });
  const entries: (Writer & { log: string })[] = [];
  const addChecks = (stage: CheckLogStage, at: PlanPath, checks: Check[]): void =>
    checks.forEach((check, i) => entries.push({ path: [...at, i], name: check.name, kind: 'check', log: checkLogPath(stage, check.name) }));
  addChecks('prerequisite', ['prerequisites', 'checks'], plan.prerequisites.checks);
  addChecks('staging', ['staging', 'checks'], plan.staging.checks);
  plan.deploy.steps.forEach((step, i) =>
    entries.push({ path: ['deploy', 'steps', i], name: step.name, kind: 'step', log: commandLogPath(step.name) }),
  );
  addChecks('smoke', ['checks'], plan.checks);
  addChecks('rollback', ['rollback', 'checks'], plan.rollback.checks);

  const issues: PlanIssue[] = [];
  for (const entry of entries) {
    const earlier = writers.get(entry.log);
    if (earlier === undefined) {
      writers.set(entry.log, entry);
      continue;
    }
    const why = `(a ${entry.kind} name names its log file)`;
    let message: string;
    if ('ownKey' in earlier) {
      message = `${entry.kind} name "${entry.name}" would write ${entry.log}, which warroom writes for ${earlier.ownKey} ${why}`;
    } else if (earlier.name === entry.name && earlier.kind === entry.kind) {
      message = `duplicate ${entry.kind} name "${entry.name}": ${describePath(earlier.path)} has it already ${why}`;
    } else {
      const rule =
        logSlug(earlier.name) === logSlug(entry.name)
          ? `names must differ in more than case and punctuation ${why}`
          : 'rename one (a check writes logs/<stage>-<name>.log, a step logs/<name>.log)';
      message = `${entry.kind} name "${entry.name}" would write ${entry.log}, as ${describePath(earlier.path)} "${earlier.name}" does: ${rule}`;
    }
    issues.push({ path: [...entry.path, 'name'], message });
  }
  return issues;
}

function healthIssues(plan: Plan): PlanIssue[] {
  const issues: PlanIssue[] = [];
  plan.health.metrics.forEach((metric, i) => {
    if (metric.max === undefined && metric.min === undefined) {
      issues.push({ path: ['health', 'metrics', i], message: `metric "${metric.name}" needs a threshold: set max, min or both` });
    }
  });
  const soakMs = parseDuration(plan.health.soak) ?? 0;
  const intervalMs = parseDuration(plan.health.interval) ?? 0;
  if (soakMs > 0 && intervalMs <= 0) {
    issues.push({ path: ['health', 'interval'], message: 'health.interval must be more than 0 when health.soak is set' });
  }
  return issues;
}

function windowIssues(plan: Plan): PlanIssue[] {
  if (!plan.window) return [];
  if (Date.parse(plan.window.end) > Date.parse(plan.window.start)) return [];
  return [{ path: ['window', 'end'], message: `window.end must be after window.start (${plan.window.start})` }];
}

function artifactIssues(plan: Plan): PlanIssue[] {
  return plan.prerequisites.artifacts.flatMap((artifact, i): PlanIssue[] =>
    artifact.expect !== undefined && artifact.kind !== 'json'
      ? [{
          path: ['prerequisites', 'artifacts', i, 'expect'],
          at: 'key',
          message: `expect works on json artifacts only; ${artifact.path} is ${artifact.kind}`,
        }]
      : [],
  );
}

function secretIssues(plan: Plan): PlanIssue[] {
  return plan.secrets.patterns.flatMap((pattern, i): PlanIssue[] => {
    const at = ['secrets', 'patterns', i];
    try {
      // A pattern that matches empty text would mask nothing and can loop a masker.
      if (new RegExp(pattern).test('')) return [{ path: at, message: `secret pattern /${pattern}/ matches empty text` }];
      // Compiles, but may backtrack exponentially: patternError names the group and how to rewrite it.
      const error = patternError(pattern);
      return error === undefined ? [] : [{ path: at, message: error }];
    } catch (error) {
      return [{ path: at, message: `secret pattern is not a valid JavaScript regex: ${(error as Error).message}` }];
    }
  });
}

/** Without a shell `${HOME}` is passed literally, so an unknown name is almost always a typo. */
function placeholderIssues(plan: Plan): PlanIssue[] {
  const shells = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh']);
  return planCommands(plan).flatMap((command) => {
    if (shells.has(path.basename(command.run[0] ?? ''))) return [];
    return command.run.flatMap((element, i) =>
      unknownPlaceholders(element).map((name) => ({
        path: [...command.path, 'run', i],
        message: `unknown placeholder \${${name}}: warroom substitutes ${PLACEHOLDER_NAMES.map((known) => `\${${known}}`).join(', ')}`,
      })),
    );
  });
}

async function pathIssues(plan: Plan, planDir: string): Promise<PlanIssue[]> {
  const issues: PlanIssue[] = [];
  for (const command of planCommands(plan)) {
    const where = describePath(command.path);
    let workDir = planDir;
    if (command.cwd !== undefined && !command.cwd.includes('${')) {
      workDir = path.resolve(planDir, command.cwd);
      const kind = await fileKind(workDir);
      if (kind !== 'directory') {
        const problem = kind === 'missing' ? 'does not exist' : 'is not a directory';
        issues.push({ path: [...command.path, 'cwd'], message: `cwd "${command.cwd}" of ${where} ${problem} (relative to the plan folder)` });
        continue;
      }
    }
    const program = command.run[0] ?? '';
    // Bare names are found on PATH at run time; absolute paths belong to the host.
    if (!program.includes('/') || path.isAbsolute(program) || program.includes('${')) continue;
    const kind = await fileKind(path.resolve(workDir, program));
    if (kind === 'file') continue;
    const from = command.cwd === undefined ? 'the plan folder' : `cwd "${command.cwd}"`;
    const problem = kind === 'missing' ? 'does not exist' : 'is not a file';
    issues.push({ path: [...command.path, 'run', 0], message: `program "${program}" of ${where} ${problem} (relative to ${from})` });
  }
  return issues;
}

async function fileKind(target: string): Promise<'file' | 'directory' | 'other' | 'missing'> {
  try {
    const info = await stat(target);
    return info.isFile() ? 'file' : info.isDirectory() ? 'directory' : 'other';
  } catch {
    return 'missing';
  }
}
