import { z } from 'zod';
import { planSchema, type Plan } from '../plan/schema.js';

// The journal's session.start event read back (by `warroom gate` and by replay): a
// journal from elsewhere may hold anything, so its plan is checked against the schema
// before a chart is built on it.

/** What session.start records, checked. */
export interface RecordedStart {
  sessionId: string;
  operator: string;
  evidenceDir: string;
  plan: Plan;
}

const recorded = z.object({
  sessionId: z.string().optional(),
  evidenceDir: z.string().optional(),
  plan: z.unknown(),
  // Journals of early versions recorded the operator as an object.
  operator: z.union([z.string(), z.object({ user: z.string() })]),
});

/** The first problem zod found, where it is: `deploy.steps.0.run: Invalid input`. */
export function issueText(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}` : 'unexpected content';
}

/** session.start's data, or why it cannot be used (one line, without the event's place). */
export function readSessionStart(data: unknown): RecordedStart | { problem: string } {
  const start = recorded.safeParse(data);
  if (!start.success) return { problem: `session.start: ${issueText(start.error)}` };
  if (typeof start.data.plan !== 'object' || start.data.plan === null) {
    return { problem: 'session.start does not record the resolved plan (written by an older warroom)' };
  }
  const plan = planSchema.safeParse(start.data.plan);
  if (!plan.success) return { problem: `the plan in session.start is not valid: ${issueText(plan.error)}` };
  const { sessionId = '', evidenceDir = '', operator } = start.data;
  return { sessionId, evidenceDir, operator: typeof operator === 'string' ? operator : operator.user, plan: plan.data };
}
