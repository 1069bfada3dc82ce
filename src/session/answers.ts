import type { Approval, SessionEvent } from '../../machines/types.js';
import type { ApprovalEntry } from '../plan/approvals-file.js';

/** Consents granted elsewhere (--approvals FILE) as the chart's events, source "file". */
export function answerEvents(entries: ApprovalEntry[], kind: 'production' | 'freeze'): SessionEvent[] {
  return entries
    .filter((entry) => entry.for === kind)
    .map((entry) => {
      const answer: Approval = {
        for: entry.for,
        role: entry.role,
        name: entry.name,
        user: entry.user,
        decision: entry.decision,
        at: entry.at,
        source: 'file',
        ...(entry.reason ? { reason: entry.reason } : {}),
      };
      return kind === 'production' ? { type: 'APPROVAL', approval: answer } : { type: 'ACKNOWLEDGE', acknowledgement: answer };
    });
}
