import { z } from 'zod';
import { durationProblem } from './duration.js';

// One definition of release.yaml: the types below are inferred from it and
// `warroom schema` prints it as JSON Schema.

const duration = z
  .string()
  .superRefine((text, ctx) => {
    const problem = durationProblem(text);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe('A duration: a whole number followed by ms, s, m or h, at most 576h (24 days)');

const argv = z
  .array(z.string().min(1, 'an argument may not be empty'))
  .min(1, 'a command needs at least the program to run')
  .describe('Program and arguments, run without a shell');

export const commandSchema = z
  .strictObject({
    run: argv,
    timeout: duration.optional().describe('Kill the whole process group after this long (default 10m)'),
    cwd: z.string().optional().describe('Working directory, relative to the plan'),
  })
  .describe('A command: `{run: argv, timeout}`');

/** Step and check names become file names (logs/<name>.log): well under the 255 bytes a file name may have. */
export const MAX_NAME_LENGTH = 100;

const checkName = z
  .string()
  .min(1)
  .max(MAX_NAME_LENGTH, `a check name is at most ${MAX_NAME_LENGTH} characters (it names the log file logs/<stage>-<name>.log)`);

const runCheckSchema = z.strictObject({
  name: checkName,
  run: argv,
  timeout: duration.optional(),
  cwd: z.string().optional(),
});

const httpCheckSchema = z.strictObject({
  name: checkName,
  http: z.strictObject({
    url: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }),
    expectStatus: z.number().int().min(100).max(599).default(200),
    maxLatencyMs: z.number().positive().optional(),
    timeout: duration.optional(),
  }),
});

export const checkSchema = z
  .union([runCheckSchema, httpCheckSchema], {
    error: 'a check is either {name, run: argv} or {name, http: {url, expectStatus, maxLatencyMs}}',
  })
  .describe('A check: passes on exit 0 (run) or on the expected status within the latency limit (http)');

const thresholds = {
  max: z.number().optional().describe('Breach when a sample is above this'),
  min: z.number().optional().describe('Breach when a sample is below this'),
  breachesBeforeAction: z
    .number()
    .int()
    .min(1)
    .default(1)
    .describe('Consecutive breaching samples before warroom acts'),
  unit: z.string().optional(),
};

const metricName = z
  .string()
  .regex(/^[A-Za-z0-9_.-]+$/, 'a metric name uses letters, digits, _ . and - only');

// The kernel's rule for interface names (dev_valid_name); it also keeps the name one path
// segment under /sys/class/net.
const interfaceName = z
  .string()
  .regex(/^[^/:\s]{1,15}$/, 'an interface name is 1 to 15 characters without "/", ":" or spaces')
  .refine((name) => name !== '.' && name !== '..', { message: 'an interface name cannot be "." or ".."' });

const systemMetricSchema = z
  .strictObject({
    name: metricName,
    source: z.literal('system'),
    field: z
      .enum(['cpu', 'memory', 'load', 'network'])
      .describe('cpu and memory in percent, load = 1-minute load average per core, network = bytes/s received + sent on `interface`'),
    interface: interfaceName.optional().describe('field network only: the network interface to read, e.g. eth0'),
    ...thresholds,
  })
  .superRefine((metric, ctx) => {
    if (metric.field === 'network' && metric.interface === undefined) {
      ctx.addIssue({ code: 'custom', path: ['field'], message: 'a network metric needs "interface", the network interface to read (e.g. interface: eth0)' });
    }
    if (metric.field !== 'network' && metric.interface !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['interface'], message: `"interface" applies to field network only; this metric reads ${metric.field}` });
    }
  });

export const metricSchema = z
  .discriminatedUnion(
    'source',
    [
      systemMetricSchema,
      z.strictObject({
        name: metricName,
        source: z.literal('http'),
        url: z.url({ protocol: /^https?$/ }),
        field: z.enum(['latencyMs', 'status']).default('latencyMs'),
        timeout: duration.optional(),
        ...thresholds,
      }),
      z.strictObject({
        name: metricName,
        source: z.literal('prometheus'),
        url: z.url({ protocol: /^https?$/ }),
        query: z.string().min(1),
        timeout: duration.optional(),
        ...thresholds,
      }),
      z.strictObject({
        name: metricName,
        source: z.literal('openmetrics'),
        url: z.url({ protocol: /^https?$/ }),
        metric: z.string().min(1),
        labels: z.record(z.string(), z.string()).optional(),
        timeout: duration.optional(),
        ...thresholds,
      }),
      z.strictObject({
        name: metricName,
        source: z.literal('command'),
        run: argv,
        timeout: duration.optional(),
        cwd: z.string().optional(),
        ...thresholds,
      }),
    ],
    { error: 'unknown metric source: expected system, http, prometheus, openmetrics or command' },
  )
  .describe('A health metric with a max and/or min threshold');

const stakeholderSchema = z.strictObject({
  name: z.string().min(1),
  role: z.string().min(1),
  user: z.string().min(1).describe('Login on this host'),
});

const artifactSchema = z.strictObject({
  path: z.string().min(1),
  kind: z.enum(['zip', 'json', 'markdown']),
  maxAgeHours: z.number().positive().optional().describe('Fails readiness when the file is older (by modification time)'),
  expect: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
    .optional()
    .describe('JSON artifacts only: dotted field paths and the values they must hold'),
});

const deployStepSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a step name uses letters, digits, _ . and - (it names the log file)')
    .max(MAX_NAME_LENGTH, `a step name is at most ${MAX_NAME_LENGTH} characters (it names the log file logs/<name>.log)`),
  run: argv,
  timeout: duration.optional(),
  cwd: z.string().optional(),
  pause: duration.optional().describe('Wait this long after the step before the next one'),
  analysis: z.array(z.string()).optional().describe('Metric names checked after the step (and its pause)'),
});

export const planSchema = z
  .strictObject({
    version: z.literal(1, { error: 'version must be 1' }),
    release: z.strictObject({
      name: z.string().min(1),
      tag: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.+-]*$/, 'a tag uses letters, digits and _ . + -'),
      environment: z.string().min(1),
      services: z.array(z.string().min(1)).min(1, 'list at least one impacted service'),
      strategy: z.enum(['canary', 'blue-green', 'rolling'], {
        error: 'unknown strategy: expected canary, blue-green or rolling',
      }),
      securityImpacting: z.boolean().default(false),
    }),
    announce: z.strictObject({ prefix: z.string().min(1).default('WARROOM') }).default({ prefix: 'WARROOM' }),
    window: z
      .strictObject({
        start: z.iso.datetime({ offset: true, error: 'expected an ISO-8601 date and time' }),
        end: z.iso.datetime({ offset: true, error: 'expected an ISO-8601 date and time' }),
      })
      .optional(),
    stakeholders: z.array(stakeholderSchema).min(1, 'list the stakeholders'),
    approvals: z.strictObject({
      production: z.array(z.string().min(1)).min(1, 'name at least one approving role'),
      security: z.array(z.string().min(1)).default(['security']).describe('Roles that sign off a security-impacting release'),
      separationOfDuties: z.boolean().default(true),
      timeout: duration.default('30m'),
    }),
    prerequisites: z
      .strictObject({
        artifacts: z.array(artifactSchema).default([]),
        scripts: z.array(z.string().min(1)).default([]),
        checks: z.array(checkSchema).default([]),
      })
      .default({ artifacts: [], scripts: [], checks: [] }),
    staging: z.strictObject({ checks: z.array(checkSchema).default([]) }).default({ checks: [] }),
    freeze: z
      .strictObject({
        acknowledge: z.array(z.string().min(1)).default([]),
        lock: commandSchema.optional(),
        unlock: commandSchema.optional(),
      })
      .default({ acknowledge: [] }),
    dryRun: commandSchema.optional(),
    deploy: z.strictObject({ steps: z.array(deployStepSchema).min(1, 'a deployment needs at least one step') }),
    rollback: z.strictObject({
      run: argv,
      timeout: duration.optional(),
      cwd: z.string().optional(),
      auto: z.boolean().default(false),
      checks: z.array(checkSchema).default([]).describe('Checks run after the rollback command to confirm the service is healthy again'),
    }),
    checks: z.array(checkSchema).default([]),
    health: z
      .strictObject({
        soak: duration.default('0s'),
        interval: duration.default('10s'),
        metrics: z.array(metricSchema).default([]),
      })
      .default({ soak: '0s', interval: '10s', metrics: [] }),
    gates: z
      .strictObject({
        launch: z
          .strictObject({ validationThreshold: z.number().min(0).max(1).default(0.95) })
          .default({ validationThreshold: 0.95 }),
        reporting: z
          .strictObject({ completenessThreshold: z.number().min(0).max(1).default(0.95) })
          .default({ completenessThreshold: 0.95 }),
      })
      .default({ launch: { validationThreshold: 0.95 }, reporting: { completenessThreshold: 0.95 } }),
    notify: z
      .array(z.strictObject({ webhook: z.url({ protocol: /^https?$/ }), format: z.enum(['slack', 'json']).default('json') }))
      .default([]),
    secrets: z
      .strictObject({ env: z.array(z.string()).default([]), patterns: z.array(z.string()).default([]) })
      .default({ env: [], patterns: [] }),
    session: z.strictObject({ group: z.string().min(1).optional() }).default({}),
  })
  .describe('warroom release plan (release.yaml)');

export type Plan = z.infer<typeof planSchema>;
export type CommandSpec = z.infer<typeof commandSchema>;
export type Check = z.infer<typeof checkSchema>;
export type Metric = z.infer<typeof metricSchema>;
export type Stakeholder = Plan['stakeholders'][number];
export type ArtifactSpec = Plan['prerequisites']['artifacts'][number];
export type DeployStep = Plan['deploy']['steps'][number];

export function isHttpCheck(check: Check): check is Extract<Check, { http: unknown }> {
  return 'http' in check;
}
