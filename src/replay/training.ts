import type { Approval, SessionEvent } from '../../machines/types.js';
import type { JournalEntry } from '../journal/journal.js';
import type { Annotations, DecisionOption, DecisionPoint } from './annotations.js';

// Training: at each annotated decision point the trainee answers; the answer is
// compared with the expected decision and with what the recorded session did,
// and the whole ends with a score and a debrief. Pure: the drivers ask and print.

export interface ActualDecision {
  decision: DecisionOption | 'none';
  /** Who or what decided, in words: "Priya Raman (product-owner)", "the plan (rollback.auto)". */
  by: string;
  reason?: string;
}

export interface TrainingAnswer {
  point: DecisionPoint;
  /** undefined: the trainee gave no answer (input ended). */
  answer: DecisionOption | undefined;
  correct: boolean;
  actual: ActualDecision;
}

const ANSWERED: Partial<Record<SessionEvent['type'], DecisionOption>> = {
  RETRY: 'retry',
  WAIVE: 'waive',
  ROLLBACK: 'rollback',
  ABORT: 'abort',
  EXTEND_SOAK: 'extend',
};

const person = (who: { name: string; role: string }) => `${who.name} (${who.role})`;

/** What the recorded session decided after journal line `seq`: its answers, or what the chart did by itself. */
export function actualDecision(entries: readonly JournalEntry[], seq: number): ActualDecision {
  const answers: Approval[] = [];
  for (const entry of entries) {
    if (entry.seq <= seq) continue;
    if (entry.type === 'answer') {
      const event = entry.data as SessionEvent;
      if (event.type === 'APPROVAL' || event.type === 'ACKNOWLEDGE') {
        answers.push(event.type === 'APPROVAL' ? event.approval : event.acknowledgement);
        continue;
      }
      const decision = ANSWERED[event.type];
      if (decision) {
        const by = 'by' in event && event.by ? person(event.by) : 'the operator';
        const reason = 'reason' in event && typeof event.reason === 'string' ? event.reason : undefined;
        return reason ? { decision, by, reason } : { decision, by };
      }
      continue;
    }
    if (entry.type === 'transition' || entry.type === 'session.end') {
      if (answers.length > 0) return promptAnswer(answers);
      const to = entry.type === 'transition' ? (entry.data as { to: string }).to : '';
      if (to.startsWith('rollingBack')) return { decision: 'rollback', by: 'the plan (rollback.auto), without waiting for anyone' };
      if (entry.type === 'session.end') return { decision: 'none', by: 'nobody: the session stopped there, awaiting instructions' };
    }
  }
  return answers.length > 0 ? promptAnswer(answers) : { decision: 'none', by: 'nobody: the recording ends here' };
}

/** A prompt's answers: a refusal by anyone refuses it. */
function promptAnswer(answers: Approval[]): ActualDecision {
  const refused = answers.filter((a) => a.decision === 'reject');
  const production = answers[0]!.for === 'production';
  if (refused.length > 0) {
    const reason = refused.map((a) => a.reason).filter(Boolean).join('; ');
    return { decision: production ? 'reject' : 'refuse', by: refused.map(person).join(', '), ...(reason ? { reason } : {}) };
  }
  return { decision: production ? 'approve' : 'acknowledge', by: answers.map(person).join(', ') };
}

/** A trainee's line: an option's number, its name, or an unambiguous start of it. */
export function matchAnswer(line: string, options: readonly DecisionOption[]): DecisionOption | undefined {
  const text = line.trim().toLowerCase();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return options[Number(text) - 1];
  const aliases: Record<string, DecisionOption> = { yes: 'approve', y: 'approve', no: 'reject', 'roll back': 'rollback', ack: 'acknowledge' };
  const alias = aliases[text];
  if (alias && options.includes(alias)) return alias;
  const matches = options.filter((o) => o.startsWith(text));
  return matches.length === 1 ? matches[0] : undefined;
}

export function grade(point: DecisionPoint, answer: DecisionOption | undefined, entries: readonly JournalEntry[]): TrainingAnswer {
  return { point, answer, correct: answer === point.expected, actual: actualDecision(entries, point.seq) };
}

export interface Score {
  correct: number;
  total: number;
  ratio: number;
  passMark: number;
  passed: boolean;
}

export function score(answers: readonly TrainingAnswer[], annotations: Annotations): Score {
  const correct = answers.filter((a) => a.correct).length;
  const total = annotations.decisions.length;
  const ratio = total === 0 ? 1 : correct / total;
  // Pass marks are written to two decimals (2/3 as 0.67): compare at that precision.
  return { correct, total, ratio, passMark: annotations.passMark, passed: Math.round(ratio * 100) >= Math.round(annotations.passMark * 100) };
}

const percent = (ratio: number) => `${Math.round(ratio * 100)}%`;

/** The question as the trainee reads it, options numbered. */
export function questionLines(point: DecisionPoint, number: number, of: number): string[] {
  return [
    '',
    `[TRAINING ${number}/${of}] ${point.title} (journal line ${point.seq})`,
    ...point.question.split('\n'),
    `Options: ${point.options.map((o, i) => `${i + 1}) ${o}`).join('  ')}`,
  ];
}

/** Right after the answer: right or wrong, what happened, and why. */
export function feedbackLines(result: TrainingAnswer): string[] {
  const { point, answer, actual } = result;
  const verdict = result.correct ? `✔ Right: ${point.expected}.` : `✘ ${answer ? `You chose ${answer}; ` : 'No answer; '}the expected decision is ${point.expected}.`;
  return [verdict, `  What happened: ${describeActual(actual)}`, `  Why: ${point.explanation}`];
}

export function describeActual(actual: ActualDecision): string {
  if (actual.decision === 'none') return `no decision — ${actual.by}.`;
  return `${actual.decision} — ${actual.by}${actual.reason ? `: "${actual.reason}"` : ''}.`;
}

/** The closing debrief: every decision point, the score against the pass mark. */
export function debriefLines(answers: readonly TrainingAnswer[], annotations: Annotations): string[] {
  const result = score(answers, annotations);
  const lines = ['', `[TRAINING DEBRIEF] ${annotations.title}`, annotations.summary];
  for (const [i, a] of answers.entries()) {
    const mark = a.correct ? '✔' : '✘';
    const yours = a.answer ? `you: ${a.answer}` : 'no answer';
    const agreed = a.actual.decision === a.point.expected ? 'as the session did' : a.actual.decision === 'none' ? 'the session left it open' : `the session did ${a.actual.decision}`;
    lines.push(`${mark} ${i + 1}. ${a.point.title}: ${yours}, expected ${a.point.expected} (${agreed})`);
  }
  for (const point of annotations.decisions.slice(answers.length)) lines.push(`✘ ${point.title}: not reached`);
  lines.push(`Score: ${result.correct}/${result.total} (${percent(result.ratio)}), pass mark ${percent(result.passMark)}: ${result.passed ? 'PASSED' : 'NOT PASSED'}`);
  return lines;
}
