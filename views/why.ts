import { MIN_SOAK_SAMPLES } from '../src/evidence/gates.js';
import { formatDuration } from '../src/plan/duration.js';
import { approvalWaitingFor, describeRoles, outstandingRoles, productionRoles } from '../machines/rules.js';
import type { Approval, GateResult, SessionContext } from '../machines/types.js';
import { activityOf, gateOfStep, statePath } from './describe.js';
import type { ReleaseSnapshot } from './port.js';
import { glyph, type Tone } from './theme.js';

// "Why, in place": whenever the session waits or a gate fails, the rule, the
// values against it, and who or what it waits for. A blocked release that does
// not say why is release managers' first complaint about rollout tools.

export interface WhyLine {
  tone: Tone;
  text: string;
}

const line = (tone: Tone, text: string): WhyLine => ({ tone, text });
const timesOut = (c: SessionContext) => (c.deadline === undefined ? '' : `; times out in ${formatDuration(Math.max(0, c.deadline - c.now))}`);
const answeredBy = (answers: Approval[], verb: string) =>
  answers.map((a) => (a.decision === 'approve' ? line('pass', `  ${glyph.pass} ${verb} by ${a.name} (${a.role}, ${a.source})`) : line('fail', `  ${glyph.fail} refused by ${a.name} (${a.role})${a.reason ? `: ${a.reason}` : ''}`)));

function failedCriteria(gate: GateResult): WhyLine[] {
  return gate.criteria
    .filter((c) => !c.passed || gate.verdict === 'inconclusive')
    .map((c) => line(c.passed ? 'waiting' : 'fail', `  ${c.passed ? glyph.inconclusive : glyph.fail} ${c.name}: ${c.actual} (needs ${c.required})`));
}

function halted(c: SessionContext): WhyLine[] {
  if (!c.halt) return [line('fail', `${glyph.fail} Halted: nothing can continue until someone looks (q to leave it resumable)`)];
  const head = line('fail', `${glyph.fail} Halted at ${c.halt.step} — awaiting your decision`);
  const gate = gateOfStep(c.halt.step);
  const result = gate ? c.gates[gate] : undefined;
  if (result) return [head, line('text', `  ${result.title} ${result.verdict === 'inconclusive' ? 'is inconclusive' : 'failed'}:`), ...failedCriteria(result)];
  return [head, ...c.halt.reason.split('; ').map((part, i) => line('text', `  ${i === 0 ? 'Reason: ' : '        '}${part}`))];
}

function approval(c: SessionContext): WhyLine[] {
  const roles = productionRoles(c.plan);
  const rule = `one approval from each of ${roles.join(', ')}${c.plan.approvals.separationOfDuties ? ', one not by the operator' : ''}`;
  return [
    line('waiting', `${glyph.waiting} Production approval: waiting for ${approvalWaitingFor(c)}`),
    ...answeredBy(c.approvals, 'approved'),
    line('muted', `  Rule: ${rule}${timesOut(c)}`),
  ];
}

function acknowledgements(c: SessionContext): WhyLine[] {
  const outstanding = outstandingRoles(c.plan.freeze.acknowledge, c.acknowledgements);
  return [
    line('waiting', `${glyph.waiting} Change freeze: waiting for acknowledgements from ${describeRoles(c.plan, outstanding)}`),
    ...answeredBy(c.acknowledgements, 'acknowledged'),
    line('muted', `  Rule: every role acknowledges (${c.plan.freeze.acknowledge.join(', ')})${timesOut(c)}`),
  ];
}

function pausing(c: SessionContext): WhyLine[] {
  const step = c.plan.deploy.steps[c.stepIndex];
  const next = step?.analysis?.length ? `then canary analysis of ${step.analysis.join(', ')}` : 'then the next step';
  return [line('waiting', `${glyph.waiting} Pause after ${step?.name ?? 'the step'}: ${formatDuration(Math.max(0, (c.deadline ?? c.now) - c.now))} left, ${next}`)];
}

function soak(c: SessionContext): WhyLine[] {
  return [
    line('running', `${glyph.running} Soak window: watching ${c.plan.health.metrics.length} metric(s) every ${c.plan.health.interval}`),
    line('muted', `  Rule: a breach ${c.plan.rollback.auto ? 'rolls back' : 'halts'}; Gate 4 needs ≥ ${MIN_SOAK_SAMPLES} samples of each, none breaching`),
  ];
}

function rollingBack(c: SessionContext): WhyLine[] {
  const launch = c.gates.launch;
  return [
    line('fail', `${glyph.rollback} Rolling back: ${c.rollback?.reason ?? 'rollback chosen'}${c.plan.rollback.auto && !c.rollback?.by ? ' (rollback.auto)' : ''}`),
    ...(launch && launch.verdict !== 'pass' ? failedCriteria(launch) : []),
  ];
}

/** The lines that explain the current wait or halt; empty when the session simply runs. */
export function whyLines(snapshot: ReleaseSnapshot): WhyLine[] {
  const c = snapshot.context;
  const activity = activityOf(snapshot);
  if (activity === 'done') return [];
  if (activity === 'halted') return halted(c);
  if (snapshot.hasTag('awaiting-approval')) return approval(c);
  if (snapshot.hasTag('awaiting-acknowledgement')) return acknowledgements(c);
  const path = statePath(snapshot);
  if (path.at(-1) === 'pausing') return pausing(c);
  if (path[0] === 'rollingBack') return rollingBack(c);
  if (path[0] === 'stabilisation' && (path[1] === 'soak' || path[1] === 'extendedSoak')) return soak(c);
  return [];
}

/** Word-wraps each line to the pane's width (at most `maxRows` rows each), so nothing the operator must read is cut off. */
export function wrapWhy(lines: WhyLine[], width: number, maxRows = 3): WhyLine[] {
  return lines.flatMap(({ tone, text }) => {
    const indent = ' '.repeat((/^ */.exec(text)?.[0].length ?? 0) + 2);
    const rows: string[] = [];
    let row = '';
    for (const word of text.split(/(?<=\S) (?=\S)/)) {
      if (row && [...row].length + 1 + [...word].length > width) {
        rows.push(row);
        row = indent + word.trimStart();
      } else row = row ? `${row} ${word}` : word;
    }
    rows.push(row);
    return rows.slice(0, maxRows).map((r) => ({ tone, text: r }));
  });
}
