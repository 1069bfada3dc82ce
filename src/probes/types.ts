/** The result of one check (readiness, staging, smoke), as recorded in the evidence. */
export interface CheckResult {
  name: string;
  kind: 'run' | 'http';
  passed: boolean;
  /** One line a release manager can act on: "HTTP 503 from http://…/healthz", "exit 1". */
  detail: string;
  startedAt: string;
  durationMs: number;
  /** run checks */
  exitCode?: number | null;
  log?: string;
  /** http checks */
  status?: number;
  latencyMs?: number;
}

/** One reading of a health metric; a reading that failed carries error instead of value. */
export interface MetricSample {
  metric: string;
  at: string;
  value?: number;
  error?: string;
}
