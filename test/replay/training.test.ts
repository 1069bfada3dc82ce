import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replayCommand } from '../../src/cli/replay.js';
import { annotationsPathFor, loadAnnotations } from '../../src/replay/annotations.js';
import { loadRecording } from '../../src/replay/recording.js';
import { actualDecision, matchAnswer } from '../../src/replay/training.js';
import { FIXTURES, readEntries, recording, replayIo, scratchDir } from './recordings.js';

// Training: the trainee answers each decision point (headless: one line each on
// standard input) and is scored against the recording's annotations.

const train = async (name: (typeof FIXTURES)[number], answers: string) => {
  const io = replayIo(scratchDir(), answers);
  const code = await replayCommand([recording(name), '--train', '--headless', '--speed', 'max'], io);
  return { code, out: io.out(), err: io.err() };
};

describe('warroom replay --train --headless', () => {
  it('passes a trainee who decides as expected: acknowledge, then approve a clean release', async () => {
    const { code, out, err } = await train('clean', 'acknowledge\napprove\n');
    expect(err).toBe('');
    expect(out).toContain('[TRAINING 1/2] Change freeze acknowledgement');
    expect(out).toContain('✔ Right: acknowledge.');
    expect(out).toContain('✔ Right: approve.');
    expect(out).toContain('Score: 2/2 (100%), pass mark 100%: PASSED');
    expect(code).toBe(0);
  });

  it('fails a trainee who approves what should have been rejected, and says what the evidence was', async () => {
    const { code, out } = await train('reject-approval', '1\n1\n');
    expect(out).toContain('✔ Right: acknowledge.');
    expect(out).toContain('✘ You chose approve; the expected decision is reject.');
    expect(out).toMatch(/What happened: reject — Priya Raman \(product-owner\): "Refund flow fails in staging/);
    expect(out).toContain('3 FAILED: refund flow');
    expect(out).toContain('✘ 2. Production approval: you: approve, expected reject (as the session did)');
    expect(out).toContain('Score: 1/2 (50%), pass mark 100%: NOT PASSED');
    expect(code).toBe(1);
  });

  it('asks before it tells: each question comes after the lines that lead to it and before what was decided', async () => {
    const { out } = await train('reject-approval', 'acknowledge\nreject\n');
    const asked = out.indexOf('[TRAINING 2/2] Production approval');
    expect(out.indexOf('[APPROVAL REQUEST]')).toBeLessThan(asked);
    expect(out.indexOf('Failed at Production approval')).toBeGreaterThan(asked);
    expect(out).toContain('Score: 2/2 (100%), pass mark 100%: PASSED');
  });

  it('passes at the pass mark: two of three right on the soak breach, and the automatic rollback is what happened', async () => {
    const { code, out } = await train('soak-breach', 'refuse\napprove\nrollback\n');
    expect(out).toContain('What happened: rollback — the plan (rollback.auto), without waiting for anyone.');
    expect(out).toContain('Score: 2/3 (67%), pass mark 67%: PASSED');
    expect(code).toBe(0);
  });

  it('asks again after a line that is not an option, and counts the decisions left when input ends as unanswered', async () => {
    const { code, out } = await train('waiver', 'maybe\nwaive\n');
    expect(out).toContain('"maybe" is not one of: waive, retry, abort');
    expect(out).toContain('✔ Right: waive.');
    expect(out).toContain('What happened: waive — Sam Okafor (sre): "staging-synthetics cannot resolve');
    expect(out).toContain('✘ No answer; the expected decision is acknowledge.');
    expect(out).toContain('Score: 1/3 (33%), pass mark 67%: NOT PASSED');
    expect(code).toBe(1);
  });

  it('refuses annotations written for another journal, exit 3', async () => {
    const dir = scratchDir();
    const copy = join(dir, 'clean.jsonl');
    writeFileSync(copy, readFileSync(recording('clean')));
    copyFileSync(annotationsPathFor(recording('soak-breach')), annotationsPathFor(copy));
    const io = replayIo(dir, 'approve\n');
    expect(await replayCommand([copy, '--train', '--headless', '--speed', 'max'], io)).toBe(3);
    expect(io.err()).toMatch(/clean\.expected\.json: these annotations are for another journal/);
  });
});

describe('decision points', () => {
  it.each(FIXTURES)('%s: its annotations fit its journal, and each expected decision is one of its options', async (name) => {
    const loaded = await loadRecording(recording(name));
    const annotations = await loadAnnotations(annotationsPathFor(recording(name)), loaded);
    expect(annotations.decisions.length).toBeGreaterThanOrEqual(2);
    for (const point of annotations.decisions) expect(point.options).toContain(point.expected);
  });

  it('finds what the recorded session decided: answers, a waiver by a second person, or the plan by itself', async () => {
    const actual = async (name: (typeof FIXTURES)[number]) => {
      const annotations = await loadAnnotations(annotationsPathFor(recording(name)), await loadRecording(recording(name)));
      return annotations.decisions.map((point) => actualDecision(readEntries(recording(name)), point.seq).decision);
    };
    expect(await actual('clean')).toEqual(['acknowledge', 'approve']);
    expect(await actual('failing-smoke')).toEqual(['acknowledge', 'approve', 'rollback']);
    expect(await actual('soak-breach')).toEqual(['acknowledge', 'approve', 'rollback']);
    expect(await actual('waiver')).toEqual(['waive', 'acknowledge', 'approve']);
    expect(await actual('reject-approval')).toEqual(['acknowledge', 'reject']);
  });

  it('takes an answer by number, by name or by an unambiguous start of it', () => {
    const options = ['rollback', 'retry', 'waive', 'abort'] as const;
    expect(matchAnswer('1', options)).toBe('rollback');
    expect(matchAnswer(' Waive ', options)).toBe('waive');
    expect(matchAnswer('ro', options)).toBe('rollback');
    expect(matchAnswer('r', options)).toBeUndefined();
    expect(matchAnswer('9', options)).toBeUndefined();
    expect(matchAnswer('yes', ['approve', 'reject'])).toBe('approve');
  });
});
