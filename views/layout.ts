// How many lines each pane gets. The whole frame stays one line shorter than
// the terminal: Ink 6.8 clears and rewrites everything on every frame once a
// frame is as tall as the terminal (flicker, CPU). Each pane gets a fixed
// height and truncates its lines, so the frame never grows by itself.

export interface LayoutInput {
  columns: number;
  rows: number;
  /** Metrics in the plan (0 hides the pane). */
  metrics: number;
  /** Lines the why-panel and prompt would like. */
  decision: number;
}

export interface Layout {
  width: number;
  /** The frame's height: rows - 1. */
  height: number;
  header: number;
  timeline: number;
  output: number;
  /** Metrics beside the output (wide terminals) or below it (80 columns). */
  metricsBeside: boolean;
  metricsWidth: number;
  metrics: number;
  decision: number;
  announcements: number;
  keyBar: number;
}

const HEADER = 2;
const TIMELINE = 2;
const KEY_BAR = 1;
/** The output pane keeps its title and a few lines whatever else asks for room. */
const MIN_OUTPUT = 4;
const WIDE = 100;

export function layout({ columns, rows, metrics, decision }: LayoutInput): Layout {
  const width = Math.max(40, columns);
  const height = Math.max(HEADER + TIMELINE + KEY_BAR + 2, rows - 1);
  // Announcements: title + 2 lines at 24 rows, one more line per 4 rows beyond, up to 8.
  let announcements = 1 + Math.min(8, Math.max(1, 2 + Math.floor((height - 23) / 4)));
  const metricsBeside = metrics > 0 && width >= WIDE;
  let metricsBelow = metrics > 0 && !metricsBeside ? 1 + Math.min(metrics, height >= 30 ? 6 : 3) : 0;
  const room = () => height - HEADER - TIMELINE - KEY_BAR - announcements - metricsBelow;
  // A very short terminal gives up announcements, then metrics, before the output and the prompt.
  while (room() < MIN_OUTPUT && announcements > 0) announcements -= 1;
  while (room() < MIN_OUTPUT && metricsBelow > 0) metricsBelow = metricsBelow > 2 ? metricsBelow - 1 : 0;
  const available = room();
  const decisionLines = Math.min(decision, Math.max(0, available - MIN_OUTPUT));
  const output = available - decisionLines;
  return {
    width,
    height,
    header: HEADER,
    timeline: TIMELINE,
    output,
    metricsBeside,
    metricsWidth: metricsBeside ? Math.min(60, Math.floor(width * 0.42)) : width,
    metrics: metricsBeside ? output : metricsBelow,
    decision: decisionLines,
    announcements,
    keyBar: KEY_BAR,
  };
}
