import { describe, expect, it } from 'vitest';
import { layout } from '../../views/layout.js';

const frameHeight = (l: ReturnType<typeof layout>) =>
  l.header + l.timeline + l.output + (l.metricsBeside ? 0 : l.metrics) + l.decision + l.announcements + l.keyBar;

describe('layout', () => {
  it('fills exactly one line less than the terminal, whatever the size and the question', () => {
    for (let rows = 12; rows <= 80; rows++) {
      for (const columns of [80, 100, 160]) {
        for (const decision of [0, 3, 8, 30]) {
          for (const metrics of [0, 2, 9]) {
            const l = layout({ columns, rows, metrics, decision });
            expect(frameHeight(l), `${columns}x${rows} decision ${decision} metrics ${metrics}`).toBe(rows - 1);
            expect(Math.min(l.output, l.decision, l.announcements, l.metrics)).toBeGreaterThanOrEqual(0);
          }
        }
      }
    }
  });

  it('keeps the output pane readable at 80x24 even when a long prompt asks for room', () => {
    const l = layout({ columns: 80, rows: 24, metrics: 2, decision: 30 });
    expect(l.output).toBe(4);
    expect(l.metricsBeside).toBe(false);
  });

  it('gives more room to the output and the announcements on a taller, wider terminal', () => {
    const small = layout({ columns: 80, rows: 24, metrics: 2, decision: 4 });
    const large = layout({ columns: 160, rows: 50, metrics: 2, decision: 4 });
    expect(large.output).toBeGreaterThan(small.output + 20);
    expect(large.announcements).toBeGreaterThan(small.announcements);
    expect(large.metricsBeside).toBe(true);
  });
});
