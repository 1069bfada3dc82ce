import { readFile } from 'node:fs/promises';
import { z } from 'zod';

// A training recording's annotations (NAME.expected.json beside NAME.jsonl):
// its decision points, by journal line, with what should have been decided
// and the evidence that should have led there.

export const DECISION_OPTIONS = ['approve', 'reject', 'acknowledge', 'refuse', 'retry', 'waive', 'rollback', 'abort', 'extend'] as const;
export type DecisionOption = (typeof DECISION_OPTIONS)[number];

const option = z.enum(DECISION_OPTIONS);

export const decisionPointSchema = z
  .strictObject({
    /** The last journal line the trainee has seen when asked. */
    seq: z.number().int().positive(),
    kind: z.enum(['approval', 'acknowledgement', 'halt', 'rollback', 'waiver']),
    title: z.string().min(1),
    question: z.string().min(1),
    options: z.array(option).min(2),
    expected: option,
    explanation: z.string().min(1),
  })
  .refine((point) => point.options.includes(point.expected), { message: 'expected must be one of the options', path: ['expected'] });

export const annotationsSchema = z.strictObject({
  recording: z.string().min(1),
  /** SHA-256 of the journal's bytes: the seqs are about this journal and no other. */
  journalSha256: z.string().regex(/^[0-9a-f]{64}$/),
  title: z.string().min(1),
  summary: z.string(),
  plan: z.string().optional(),
  approvals: z.string().optional(),
  /** The share of decision points to get right (0..1) to pass. */
  passMark: z.number().min(0).max(1),
  decisions: z.array(decisionPointSchema).min(1),
});

export type DecisionPoint = z.infer<typeof decisionPointSchema>;
export type Annotations = z.infer<typeof annotationsSchema>;

export class AnnotationsError extends Error {}

/** NAME.expected.json beside NAME.jsonl, NAME.zip or the folder NAME. */
export function annotationsPathFor(recording: string): string {
  return `${recording.replace(/\/+$/, '').replace(/\.(jsonl|zip)$/i, '')}.expected.json`;
}

export async function loadAnnotations(path: string, journal: { sha256: string; lines: number }): Promise<Annotations> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new AnnotationsError(`${path}: ${code === 'ENOENT' ? 'no annotations for this recording (training needs NAME.expected.json beside it, or --expected FILE)' : `cannot read (${code})`}`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new AnnotationsError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  const parsed = annotationsSchema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AnnotationsError(`${path}: ${issue.path.join('.') || 'top level'}: ${issue.message}`);
  }
  const annotations = parsed.data;
  if (annotations.journalSha256 !== journal.sha256) {
    throw new AnnotationsError(`${path}: these annotations are for another journal (sha256 ${annotations.journalSha256.slice(0, 12)}…, the recording's is ${journal.sha256.slice(0, 12)}…)`);
  }
  const outside = annotations.decisions.find((d) => d.seq > journal.lines);
  if (outside) throw new AnnotationsError(`${path}: decision point at journal line ${outside.seq}, but the journal has ${journal.lines} lines`);
  annotations.decisions.sort((a, b) => a.seq - b.seq);
  return annotations;
}
