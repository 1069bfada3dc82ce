import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { GateName, GateResult } from '../../machines/types.js';
import { evaluateGateFromEvidence } from '../evidence/gates-from-disk.js';
import { GATE_TITLES } from '../evidence/gates.js';
import { GATE_NUMBER } from '../evidence/render/tables.js';
import { planSchema } from '../plan/schema.js';
import { EXIT } from './exit-codes.js';
import { writeLine, type CliIo } from './io.js';

// `warroom gate`: the protocol's quality-gate automation hooks, for CI. Reads the
// evidence folder, prints every criterion against its threshold, exits 0 only on pass.

const USAGE = 'usage: warroom gate readiness|freeze|launch|reporting [--evidence DIR]';
const isGateName = (name: string): name is GateName => Object.hasOwn(GATE_TITLES, name);

/** The protocol's defaults are the plan schema's defaults; anything else came from the plan. */
const SCHEMA_GATES = planSchema.shape.gates.parse(undefined);
const PROTOCOL_DEFAULTS: Record<string, number> = {
  validationThreshold: SCHEMA_GATES.launch.validationThreshold,
  completenessThreshold: SCHEMA_GATES.reporting.completenessThreshold,
};

const percent = (ratio: number): string => `${Number((ratio * 100).toFixed(1))}%`;

function thresholdLine(name: string, value: number): string {
  const fixed = PROTOCOL_DEFAULTS[name];
  const origin = fixed === undefined ? 'protocol' : fixed === value ? 'protocol default' : 'plan';
  return `threshold ${name}: ${percent(value)} (${origin})`;
}

export function formatGateResult(result: GateResult, evidenceDir: string, notes: string[]): string[] {
  return [
    `Gate ${GATE_NUMBER[result.gate]}: ${result.title} — evidence ${evidenceDir}`,
    ...result.criteria.map((c) => `${c.passed ? '✔' : '✘'} ${c.name}: required ${c.required}, actual ${c.actual}`),
    ...Object.entries(result.thresholds).map(([name, value]) => thresholdLine(name, value)),
    ...notes.map((note) => `note: ${note}`),
    `verdict: ${result.verdict}`,
  ];
}

/** `warroom gate GATE [--evidence DIR]`: 0 pass · 1 fail or inconclusive · 3 bad input. */
export async function gateCommand(args: string[], io: CliIo): Promise<number> {
  let gate: string | undefined;
  let evidence: string | undefined;
  try {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { evidence: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
    if (values.help) {
      writeLine(io.stdout, USAGE);
      return EXIT.ok;
    }
    if (positionals.length !== 1) throw new Error(positionals.length === 0 ? 'which gate?' : `one gate at a time, got ${positionals.join(' ')}`);
    [gate] = positionals;
    evidence = values.evidence;
  } catch (error) {
    writeLine(io.stderr, `warroom gate: ${(error as Error).message} (${USAGE})`);
    return EXIT.badInput;
  }
  if (gate === undefined || !isGateName(gate)) {
    writeLine(io.stderr, `warroom gate: unknown gate "${gate}" (${USAGE})`);
    return EXIT.badInput;
  }
  const evidenceDir = resolve(io.cwd, evidence ?? '.artifacts/deployment');
  const evaluation = await evaluateGateFromEvidence(gate, evidenceDir);
  if ('error' in evaluation) {
    writeLine(io.stderr, `warroom gate ${gate}: ${evaluation.error}`);
    return EXIT.badInput;
  }
  for (const line of formatGateResult(evaluation.result, evidenceDir, evaluation.notes)) writeLine(io.stdout, line);
  return evaluation.result.verdict === 'pass' ? EXIT.ok : EXIT.failed;
}
