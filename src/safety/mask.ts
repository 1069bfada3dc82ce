// Secrets are masked before output reaches the screen, journal, logs, webhooks or the
// evidence (SPEC §10). A mask names the kind of secret and keeps only a public prefix
// (`AKIA`, `ghp_`), never enough to reuse. Pure: the only state is the PEM block below.

export interface MaskOptions {
  /** Literal secret values (the plan's `secrets.env` values). */
  values: string[];
  /** Extra regular expressions from the plan's `secrets.patterns`. */
  patterns: string[];
}

export type Masker = (line: string) => string;

/** Shorter values would mask ordinary words and numbers everywhere. */
const MIN_VALUE_LENGTH = 4;
/** A PEM body longer than this is not a key (a 16k-bit RSA key is ~200 lines). */
const MAX_PEM_LINES = 256;

interface Detector {
  kind: string;
  /** Only non-capturing groups: the detectors of a family become one combined regex. */
  source: string;
  mask: (match: string) => string;
}

const keepPrefix = (kind: string, length: number) => (match: string) => `[masked:${kind} ${match.slice(0, length)}…]`;
const NOT_MASKED = '(?!\\[masked:)';

/**
 * Detectors come in families behind a cheap hint: most output lines hold no secret, and a
 * few short literal searches cost far less per line than one regex of every detector.
 */
interface Family {
  hint: RegExp;
  flags: string;
  detectors: Detector[];
}

const families: Family[] = [
  {
    hint: /AKIA|ASIA|ABIA|ACCA|gh[pousr]_|github_pat_|xox[abprs]-|k_live_|k_test_|eyJ/,
    flags: 'g',
    detectors: [
      { kind: 'aws-key', source: '\\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\\b', mask: keepPrefix('aws-key', 4) },
      {
        kind: 'github-token',
        source: '\\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})',
        mask: (match) => `[masked:github-token ${match.startsWith('github_pat_') ? 'github_pat_' : match.slice(0, 4)}…]`,
      },
      { kind: 'slack-token', source: '\\bxox[abprs]-[A-Za-z0-9-]{10,}', mask: keepPrefix('slack-token', 5) },
      {
        kind: 'stripe-key',
        source: '\\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}',
        mask: (match) => `[masked:stripe-key ${match.slice(0, match.indexOf('_', 3) + 1)}…]`,
      },
      { kind: 'jwt', source: '\\beyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}', mask: keepPrefix('jwt', 3) },
    ],
  },
  {
    hint: /:\/\/|hooks\.slack\.com/,
    flags: 'g',
    detectors: [
      {
        kind: 'slack-webhook',
        source: 'hooks\\.slack\\.com/services/[A-Za-z0-9_/-]+',
        mask: () => 'hooks.slack.com/services/[masked:slack-webhook]',
      },
      {
        // scheme://user:password@host: the user and host stay readable.
        kind: 'url-password',
        source: `\\b[A-Za-z][A-Za-z0-9+.-]*://[^\\s:@/?#]+:${NOT_MASKED}[^\\s@/]+@`,
        mask: (match) => `${match.slice(0, match.indexOf(':', match.indexOf('://') + 3) + 1)}[masked:password]@`,
      },
    ],
  },
  {
    hint: /-----BEGIN/,
    flags: 'g',
    detectors: [
      {
        kind: 'private-key',
        source: '-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----',
        mask: () => '[masked:private-key]',
      },
    ],
  },
  {
    hint: /pass|secret|token|key|bearer|authorization/i,
    flags: 'gi',
    detectors: [
      {
        kind: 'authorization',
        source: `\\bAuthorization["']?\\s*[:=]\\s*(?:(?:Bearer|Basic|Token|Bot)\\s+)?${NOT_MASKED}[A-Za-z0-9._~+/=-]{8,}`,
        mask: (match) => keepKey(match, /^(.*?[:=]\s*(?:(?:Bearer|Basic|Token|Bot)\s+)?)/i, 'authorization'),
      },
      { kind: 'bearer', source: `\\bBearer\\s+${NOT_MASKED}[A-Za-z0-9._~+/-]{16,}=*`, mask: () => 'Bearer [masked:bearer]' },
      {
        // password=…, "api_key": "…", DB_PASSWORD: …; the key stays, the value goes.
        kind: 'assignment',
        source:
          '(?:password|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key)[A-Za-z0-9_.-]{0,24}?' +
          `["']?\\s*[:=]\\s*["']?${NOT_MASKED}[^\\s"'&;,]{3,}`,
        mask: (match) => keepKey(match, /^(.*?[:=]\s*["']?)/, assignmentKind(match)),
      },
    ],
  },
];

const compiled = families.map((family) => ({
  hint: family.hint,
  detectors: family.detectors,
  pattern: new RegExp(family.detectors.map((detector) => `(${detector.source})`).join('|'), family.flags),
}));

function maskDetected(line: string): string {
  let text = line;
  for (const family of compiled) {
    if (!family.hint.test(text)) continue;
    text = text.replace(family.pattern, (match: string, ...groups: unknown[]) => {
      // The first defined group tells which detector matched.
      const detector = family.detectors[groups.findIndex((group) => group !== undefined)];
      return detector === undefined ? match : detector.mask(match);
    });
  }
  return text;
}

const PEM_BEGIN = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/i;
const PEM_END = /-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/i;
/** Base64 body lines, blank lines and the RFC 1421 headers of encrypted keys (Proc-Type, DEK-Info). */
const PEM_BODY = /^\s*(?:[A-Za-z0-9+/=]*|[A-Za-z-]+:.*)\s*$/;

function keepKey(match: string, key: RegExp, kind: string): string {
  const prefix = key.exec(match)?.[1] ?? '';
  return `${prefix}[masked:${kind}]`;
}

function assignmentKind(match: string): string {
  const key = match.toLowerCase();
  if (key.startsWith('pass')) return 'password';
  if (key.startsWith('token')) return 'token';
  if (key.startsWith('secret')) return 'secret';
  return 'key';
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** The reason a `secrets.patterns` entry is not a valid regular expression, if it is not. */
export function patternError(pattern: string): string | undefined {
  try {
    new RegExp(pattern, 'g');
    return undefined;
  } catch (error) {
    return `invalid secrets pattern /${pattern}/: ${(error as Error).message}`;
  }
}

/**
 * Builds the masker for a session. Throws on an invalid pattern: running on with a
 * secret unmasked is worse than refusing to start (validate plans with patternError).
 */
export function createMasker(options: MaskOptions): Masker {
  // Values are matched line by line, so a multi-line secret is masked line by line.
  const values = [...new Set(options.values.flatMap((value) => value.split(/\r?\n/)))]
    .filter((value) => value.length >= MIN_VALUE_LENGTH)
    .sort((a, b) => b.length - a.length);
  const planValues = values.length > 0 ? new RegExp(values.map(escapeRegExp).join('|'), 'g') : undefined;
  const planPatterns = options.patterns.map((pattern) => {
    const error = patternError(pattern);
    if (error !== undefined) throw new Error(error);
    return new RegExp(pattern, 'g');
  });
  let pemLines = -1;

  return (line) => {
    // Inside a private key block every body line is secret, not only the header.
    if (pemLines >= 0) {
      if (PEM_END.test(line) || pemLines >= MAX_PEM_LINES || !PEM_BODY.test(line)) pemLines = -1;
      else {
        pemLines += 1;
        return '[masked:private-key]';
      }
    }
    let text = planValues === undefined ? line : line.replace(planValues, '[masked:secret]');
    if (text.includes('-----BEGIN') && PEM_BEGIN.test(text) && !PEM_END.test(text)) pemLines = 0;
    text = maskDetected(text);
    for (const pattern of planPatterns) {
      text = text.replace(pattern, (match) => (match === '' ? '' : '[masked:pattern]'));
    }
    return text;
  };
}
