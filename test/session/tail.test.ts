import { expect, it } from 'vitest';
import { RingTail } from '../../src/session/tail.js';

it('keeps only the newest lines, in order, and counts everything it was given', () => {
  const tail = new RingTail<number>(5);
  for (let i = 1; i <= 12; i++) tail.push(i);
  expect(tail.tail(3)).toEqual([10, 11, 12]);
  expect(tail.tail(99)).toEqual([8, 9, 10, 11, 12]);
  expect(tail.total).toBe(12);
  expect(tail.version).toBe(12);
});
