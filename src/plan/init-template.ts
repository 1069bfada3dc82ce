// What `warroom init` writes. Kept as string constants so they ship inside dist/ and the
// single-file bundle with no template folder to find at run time.

export interface TemplateFile {
  /** Relative to the folder being initialised. */
  path: string;
  content: string | Uint8Array;
  mode: number;
}

const RELEASE_YAML = `# warroom release plan: the production-deployment protocol for one release.
#
#   warroom validate release.yaml   checks this file (every problem as FILE:LINE:COL)
#   warroom run release.yaml        walks the protocol: readiness, staging, production, stabilisation
#   warroom schema > release.schema.json   JSON Schema for editor completion
#
# Paths below (scripts, artifacts, cwd) are relative to the folder of this file.
# Commands are argv lists run WITHOUT a shell: one list element is one argument.
# Inside them warroom substitutes \${TAG}, \${RELEASE}, \${ENV} and \${EVIDENCE_DIR}.
# Durations are a whole number and a unit: 500ms, 30s, 15m, 2h.

# Format version of this file. Always 1.
version: 1

# What ships. This is what the approvers sign off and what every announcement names.
release:
  name: payments-2024-06            # the release's name, \${RELEASE} in commands
  tag: v2.4.0                       # the version being deployed, \${TAG}; approvers type it to confirm
  environment: production           # the target environment, \${ENV}
  services: [payments-api, payments-worker]   # impacted services, listed in the release manifest
  strategy: canary                  # canary | blue-green | rolling (deploy.steps shows each)
  securityImpacting: false          # true adds the security sign-off (approvals.security)

# Prefix of every status line on screen, in the communication log and in webhooks:
# [WARROOM | PHASE 1 START] - Verifying deployment readiness artifacts...
announce:
  prefix: WARROOM

# The agreed deployment window (ISO-8601 with a time zone). Starting outside it needs an
# explicit override. Leave it out when there is no fixed window.
# window:
#   start: 2024-06-01T02:00:00Z
#   end: 2024-06-01T04:00:00Z

# Who takes part. role is what approvals and acknowledgements ask for; user is the
# person's login on this host (pair-driving and approvals verify it).
stakeholders:
  - {name: Taylor Reed, role: product-owner, user: taylor}
  - {name: Alex Kim, role: sre, user: alex}
  - {name: Sam Ortiz, role: security, user: sam}

# The production go decision: one approval from each role listed under production
# (plus security when release.securityImpacting). With separationOfDuties at least one
# approver must be someone other than the operator, and risky mid-run decisions need a
# second person too. A request unanswered after timeout halts; it never approves itself.
approvals:
  production: [product-owner, sre]
  security: [security]
  separationOfDuties: true
  timeout: 30m

# Phase 1 readiness: evidence that must be present and current before anything runs.
prerequisites:
  # Hand-over artifacts from earlier protocols. maxAgeHours fails readiness when a file
  # is older; expect (json only) names dotted fields and the values they must hold.
  artifacts:
    - path: .artifacts/pre-deployment/PRE-DEPLOYMENT-PACKAGE.zip
      kind: zip
      maxAgeHours: 168
    - path: .artifacts/pre-deployment/readiness-approval.json
      kind: json
      maxAgeHours: 168
      expect:
        decision: go
        release.tag: v2.4.0
    - path: .artifacts/pre-deployment/rollback-verification-report.json
      kind: json
      expect:
        status: verified
    - path: .artifacts/pre-deployment/deployment-checklist.md
      kind: markdown
  # Scripts that must exist and be executable on this host.
  scripts:
    - scripts/deploy.sh
    - scripts/rollback.sh
    - scripts/smoke.sh
  # System state: credentials, monitoring. A check is {name, run: argv} (passes on
  # exit 0) or {name, http: {url, expectStatus, maxLatencyMs}}.
  checks:
    - name: deploy-script-parses
      run: [bash, -n, scripts/deploy.sh]
    # - name: monitoring-reachable
    #   http: {url: https://grafana.example.com/api/health, expectStatus: 200, maxLatencyMs: 2000}

# Phase 2: reconfirm that staging is green before production is touched.
staging:
  checks:
    - name: staging-smoke
      run: [./scripts/smoke.sh, staging]

# Phase 2 change freeze: every role listed must acknowledge before Gate 2 passes.
# lock and unlock are your freeze tooling (here a placeholder that only prints).
freeze:
  acknowledge: [product-owner, sre]
  lock: {run: [echo, "change freeze engaged for \${RELEASE}"], timeout: 1m}
  unlock: {run: [echo, "change freeze lifted for \${RELEASE}"], timeout: 1m}

# Phase 2 dry run of the deployment tooling against production.
dryRun:
  run: [./scripts/deploy.sh, --dry-run, "\${TAG}"]
  timeout: 5m

# Phase 3: the production deployment, step by step. pause waits after a step; analysis
# then checks the named health metrics before the next step. A failed step offers
# retry, roll back or abort. timeout kills the step's whole process group (default 10m).
# The steps are the strategy: a canary shifts traffic in stages (below).
deploy:
  steps:
    - name: canary-10
      run: [./scripts/deploy.sh, "\${TAG}", "10"]
      timeout: 10m
      pause: 30s
      analysis: [cpu, error-rate]
    - name: canary-50
      run: [./scripts/deploy.sh, "\${TAG}", "50"]
      pause: 30s
      analysis: [cpu, error-rate]
    - name: full-rollout
      run: [./scripts/deploy.sh, "\${TAG}", "100"]
  # strategy: blue-green starts the new version beside the old one, checks it, switches
  # all traffic at once and retires the old one after a pause (replace the echo):
  # steps:
  #   - {name: deploy-green, run: [./scripts/deploy.sh, "\${TAG}", "0"], analysis: [cpu, error-rate]}
  #   - {name: switch-traffic, run: [./scripts/deploy.sh, "\${TAG}", "100"], pause: 5m, analysis: [cpu, error-rate]}
  #   - {name: retire-blue, run: [echo, "scale the previous release to zero here"]}
  # strategy: rolling replaces the instances a batch at a time, checking between batches:
  # steps:
  #   - {name: batch-1-of-3, run: [./scripts/deploy.sh, "\${TAG}", "33"], pause: 2m, analysis: [cpu, error-rate]}
  #   - {name: batch-2-of-3, run: [./scripts/deploy.sh, "\${TAG}", "66"], pause: 2m, analysis: [cpu, error-rate]}
  #   - {name: batch-3-of-3, run: [./scripts/deploy.sh, "\${TAG}", "100"]}

# How to undo. auto: true rolls back without asking when a gate fails or a metric
# breaches after the first production command; false asks (headless: halts).
rollback:
  run: [./scripts/rollback.sh, "\${TAG}"]
  timeout: 10m
  auto: true

# Immediate post-deployment smoke checks (Gate 3 counts them).
checks:
  - name: smoke-production
    run: [./scripts/smoke.sh, "\${ENV}"]
  # - name: health-endpoint
  #   http: {url: https://payments.example.com/healthz, expectStatus: 200, maxLatencyMs: 500}

# Phase 4 stabilisation: watch the metrics for the soak window, sampling every interval.
# A metric breaches above max or below min (breachesBeforeAction samples in a row).
# Sources: system (cpu, memory, load, or network bytes/s with interface: eth0), http
# (latencyMs or status of url), prometheus (query against url), openmetrics (scrape url,
# metric and labels), command (prints a number).
health:
  soak: 2m
  interval: 10s
  metrics:
    - {name: cpu, source: system, field: cpu, max: 90, unit: "%"}
    - {name: memory, source: system, field: memory, max: 90, unit: "%"}
    - name: error-rate
      source: command
      run: [./scripts/smoke.sh, --error-rate]
      max: 1
      unit: "%"
    # - {name: p99-latency, source: prometheus, url: http://prometheus:9090, query: 'histogram_quantile(0.99, sum(rate(http_request_duration_seconds_bucket[5m])) by (le))', max: 0.5}

# Quality gates: launch needs this share of post-deployment validations passing;
# reporting needs this share of the evidence package complete.
gates:
  launch: {validationThreshold: 0.95}
  reporting: {completenessThreshold: 0.95}

# Where announcements are also sent.
notify: []
#  - {webhook: https://hooks.slack.com/services/T000/B000/XXXX, format: slack}

# Extra values to mask everywhere (screen, journal, logs, webhooks, evidence), on top of
# the built-in credential patterns: the values of these environment variables, and
# these JavaScript regexes.
secrets:
  env: [DEPLOY_TOKEN]
  patterns: ['pay_live_[A-Za-z0-9]{16,}']

# OS group whose members may attach to the live session (warroom attach).
session: {}
#  group: warroom
`;

const DEPLOY_SH = `#!/usr/bin/env bash
# Example deployment step. Replace the echo lines with your real tooling (kubectl, helm,
# your deploy API). warroom passes arguments as a list: no shell string to quote.
# usage: deploy.sh TAG PERCENT | deploy.sh --dry-run TAG
set -euo pipefail

if [[ "\${1:-}" == "--dry-run" ]]; then
  tag="\${2:?usage: deploy.sh --dry-run TAG}"
  echo "dry run: image registry.example.com/payments-api:\${tag} found"
  echo "dry run: 4 manifests rendered, 2 would change, 0 secrets touched"
  echo "dry run: ok"
  exit 0
fi

tag="\${1:?usage: deploy.sh TAG PERCENT}"
percent="\${2:-100}"
echo "deploying \${tag}: shifting \${percent}% of traffic"
for service in payments-api payments-worker; do
  echo "  \${service}: updating to \${tag}"
  sleep 0.5
  echo "  \${service}: \${percent}% of replicas ready and healthy"
done
echo "traffic at \${percent}% on \${tag}"
`;

const ROLLBACK_SH = `#!/usr/bin/env bash
# Example rollback: put the previous release back. Must be safe to run more than once.
# usage: rollback.sh TAG   (the tag being rolled back)
set -euo pipefail

tag="\${1:?usage: rollback.sh TAG}"
echo "rolling back \${tag}: restoring the previous release"
for service in payments-api payments-worker; do
  echo "  \${service}: reverting deployment"
  sleep 0.5
  echo "  \${service}: previous release serving 100% of traffic"
done
echo "rollback of \${tag} complete"
`;

const SMOKE_SH = `#!/usr/bin/env bash
# Example smoke check (exit 0 = pass) and metric source (--error-rate prints one number).
# usage: smoke.sh ENV | smoke.sh --error-rate
set -euo pipefail

if [[ "\${1:-}" == "--error-rate" ]]; then
  # A real one would ask your metrics backend; this prints 0.0 to 0.4 (percent).
  echo "0.$((RANDOM % 5))"
  exit 0
fi

env="\${1:?usage: smoke.sh ENV}"
echo "smoke checks against \${env}"
for probe in "GET /healthz" "GET /v1/payments?limit=1" "POST /v1/payments/validate"; do
  echo "  \${probe} ... 200 OK"
done
echo "3/3 smoke checks passed"
`;

const READINESS_APPROVAL_JSON = `${JSON.stringify(
  {
    protocol: 21,
    decision: 'go',
    release: { name: 'payments-2024-06', tag: 'v2.4.0' },
    approvedBy: [
      { name: 'Taylor Reed', role: 'product-owner' },
      { name: 'Alex Kim', role: 'sre' },
    ],
    blockingIssues: [],
  },
  null,
  2,
)}\n`;

const ROLLBACK_REPORT_JSON = `${JSON.stringify(
  { protocol: 21, status: 'verified', rollbackScript: 'scripts/rollback.sh', rehearsedIn: 'staging', durationSeconds: 94 },
  null,
  2,
)}\n`;

const CHECKLIST_MD = `# Deployment checklist: payments-2024-06 (v2.4.0)

- [x] Release notes reviewed
- [x] Database migrations are backward compatible
- [x] Rollback rehearsed in staging
- [x] On-call: SRE (Alex Kim), Product (Taylor Reed)
- [x] Communication channel: #release-war-room
`;

/** The smallest valid zip: an end-of-central-directory record and no entries. */
const EMPTY_ZIP = Uint8Array.from([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]);

export function initTemplateFiles(): TemplateFile[] {
  return [
    { path: 'release.yaml', content: RELEASE_YAML, mode: 0o644 },
    { path: 'scripts/deploy.sh', content: DEPLOY_SH, mode: 0o755 },
    { path: 'scripts/rollback.sh', content: ROLLBACK_SH, mode: 0o755 },
    { path: 'scripts/smoke.sh', content: SMOKE_SH, mode: 0o755 },
    { path: '.artifacts/pre-deployment/PRE-DEPLOYMENT-PACKAGE.zip', content: EMPTY_ZIP, mode: 0o644 },
    { path: '.artifacts/pre-deployment/readiness-approval.json', content: READINESS_APPROVAL_JSON, mode: 0o644 },
    { path: '.artifacts/pre-deployment/rollback-verification-report.json', content: ROLLBACK_REPORT_JSON, mode: 0o644 },
    { path: '.artifacts/pre-deployment/deployment-checklist.md', content: CHECKLIST_MD, mode: 0o644 },
  ];
}
