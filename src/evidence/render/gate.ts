import type { GateName, SessionContext } from '../../../machines/types.js';
import { GATE_TITLES } from '../gates.js';
import type { RenderExtras } from './extras.js';
import { json, releaseOf } from './format.js';

// gates/<gate>.json: the gate's verdict and criteria as evaluated, with the
// release it was evaluated for, so `warroom gate` and an auditor read the same thing.

export function renderGate(gate: GateName, context: SessionContext, extras: RenderExtras): string {
  const result = context.gates[gate];
  const release = releaseOf(context);
  if (!result) {
    // Asked before the chart evaluated it (e.g. a report of an early halt): say so rather than invent a verdict.
    return json({ gate, title: GATE_TITLES[gate], verdict: 'not-evaluated', criteria: [], release, tag: release.tag, generatedAt: extras.generatedAt });
  }
  return json({ ...result, release, tag: release.tag, generatedAt: extras.generatedAt });
}
