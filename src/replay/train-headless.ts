import { createInterface } from 'node:readline';
import type { JournalEntry } from '../journal/journal.js';
import type { Annotations } from './annotations.js';
import { HeadlessPlayer } from './headless.js';
import { debriefLines, feedbackLines, grade, matchAnswer, questionLines, score, type Score, type TrainingAnswer } from './training.js';
import type { Speed } from './timing.js';

// `warroom replay --train --headless`: the recording's lines up to each decision
// point, then the question; the trainee's answer is read from standard input,
// one line each (a line that is not an option asks again; the end of input
// leaves the remaining decisions unanswered).

export interface HeadlessTrainingOptions {
  speed: Speed;
  write: (text: string) => void;
  input: NodeJS.ReadableStream;
  signal?: AbortSignal;
}

export async function trainHeadless(entries: readonly JournalEntry[], annotations: Annotations, options: HeadlessTrainingOptions): Promise<{ answers: TrainingAnswer[]; score: Score }> {
  const { write } = options;
  const say = (lines: string[]) => write(lines.map((line) => `${line}\n`).join(''));
  const player = new HeadlessPlayer(entries, { speed: options.speed, write, ...(options.signal ? { signal: options.signal } : {}) });
  const reader = createInterface({ input: options.input, crlfDelay: Infinity, terminal: false });
  const lines = reader[Symbol.asyncIterator]();
  let inputEnded = false;
  // A terminal echoes what the trainee types; piped answers are echoed so the transcript reads as a dialogue.
  const echo = (options.input as { isTTY?: boolean }).isTTY !== true;
  const readAnswer = async (point: Annotations['decisions'][number]) => {
    while (!inputEnded) {
      write('answer> ');
      const next = await lines.next();
      if (next.done) {
        inputEnded = true;
        write('\n');
        break;
      }
      if (echo) write(`${next.value.trim()}\n`);
      const answer = matchAnswer(next.value, point.options);
      if (answer) return answer;
      say([`"${next.value.trim()}" is not one of: ${point.options.join(', ')} (a number or a name)`]);
    }
    return undefined;
  };

  const answers: TrainingAnswer[] = [];
  try {
    for (const [i, point] of annotations.decisions.entries()) {
      await player.playThrough(point.seq);
      if (options.signal?.aborted) break;
      say(questionLines(point, i + 1, annotations.decisions.length));
      const result = grade(point, await readAnswer(point), entries);
      answers.push(result);
      say(feedbackLines(result));
      player.pause();
    }
    if (!options.signal?.aborted) await player.playThrough();
  } finally {
    reader.close();
  }
  say(debriefLines(answers, annotations));
  return { answers, score: score(answers, annotations) };
}
