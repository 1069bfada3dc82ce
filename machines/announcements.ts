import type { GateResult } from './types.js';

// The protocol's status lines, in its format with the plan's prefix
// (SPEC section 5). Pure: the session sends them to screen, log and webhooks.

const PHASE_START: Record<1 | 2 | 3 | 4, string> = {
  1: 'Verifying deployment readiness artifacts...',
  2: 'Reconfirming staging health prior to production launch...',
  3: 'Executing production deployment sequence...',
  4: 'Monitoring post-deployment health window...',
};

export const announce = {
  phaseStart: (prefix: string, phase: 1 | 2 | 3 | 4) => `[${prefix} | PHASE ${phase} START] - ${PHASE_START[phase]}`,
  step: (phase: number, text: string) => `[PHASE ${phase}] ${text}`,
  approvalRequest: (waitingFor: string) =>
    `[APPROVAL REQUEST] All readiness gates passed. Approve production deployment? (yes/no) Waiting for: ${waitingFor}`,
  freezeRequest: (waitingFor: string) => `[PHASE 2] Change freeze in effect. All teams acknowledge? Waiting for: ${waitingFor}`,
  progress: (prefix: string, text: string) => `[${prefix} ANNOUNCEMENT] ${text}`,
  gatePassed: (prefix: string, gate: GateResult) =>
    `[${prefix} GATE PASSED: ${gate.title}] ${gate.criteria.map((c) => `${c.name}: ${c.actual}`).join('; ')}`,
  gateFailed: (prefix: string, gate: GateResult, requiredAction: string) =>
    `[${prefix} GATE ${gate.verdict === 'inconclusive' ? 'INCONCLUSIVE' : 'FAILED'}: ${gate.title}] Quality gate '${gate.title}' ${
      gate.verdict === 'inconclusive' ? 'is inconclusive' : 'failed'
    }. Criteria: ${gate.criteria.map((c) => `${c.name} ${c.required}`).join(', ')}. Actual: ${gate.criteria
      .filter((c) => !c.passed || gate.verdict === 'inconclusive')
      .map((c) => `${c.name}: ${c.actual}`)
      .join('; ')}. Required action: ${requiredAction}`,
  error: (prefix: string, step: string, reason: string) =>
    `[${prefix} ERROR] - "Failed at ${step}. Reason: ${reason}. Awaiting instructions."`,
  /** A failure the plan answers itself (rollback.auto): said like any error, without waiting for anyone. */
  autoRollback: (prefix: string, step: string, reason: string) => `[${prefix} ERROR] - "Failed at ${step}. Reason: ${reason}. Rolling back per plan (rollback.auto)."`,
  rollback: (prefix: string, text: string) => `[${prefix} ROLLBACK] ${text}`,
  decision: (prefix: string, text: string) => `[${prefix} DECISION] ${text}`,
  resumed: (prefix: string, by: string, from: string) => `[${prefix} RESUMED] Session resumed by ${by} at ${from}.`,
  phaseComplete: (prefix: string) => `[${prefix} | PHASE 4 COMPLETE] - Deployment report compiled. Evidence: DEPLOYMENT-REPORT.md.`,
  handoff: (prefix: string) => `[${prefix} | PROTOCOL COMPLETE] Ready for Protocol 19: Monitoring & Observability`,
  escalation: (prefix: string, reason: string) => `[${prefix} | ESCALATION] Escalating to Protocol 20: ${reason}`,
};
