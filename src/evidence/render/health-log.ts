import { PROVIDER_DOWN_AFTER } from '../../../machines/rules.js';
import type { Metric, MetricSeries, SessionContext } from '../../../machines/types.js';
import { thresholdRule } from '../../probes/thresholds.js';
import { MIN_SOAK_SAMPLES } from '../gates.js';
import type { RenderExtras } from './extras.js';
import { bullets, code, document, inline, isoAt, number, releaseTitle, sparkline, table } from './format.js';
import { decisionsTable } from './tables.js';

// Phase 4 evidence: the soak window as Protocol 19 will read it — every
// metric against its threshold, what went wrong, and what was decided.

export interface SoakWindow {
  start?: string;
  plannedEnd?: string;
  end?: string;
  extensions: number;
}

/** The window starts with Phase 4; an extension restarts the clock, so the original start comes from the phase. */
export function soakWindow(context: SessionContext): SoakWindow {
  const phase = context.phases.stabilisation;
  return {
    start: phase?.startedAt ?? (context.soak ? isoAt(context.soak.startedAt) : undefined),
    plannedEnd: context.soak ? isoAt(context.soak.endsAt) : undefined,
    end: phase?.endedAt,
    extensions: context.soak?.extensions ?? 0,
  };
}

export const providerDown = (series: MetricSeries): boolean =>
  series.consecutiveFailures >= PROVIDER_DOWN_AFTER || (series.lastError?.startsWith('metrics provider down') ?? false);

/** Sentences about what went wrong with one metric; empty when it stayed within bounds. */
export function metricObservations(metric: Metric, series: MetricSeries | undefined): string[] {
  if (!series) return [`${metric.name}: no samples collected`];
  const notes: string[] = [];
  if (series.breaches > 0) notes.push(`${metric.name} breached ${thresholdRule(metric)} ${series.breaches} time(s); last value ${number(series.last)}`);
  if (providerDown(series)) notes.push(`${metric.name}: ${series.lastError ?? 'metrics provider down'} (counts as a breach)`);
  else if (series.failures > 0) notes.push(`${metric.name}: ${series.failures} unreadable sample(s)${series.lastError ? `, last error: ${series.lastError}` : ''}`);
  if (series.samples < MIN_SOAK_SAMPLES) notes.push(`${metric.name}: only ${series.samples} sample(s), fewer than ${MIN_SOAK_SAMPLES} — Gate 4 cannot pass on it`);
  return notes;
}

export function metricsTable(context: SessionContext): string {
  return table(
    ['Metric', 'Threshold', 'Samples', 'Unreadable', 'Min', 'Max', 'Last', 'Breaches', 'Recent'],
    context.plan.health.metrics.map((m) => {
      const s = context.metrics[m.name];
      return [m.name, thresholdRule(m), String(s?.samples ?? 0), String(s?.failures ?? 0), number(s?.min), number(s?.max), number(s?.last), String((s?.breaches ?? 0) + (s?.outages ?? 0)), s ? sparkline(s.recent) : ''];
    }),
    '_The plan watches no health metrics._',
  );
}

function metricSection(context: SessionContext, metric: Metric): string {
  const s = context.metrics[metric.name];
  const lines = [
    `- Rule: ${inline(thresholdRule(metric))} (source: ${inline(metric.source)}; action after ${metric.breachesBeforeAction} consecutive breaching sample(s))`,
    `- Samples: ${s?.samples ?? 0}; unreadable: ${s?.failures ?? 0}`,
    `- Min / max / last: ${number(s?.min)} / ${number(s?.max)} / ${number(s?.last)}`,
    `- Breaches: ${s?.breaches ?? 0}${s?.outages ? ` (and metrics provider down ${s.outages} time(s))` : ''}`,
  ];
  if (s?.recent.length) lines.push(`- Recent (${s.recent.length}): ${code(sparkline(s.recent))}`);
  if (s?.lastError) lines.push(`- Last error: ${inline(s.lastError)}`);
  return `### ${inline(metric.name)}\n\n${lines.join('\n')}`;
}

export function renderHealthLog(context: SessionContext, extras: RenderExtras): string {
  const window = soakWindow(context);
  const { health } = context.plan;
  const head = [`# Deployment Health Log: ${inline(releaseTitle(context))}`, `Operator ${inline(extras.operator)} · generated ${inline(extras.generatedAt)}`];
  if (!window.start) return document([...head, 'The soak window has not started.']);
  const windowLines = [
    `- Soak: ${inline(health.soak)}, sampled every ${inline(health.interval)}`,
    `- Start: ${inline(window.start)}`,
    `- Planned end: ${inline(window.plannedEnd ?? 'unknown')}${window.extensions ? ` (after ${window.extensions} extension(s))` : ''}`,
    `- End: ${inline(window.end ?? 'still open')}`,
    `- Extensions: ${window.extensions}`,
  ];
  const observations = health.metrics.flatMap((m) => metricObservations(m, context.metrics[m.name]));
  const startedAt = Date.parse(window.start);
  const decisions = context.decisions.filter((d) => Date.parse(d.at) >= startedAt);
  const halts = [...context.halts, ...(context.halt ? [context.halt] : [])].filter((h) => Date.parse(h.since) >= startedAt);
  return document([
    ...head,
    `## Soak window\n\n${windowLines.join('\n')}`,
    `## Metrics\n\n${metricsTable(context)}`,
    ...health.metrics.map((m) => metricSection(context, m)),
    `## Observations\n\n${bullets(observations.map(inline), '_No anomalies: every metric stayed within its threshold with enough samples._')}`,
    halts.length ? `## Halts during the window\n\n${bullets(halts.map((h) => `${inline(h.since)} ${inline(h.step)}: ${inline(h.reason)}${h.resolution ? ` → ${h.resolution}` : ' (unresolved)'}`))}` : '',
    `## Decisions during the window\n\n${decisionsTable(decisions)}`,
  ]);
}
