// Secrets are masked before output reaches the screen, journal, logs, webhooks or the
// evidence (SPEC §10). A mask names the kind of secret and keeps only a public prefix
// (`AKIA`, `ghp_`) or the name it was assigned to, never enough to reuse. Pure: the only
// state is whether the lines going by are the body of a private key block.

import { LineScreen, URL_KEY } from './screen.js';
import { mapStrings } from './strings.js';

export interface MaskOptions {
  /** Literal secret values (the plan's `secrets.env` values). */
  values: string[];
  /** Extra regular expressions from the plan's `secrets.patterns`. */
  patterns: string[];
}

export type Masker = (line: string) => string;

/** Masking split in its two halves, for callers that see a line in more than one form. */
export interface Masking {
  /** Masks every secret inside one piece of text. Stateless, and idempotent. */
  text(text: string): string;
  /**
   * Advances the private-key tracking by one output line, given as the operator would see
   * it (sequences removed). True when the line is part of a key's body and must be
   * replaced whole by PRIVATE_KEY_MASK.
   */
  privateKeyBody(visibleLine: string): boolean;
  /**
   * Offsets in `block` (lines joined by `\n`) falling in every line that text() or
   * privateKeyBody() might change or that holds a control character: a superset, in order.
   */
  screen(block: string): number[];
  /**
   * screen() of lines still in the ASCII bytes they were read as (ending in `\n`): offsets
   * are byte offsets. `text` gives the same lines as a string, without the last newline.
   */
  screenAscii(bytes: Buffer, text: () => string): number[];
  /** True between a private key's BEGIN and END lines: every line must go through privateKeyBody. */
  readonly inKeyBlock: boolean;
}

export const PRIVATE_KEY_MASK = '[masked:private-key]';
/** Every mask starts with this; detectors leave text that already holds one alone. */
const MASK_START = '[masked:';
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
/** Keeps the public prefix that `prefix` matches (`glpat-`, `sk_live_`). */
const keepMatched = (kind: string, prefix: RegExp) => (match: string) => `[masked:${kind} ${prefix.exec(match)?.[0] ?? ''}…]`;
const NOT_MASKED = '(?!\\[masked:)';

/**
 * Keeps what names the secret (`DB_PASSWORD=`, `"api_key": "`, `Authorization: Bearer `)
 * and masks the rest. A value that is already a mask stays as it is: masking twice must
 * give the same text, because the output filter masks before and after sanitising.
 */
function keepName(match: string, name: RegExp, kind: string): string {
  const kept = name.exec(match)?.[0] ?? '';
  const value = match.slice(kept.length);
  if (value.startsWith(MASK_START)) return match;
  const quote = kept.at(-1);
  const closing = (quote === '"' || quote === "'") && value.endsWith(quote) ? quote : '';
  return `${kept}[masked:${kind}]${closing}`;
}

/** Everything up to the separator, with an opening quote: `"password": "`, `token=`. */
const ASSIGNED_NAME = /^[^:=]*?["']?\s*[:=]\s*["']?/;
/** HTTP authentication schemes: the name stays readable, what follows it is the credential. */
const AUTH_SCHEME = '(?:Bearer|Basic|Digest|Negotiate|NTLM|Token|Bot|ApiKey|Key|OAuth|DPoP|SSWS|Splunk|HOBA|Mutual|vapid|AWS4-HMAC-SHA256|SCRAM-SHA-(?:1|256))';
const AUTHORIZATION_NAME = new RegExp(`^[^:=]*[:=]\\s*["']?(?:${AUTH_SCHEME}\\s+(?=\\S))?`, 'i');
/** A flag and the space after it: `--password `. */
const FLAG_NAME = /^\S+\s+/;

function assignmentKind(match: string): string {
  const key = match.toLowerCase();
  if (key.startsWith('pass') || key.startsWith('pwd')) return 'password';
  if (key.startsWith('token')) return 'token';
  if (key.startsWith('secret')) return 'secret';
  if (key.startsWith('credential')) return 'credential';
  if (key.startsWith('auth')) return 'auth';
  return 'key';
}

/** Not a value but the next name (`token: password: "…"`): that name's value is the secret. */
const NOT_A_NAME = `(?![^\\s"'&;,]*:\\s+\\S)`;
/**
 * A value after `=` or `:`: quoted (to the closing quote, spaces and all) or one bare word.
 * A quoted name (`token= "password": "…"`) is not a value either.
 */
const VALUE = `(?:"(?:[^"\\\\\\r\\n]|\\\\.)+"(?!\\s*:\\s*["'])|'[^'\\r\\n]+'(?!\\s*:\\s*["'])|${NOT_MASKED}${NOT_A_NAME}[^\\s"'&;,]{3,})`;
const ASSIGNED = `["']?\\s*[:=]\\s*${VALUE}`;
/** Names whose value is a secret; a suffix such as `_HASH` or `_b64` may follow. */
const SECRET_NAME =
  'pass(?:word|wd|phrase)|secret|token|credentials?|' +
  '(?:api|access|account|shared[_-]?access|private|client|master|signing|encryption)[_-]?key';

/**
 * Detectors come in families behind a cheap hint: most output lines hold no secret, and a
 * few short literal searches cost far less per line than one regex of every detector.
 * Every match of a family holds one of its `keys`: they are its hint, and what the
 * screen (./screen.ts) looks for in a block of lines. Families run in order; a later one
 * never touches a mask an earlier one wrote.
 */
interface Family {
  keys: string[];
  flags: string;
  detectors: Detector[];
}

/** The hint for a key: a URL's `://` only when a user and password follow it. */
const hintSource = (key: string): string => (key === URL_KEY ? ':\\/\\/[^\\s/@]*@' : escapeRegExp(key));

const families: Family[] = [
  {
    // Private key blocks first: the whole block when it sits on one line (JSON `\n` escapes),
    // else the header and the rest of its line; the lines after it are tracked below.
    keys: ['-----BEGIN'],
    flags: 'g',
    detectors: [
      {
        kind: 'private-key',
        source:
          '-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:(?!-----END)[^"\'])*' +
          '(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----)?',
        mask: () => PRIVATE_KEY_MASK,
      },
    ],
  },
  {
    // Tokens whose format says what they are: the provider's prefix, then random characters.
    keys: [
      ...['AKIA', 'ASIA', 'ABIA', 'ACCA', 'AIza', 'ya29.'],
      ...['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'],
      ...['glpat-', 'gldt-', 'glrt-', 'glptt-', 'glsoat-', 'glcbt-', 'glimt-', 'glft-', 'glagent-', 'ATBB', 'ATATT'],
      ...['xoxa-', 'xoxb-', 'xoxe-', 'xoxo-', 'xoxp-', 'xoxr-', 'xoxs-', 'xapp-', ':AA'],
      ...['_live_', '_test_', 'whsec_', 'sq0'],
      ...['npm_', 'dckr_pat_', 'pypi-', 'sk-', 'SG.', 'eyJ'],
    ],
    flags: 'g',
    detectors: [
      // Cloud: AWS access key ids, Google API keys and OAuth access tokens.
      { kind: 'aws-key', source: '\\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\\b', mask: keepPrefix('aws-key', 4) },
      { kind: 'gcp-api-key', source: '\\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])', mask: keepPrefix('gcp-api-key', 4) },
      { kind: 'gcp-token', source: '\\bya29\\.[0-9A-Za-z_-]{20,}', mask: keepPrefix('gcp-token', 5) },
      // Version control: GitHub, GitLab, Atlassian (Bitbucket app passwords, API tokens).
      {
        kind: 'github-token',
        source: '\\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})',
        mask: keepMatched('github-token', /^(?:github_pat_|gh[pousr]_)/),
      },
      {
        kind: 'gitlab-token',
        source: '\\bgl(?:pat|dt|rt|ptt|soat|cbt|imt|ft|agent)-[0-9A-Za-z_-]{20,}',
        mask: keepMatched('gitlab-token', /^gl[a-z]+-/),
      },
      { kind: 'atlassian-token', source: '\\bAT(?:BB|ATT)[A-Za-z0-9_=.-]{24,}', mask: keepMatched('atlassian-token', /^AT(?:BB|ATT)/) },
      // Chat: Slack bot, user and app tokens; Telegram bot tokens.
      { kind: 'slack-token', source: '\\bxox[abeoprs]-[A-Za-z0-9-]{10,}', mask: keepPrefix('slack-token', 5) },
      { kind: 'slack-token', source: '\\bxapp-[0-9]-[A-Za-z0-9-]{10,}', mask: keepPrefix('slack-token', 5) },
      { kind: 'telegram-token', source: '\\b[0-9]{8,10}:AA[A-Za-z0-9_-]{33}(?![A-Za-z0-9_-])', mask: () => '[masked:telegram-token]' },
      // Payments: Stripe secret, restricted and webhook-signing keys; Square tokens.
      {
        kind: 'stripe-key',
        source: '\\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}|\\bwhsec_[A-Za-z0-9]{20,}',
        mask: keepMatched('stripe-key', /^(?:whsec_|[a-z]{2}_[a-z]{4}_)/),
      },
      { kind: 'square-token', source: '\\bsq0(?:atp|csp)-[0-9A-Za-z_-]{22,}', mask: keepPrefix('square-token', 7) },
      // Package registries a deploy publishes to or pulls from.
      { kind: 'npm-token', source: '\\bnpm_[A-Za-z0-9]{36}(?![A-Za-z0-9])', mask: keepPrefix('npm-token', 4) },
      { kind: 'docker-token', source: '\\bdckr_pat_[A-Za-z0-9_-]{20,}', mask: keepPrefix('docker-token', 9) },
      { kind: 'pypi-token', source: '\\bpypi-AgE[A-Za-z0-9_-]{50,}', mask: keepPrefix('pypi-token', 5) },
      // API keys of hosted services a pipeline calls.
      {
        kind: 'api-key',
        source: '\\bsk-(?:proj|svcacct|admin|ant-[a-z]+[0-9]{2})-[A-Za-z0-9_-]{20,}|\\bsk-[A-Za-z0-9]{48}(?![A-Za-z0-9])',
        mask: keepMatched('api-key', /^sk-(?:proj-|svcacct-|admin-|ant-[a-z]+[0-9]{2}-)?/),
      },
      { kind: 'sendgrid-key', source: '\\bSG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}', mask: keepPrefix('sendgrid-key', 3) },
      // JSON Web Tokens: three base64url parts, the first one a JSON object.
      { kind: 'jwt', source: '\\beyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}', mask: keepPrefix('jwt', 3) },
    ],
  },
  {
    // Credentials inside URLs and connection strings: the user, host and path stay readable.
    keys: [URL_KEY, '@tcp(', '@unix(', 'hooks.slack.com', '/api/webhooks/'],
    flags: 'g',
    detectors: [
      {
        kind: 'slack-webhook',
        source: 'hooks\\.slack\\.com/services/[A-Za-z0-9_/-]+',
        mask: () => 'hooks.slack.com/services/[masked:slack-webhook]',
      },
      {
        kind: 'discord-webhook',
        source: '\\bdiscord(?:app)?\\.com/api/webhooks/[0-9]+/[A-Za-z0-9_-]+',
        mask: (match) => `${match.slice(0, match.lastIndexOf('/') + 1)}[masked:discord-webhook]`,
      },
      {
        // scheme://user:password@host, also redis://:password@host (no user).
        kind: 'url-password',
        source: `\\b[A-Za-z][A-Za-z0-9+.-]{0,31}://[^\\s:@/?#]{0,256}:${NOT_MASKED}[^\\s@/]{1,512}@`,
        mask: (match) => `${match.slice(0, match.indexOf(':', match.indexOf('://') + 3) + 1)}[masked:password]@`,
      },
      {
        // Go's MySQL DSN has no scheme: user:password@tcp(host:3306)/db.
        kind: 'dsn-password',
        source: `(?<!\\[)\\b[A-Za-z0-9_.-]{1,64}:${NOT_MASKED}[^\\s@/:]{1,512}@(?:tcp|unix)\\(`,
        mask: (match) => `${match.slice(0, match.indexOf(':') + 1)}[masked:password]${match.slice(match.lastIndexOf('@'))}`,
      },
    ],
  },
  {
    // Secrets given a name: assignments, headers, flags, signed-URL parameters.
    keys: ['pass', 'pwd', 'secret', 'token', 'key', 'bearer', 'auth', 'credential', 'sig'],
    flags: 'gi',
    detectors: [
      {
        kind: 'braintree-token',
        source: '\\baccess_token\\$(?:production|sandbox)\\$[0-9a-z]{16}\\$[0-9a-f]{32}',
        mask: (match) => `[masked:braintree-token ${match.slice(0, match.indexOf('$', 13) + 1)}…]`,
      },
      {
        // The scheme (Bearer, Basic, token, AWS4-HMAC-SHA256 …) stays; the rest of the value goes.
        kind: 'authorization',
        source: `\\b(?:Proxy-)?Authorization["']?\\s*[:=]\\s*["']?(?:${AUTH_SCHEME}\\s+)?[^\\s"',;][^"'\\r\\n]*`,
        mask: (match) => keepName(match, AUTHORIZATION_NAME, 'authorization'),
      },
      {
        kind: 'bearer',
        source: `\\bBearer\\s+${NOT_MASKED}[A-Za-z0-9._~+/-]{16,}=*`,
        mask: (match) => `${match.slice(0, 6)} [masked:bearer]`,
      },
      {
        // --password hunter2 (the `--password=…` form is an assignment).
        kind: 'flag',
        source: `--[A-Za-z0-9-]*(?:password|passwd|token|secret|api-key|access-key)\\s+(?!-)${NOT_MASKED}${NOT_A_NAME}[^\\s"']{3,}`,
        mask: (match) => keepName(match, FLAG_NAME, assignmentKind(match.replace(/^--(?:[a-z0-9]+-)*/i, ''))),
      },
      {
        // password=…, "api_key": "…", DB_PASSWORD: …, Password=…; (connection strings).
        kind: 'assignment',
        source: `(?:${SECRET_NAME})[A-Za-z0-9_.-]{0,24}?${ASSIGNED}`,
        mask: (match) => keepName(match, ASSIGNED_NAME, assignmentKind(match)),
      },
      {
        // Pwd=… in ODBC strings and MYSQL_PWD; not the shell's PWD=/current/dir.
        kind: 'assignment',
        source: `(?<![A-Za-z])pwd["']?\\s*[:=]\\s*(?!/)${VALUE}`,
        mask: (match) => keepName(match, ASSIGNED_NAME, 'password'),
      },
      {
        // "auth": "dXNlcjpwYXNz" in a registry's config.json, auth=… in a query; not a logger
        // named auth (`auth: session renewed`), author: or oauth2.
        kind: 'assignment',
        source: `(?:["']auth["']\\s*:|\\bauth\\s*=)\\s*${VALUE}`,
        mask: (match) => keepName(match, ASSIGNED_NAME, 'auth'),
      },
      {
        // Signed URLs: anyone holding the signature has the access until it expires.
        kind: 'url-signature',
        source: `[?&](?:sig|signature|x-amz-signature|x-goog-signature)=${NOT_MASKED}[^\\s&#"']{8,}`,
        mask: (match) => `${match.slice(0, match.indexOf('=') + 1)}[masked:signature]`,
      },
    ],
  },
];

const compiled = families.map((family) => ({
  hint: new RegExp(family.keys.map(hintSource).join('|'), family.flags.replace('g', '')),
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
      return detector === undefined || match.startsWith(MASK_START) ? match : detector.mask(match);
    });
  }
  return text;
}

const PEM_BEGIN = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/i;
const PEM_END = /-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/i;
/**
 * A line of a key's body: base64, or an RFC 1421 / OpenPGP armour header (Proc-Type,
 * DEK-Info, Version, Comment). Behind a log prefix (a timestamp, a pod name) only a long
 * mixed-case base64 run counts, so a commit hash or a digest at the end of a line does not.
 */
const PEM_BODY = /^\s*[A-Za-z0-9+/=]+\s*$|^\s*[A-Za-z][A-Za-z-]*: /;
const PEM_BODY_PREFIXED = /(?:^|\s)(?=\S*[A-Z])(?=\S*[a-z])[A-Za-z0-9+/]{40,}={0,2}\s*$/;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** The forms a value commonly takes in output besides itself: URL-encoded, JSON-escaped. */
function valueForms(value: string): string[] {
  const forms = [value, JSON.stringify(value).slice(1, -1)];
  try {
    forms.push(encodeURIComponent(value));
  } catch {
    // A lone surrogate cannot be URL-encoded, and so cannot appear URL-encoded either.
  }
  return forms;
}

/**
 * The reason a `secrets.patterns` entry cannot be used, if it cannot: it is not a valid regular
 * expression, or it nests quantifiers, which can backtrack for minutes on one line of output
 * (`(a+)+$` against `aaaa…a!`) while every output path waits on the masker.
 */
export function patternError(pattern: string): string | undefined {
  try {
    new RegExp(pattern, 'g');
  } catch (error) {
    return `invalid secrets pattern /${pattern}/: ${(error as Error).message}`;
  }
  const nested = nestedQuantifier(pattern);
  if (nested === undefined) return undefined;
  return (
    `secrets pattern /${pattern}/ may take exponential time on some output: ${nested} repeats a group that holds ` +
    'a quantifier or an alternation of its own; rewrite it with one level of repetition, ' +
    'e.g. (a+)+ as a+, (\\w+\\s?)* as [\\w\\s]*, (a|aa)+ as a+'
  );
}

/**
 * The first group repeated by a quantifier (`*`, `+`, `{n,}`, `{n,m}` with m > 1) that holds a
 * quantifier of varying count or an `|` inside it, as written: `(a+)+`. Conservative by design:
 * a small scan over groups, escapes and classes, not an analysis of what the branches can match.
 */
function nestedQuantifier(pattern: string): string | undefined {
  const quantifierAt = /(?:[*+?]|\{(\d+)(?:(,)(\d*))?\})\??/y;
  const groupHeaderAt = /\?(?:<(?![=!])[^>]*>|<[=!]|[:=!]|[a-z-]*:)/y;
  // `+` repeats and varies; `{3}` repeats but matches one way only; `?` varies but never repeats.
  const countOf = (quantifier: RegExpExecArray): { repeats: boolean; varies: boolean } => {
    const symbol = quantifier[0][0];
    if (symbol === '*' || symbol === '+') return { repeats: true, varies: true };
    if (symbol === '?') return { repeats: false, varies: true };
    const min = Number(quantifier[1]);
    const max = quantifier[2] === undefined ? min : quantifier[3] === '' ? Infinity : Number(quantifier[3]);
    return { repeats: max > 1, varies: max !== min };
  };
  // One frame per open group: where it starts, and whether its text can split in more than one way.
  const groups: { start: number; ambiguous: boolean }[] = [{ start: 0, ambiguous: false }];
  let i = 0;
  while (i < pattern.length) {
    const char = pattern[i];
    let closed: { start: number; ambiguous: boolean } | undefined;
    if (char === '\\') i += 2;
    else if (char === '[') {
      // A class is one atom; in a JavaScript regex it ends at the first unescaped `]`.
      i++;
      while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
      i++;
    } else if (char === '(') {
      groups.push({ start: i, ambiguous: false });
      i++;
      // The `?` of `(?:`, `(?=`, `(?<name>` opens a group; it quantifies nothing.
      groupHeaderAt.lastIndex = i;
      if (pattern[i] === '?') i += groupHeaderAt.exec(pattern)?.[0].length ?? 1;
      continue;
    } else if (char === ')') {
      if (groups.length > 1) closed = groups.pop();
      i++;
    } else if (char === '|') {
      groups[groups.length - 1]!.ambiguous = true;
      i++;
      continue;
    } else i++;
    quantifierAt.lastIndex = i;
    const quantifier = quantifierAt.exec(pattern);
    const count = quantifier ? countOf(quantifier) : undefined;
    if (closed?.ambiguous && count?.repeats) return pattern.slice(closed.start, i) + quantifier![0];
    if (closed?.ambiguous || count?.varies) groups[groups.length - 1]!.ambiguous = true;
    if (quantifier) i += quantifier[0].length;
  }
  return undefined;
}

/**
 * Builds the masking of a session. Throws on an invalid pattern: running on with a
 * secret unmasked is worse than refusing to start (validate plans with patternError).
 */
export function createMasking(options: MaskOptions): Masking {
  // Values are matched line by line, so a multi-line secret is masked line by line.
  const values = [...new Set(options.values.flatMap((value) => value.split(/\r?\n/)).flatMap(valueForms))]
    .filter((value) => value.length >= MIN_VALUE_LENGTH)
    .sort((a, b) => b.length - a.length);
  const planValues = values.length > 0 ? new RegExp(values.map(escapeRegExp).join('|'), 'g') : undefined;
  const planPatterns = options.patterns.map((pattern) => {
    const error = patternError(pattern);
    if (error !== undefined) throw new Error(error);
    return new RegExp(pattern, 'g');
  });
  /** Lines seen since a private key's BEGIN line, or -1 outside a key. */
  let pemLines = -1;
  // Built with the first output, not with the session: its table costs a few milliseconds before the console's first frame.
  let lineScreen: LineScreen | undefined;
  // A pattern that starts with a literal is screened by it, like a detector by its keys; any other is run over each block.
  // (`://` alone stands for URLs with credentials in the screen, so it is no key for a pattern.)
  const patternKeys: string[] = [];
  const patternScreens: Array<(block: string) => number[]> = [];
  for (const pattern of options.patterns) {
    const key = literalStart(pattern);
    if (key !== undefined && key !== URL_KEY) patternKeys.push(key);
    else patternScreens.push(patternScreen(pattern));
  }
  const newLineScreen = () => new LineScreen([...families.flatMap((family) => family.keys), ...values, ...patternKeys]);
  const withPatternHits = (offsets: number[], block: string): number[] => {
    if (patternScreens.length === 0) return offsets;
    for (const screen of patternScreens) offsets.push(...screen(block));
    return offsets.sort((a, b) => a - b);
  };

  return {
    screen(block) {
      const offsets = (lineScreen ??= newLineScreen()).hits(block);
      return withPatternHits(offsets, block);
    },
    screenAscii(bytes, text) {
      const offsets = (lineScreen ??= newLineScreen()).asciiHits(bytes);
      // Patterns read the lines as screen() does: joined, without the last line's newline.
      return patternScreens.length === 0 ? offsets : withPatternHits(offsets, text());
    },
    get inKeyBlock() {
      return pemLines >= 0;
    },
    text(line) {
      let text = planValues === undefined ? line : line.replace(planValues, '[masked:secret]');
      // The plan's own patterns before the built-in ones: its masks win where both would match.
      for (const pattern of planPatterns) {
        text = text.replace(pattern, (match) => (match === '' || match.startsWith(MASK_START) ? match : '[masked:pattern]'));
      }
      return maskDetected(text);
    },
    privateKeyBody(line) {
      if (pemLines >= 0) {
        // Other lines (the other stream, a parallel step) may come between a key's lines:
        // they pass, and the block goes on until its END line.
        if (PEM_END.test(line) || pemLines >= MAX_PEM_LINES) pemLines = -1;
        else {
          pemLines += 1;
          return line.trim() !== '' && (PEM_BODY.test(line) || PEM_BODY_PREFIXED.test(line));
        }
      }
      if (line.includes('-----BEGIN')) {
        const begin = PEM_BEGIN.exec(line);
        if (begin !== null && !PEM_END.test(line.slice(begin.index))) pemLines = 0;
      }
      return false;
    },
  };
}

/** Characters that mean more than themselves in a pattern. */
const SYNTAX = new Set('\\^$.|?*+()[]{}');
const QUANTIFIER = new Set('?*{');

/**
 * The text every match of a plan pattern starts with, when there is one of at least 3
 * characters: `ckt_` of `ckt_[A-Za-z0-9]{16,}`. Read cautiously: a pattern with an
 * alternative anywhere has none, and a character `?`, `*` or `{…}` follows is not counted.
 */
export function literalStart(pattern: string): string | undefined {
  if (pattern.includes('|')) return undefined;
  let at = 0;
  // Anchors match no character.
  for (;;) {
    if (pattern.startsWith('^', at)) at += 1;
    else if (pattern.startsWith('\\b', at)) at += 2;
    else break;
  }
  let literal = '';
  while (at < pattern.length) {
    const char = pattern[at]!;
    if (char === '\\') {
      const escaped = pattern[at + 1];
      // `\.` is a dot; `\d`, `\s`, `\1`, `\u…` are classes, references and codes.
      if (escaped === undefined || /[A-Za-z0-9]/.test(escaped)) break;
      literal += escaped;
      at += 2;
    } else if (SYNTAX.has(char)) break;
    else {
      literal += char;
      at += 1;
    }
    // `c+` still needs its `c`; `c?`, `c*` and `c{0,…}` may do without it.
    if (pattern[at] === '+') break;
    if (QUANTIFIER.has(pattern[at] ?? '')) {
      literal = literal.slice(0, -1);
      break;
    }
  }
  return literal.length >= 3 ? literal : undefined;
}

/**
 * Where a plan pattern may match in a block: every line a match touches. Read with `m`, so
 * `^` and `$` still mean a line's ends. A negative lookaround can fail across a line's end
 * where it holds within the line alone, so such a pattern is tried on each line by itself.
 */
function patternScreen(pattern: string): (block: string) => number[] {
  if (/\(\?<?!/.test(pattern)) {
    const regex = new RegExp(pattern);
    return (block) => {
      const offsets: number[] = [];
      for (let start = 0; start <= block.length; ) {
        const end = block.indexOf('\n', start);
        const stop = end === -1 ? block.length : end;
        if (regex.test(block.slice(start, stop))) offsets.push(start);
        start = stop + 1;
      }
      return offsets;
    };
  }
  const regex = new RegExp(pattern, 'gm');
  return (block) => {
    const offsets: number[] = [];
    regex.lastIndex = 0;
    for (let match = regex.exec(block); match !== null; match = regex.exec(block)) {
      const end = match.index + match[0].length;
      if (match[0] === '') {
        regex.lastIndex += 1;
        continue;
      }
      offsets.push(match.index);
      for (let newline = block.indexOf('\n', match.index); newline !== -1 && newline < end; newline = block.indexOf('\n', newline + 1)) offsets.push(newline + 1);
    }
    return offsets;
  };
}

/**
 * An argv as it may be recorded or shown: each argument masked by `text`, and an
 * argument that only reads as a secret beside the one before it (`--password` `hunter2`,
 * two arguments) masked as the pair reads.
 */
export function maskArgs(args: readonly string[], text: (text: string) => string): string[] {
  const masked = args.map(text);
  for (let i = 0; i + 1 < args.length; i += 1) {
    const pair = text(`${masked[i]!} ${masked[i + 1]!}`);
    const head = `${masked[i]!} `;
    if (pair.startsWith(head)) masked[i + 1] = pair.slice(head.length);
  }
  return masked;
}

/** Every string of a JSON value (a journal event, a JSON artifact) through `text`, each argv as maskArgs reads it. */
export const maskValue = <T>(value: T, text: (text: string) => string): T => mapStrings(value, text, (items) => maskArgs(items, text));

/** Masks line after line of one output stream, private key blocks included. */
export function createMasker(options: MaskOptions): Masker {
  const masking = createMasking(options);
  return (line) => (masking.privateKeyBody(line) ? PRIVATE_KEY_MASK : masking.text(line));
}
