import { expect, it } from 'vitest';
import { plainLines } from '../../src/safety/output.js';
import { OutputTail, RingTail } from '../../src/session/tail.js';

it('keeps only the newest lines, in order, and counts everything it was given', () => {
  const tail = new RingTail<number>(5);
  for (let i = 1; i <= 12; i++) tail.push(i);
  expect(tail.tail(3)).toEqual([10, 11, 12]);
  expect(tail.tail(99)).toEqual([8, 9, 10, 11, 12]);
  expect(tail.total).toBe(12);
  expect(tail.version).toBe(12);
});

it('gives the output pane the newest lines across batches and streams, holding no more than it must', () => {
  const tail = new OutputTail(5);
  tail.push('deploy', 'stdout', plainLines(['a1', 'a2', 'a3']));
  tail.push('deploy', 'stderr', plainLines(['warn']));
  tail.push('deploy', 'stdout', plainLines(Array.from({ length: 1_000 }, (_, i) => `b${i}`)));
  tail.push('deploy', 'stdout', plainLines([]));
  tail.push('smoke', 'stdout', plainLines(['c1', 'c2']));
  expect(tail.tail(3)).toEqual([
    { step: 'deploy', stream: 'stdout', text: 'b999' },
    { step: 'smoke', stream: 'stdout', text: 'c1' },
    { step: 'smoke', stream: 'stdout', text: 'c2' },
  ]);
  expect(tail.tail(99).map((line) => line.text)).toEqual(['b996', 'b997', 'b998', 'b999', 'c1', 'c2'].slice(-5));
  expect(tail.total).toBe(1_006);
  expect(tail.version).toBe(4);
  tail.push('smoke', 'stderr', plainLines(['d1', 'd2', 'd3', 'd4', 'd5', 'd6']));
  expect(tail.tail(99).map((line) => line.text)).toEqual(['d2', 'd3', 'd4', 'd5', 'd6']);
});
