import fc from 'fast-check';

/** Fragments terminals react to, mixed into arbitrary text by the property tests. */
const controlFragments = fc.constantFrom(
  '\x1b[31m',
  '\x1b[0m',
  '\x1b[2J',
  '\x1b[10;5H',
  '\x1b[?1049h',
  '\x1b]0;pwned\x07',
  '\x1b]8;;https://evil.example\x1b\\',
  '\x1b]52;c;aGVsbG8=\x07',
  '\x1bP+q544e\x1b\\',
  '\x1b_apc\x1b\\',
  '\x1b^pm\x1b\\',
  '\x1bXsos\x1b\\',
  '\x1b(B',
  '\x1bc',
  '\x1b',
  '\x9b31m',
  '\x9d0;title\x9c',
  '\x90dcs\x9c',
  '\x85',
  '\r',
  '\b',
  '\t',
  '\x00',
  '\x07',
  '\x7f',
);

/** Any text, with terminal control sequences and stray control characters mixed in. */
export const terminalText = fc
  .array(fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), controlFragments), { maxLength: 12 })
  .map((parts) => parts.join(''));

/** A secret as a plan would hold it: long enough to be masked, not a word of the mask itself. */
export const secretValue = fc.stringMatching(/^[A-Za-z0-9]{8,24}$/);

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const ALNUM = UPPER + LOWER + DIGITS;
const URL_SAFE = `${ALNUM}_-`;
const BASE64 = `${ALNUM}+/`;
/** Characters people put in passwords that URLs and assignments carry unescaped. */
const PASSWORD = `${ALNUM}!$%*_.~+-`;

/** `min`..`max` characters of `alphabet`. */
const run = (alphabet: string, min: number, max = min) => fc.string({ unit: fc.constantFrom(...alphabet), minLength: min, maxLength: max });
/** A random part that starts with a letter or digit (a value starting with `/` or `-` reads as a path or a flag). */
const word = (alphabet: string, min: number, max = min) => fc.tuple(run(ALNUM, 1), run(alphabet, min - 1, max - 1)).map(([first, rest]) => first + rest);

/** A secret of one supported kind as it appears in output, and the part of it that must never survive. */
export interface PlantedSecret {
  kind: string;
  text: string;
  secret: string;
}

const planted = (kind: string, parts: fc.Arbitrary<[string, string]>): fc.Arbitrary<PlantedSecret> =>
  parts.map(([text, secret]) => ({ kind, text, secret }));

const prefixed = (kind: string, prefixes: string[], alphabet: string, min: number, max = min) =>
  planted(kind, fc.tuple(fc.constantFrom(...prefixes), run(alphabet, min, max)).map(([prefix, body]) => [prefix + body, body]));

const secretName = fc.constantFrom(
  'password', 'DB_PASSWORD', 'PGPASSWORD', 'passwd', 'passphrase', 'secret', 'client_secret', 'AWS_SECRET_ACCESS_KEY',
  'token', 'access_token', 'X-Auth-Token', 'api_key', 'apiKey', 'X-Api-Key', 'private_key', 'AccountKey', 'credentials', 'Pwd', 'MYSQL_PWD',
);
/** Users and hosts are fixed words, so a generated password can never be part of them. */
const user = fc.constantFrom('', 'app', 'deploy', 'svc-checkout', 'orders_app', 'x-access-token');
const host = fc.constantFrom('db.internal', 'cache.internal:6379', 'git.internal', '10.0.0.5:5432', 'cluster0.corp.invalid');

/** One generator per kind of secret the built-in detectors know, in the forms output shows them. */
export const plantedSecrets: Record<string, fc.Arbitrary<PlantedSecret>> = {
  'aws-key': prefixed('aws-key', ['AKIA', 'ASIA', 'ABIA', 'ACCA'], UPPER + DIGITS, 16),
  'gcp-api-key': prefixed('gcp-api-key', ['AIza'], URL_SAFE, 35),
  'gcp-token': prefixed('gcp-token', ['ya29.'], URL_SAFE, 20, 80),
  'github-token': fc.oneof(
    prefixed('github-token', ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'], ALNUM, 36),
    prefixed('github-token', ['github_pat_'], `${ALNUM}_`, 82),
  ),
  'gitlab-token': prefixed('gitlab-token', ['glpat-', 'gldt-', 'glrt-'], URL_SAFE, 20, 26),
  'atlassian-token': prefixed('atlassian-token', ['ATBB', 'ATATT'], ALNUM, 32, 60),
  'slack-token': planted(
    'slack-token',
    fc.tuple(fc.constantFrom('xoxb', 'xoxp', 'xoxa', 'xoxs', 'xoxe'), run(DIGITS, 10, 13), run(ALNUM, 24)).map(([prefix, id, body]) => [`${prefix}-${id}-${id}-${body}`, body]),
  ),
  'slack-webhook': planted(
    'slack-webhook',
    fc.tuple(run(UPPER + DIGITS, 8, 10), run(ALNUM, 24)).map(([id, body]) => [`https://hooks.slack.com/services/T${id}/B${id}/${body}`, body]),
  ),
  'discord-webhook': planted(
    'discord-webhook',
    fc.tuple(run(DIGITS, 17, 19), run(URL_SAFE, 60, 68)).map(([id, body]) => [`https://discord.com/api/webhooks/${id}/${body}`, body]),
  ),
  'telegram-token': planted(
    'telegram-token',
    fc.tuple(run(DIGITS, 8, 10), run(URL_SAFE, 33)).map(([id, body]) => [`${id}:AA${body}`, body]),
  ),
  'stripe-key': fc.oneof(
    prefixed('stripe-key', ['sk_live_', 'sk_test_', 'rk_live_', 'rk_test_'], ALNUM, 24, 99),
    prefixed('stripe-key', ['whsec_'], ALNUM, 32),
  ),
  'square-token': prefixed('square-token', ['sq0atp-', 'sq0csp-'], URL_SAFE, 22, 43),
  'npm-token': prefixed('npm-token', ['npm_'], ALNUM, 36),
  'docker-token': prefixed('docker-token', ['dckr_pat_'], URL_SAFE, 27),
  'pypi-token': prefixed('pypi-token', ['pypi-AgEIcHlwaS5vcmc'], URL_SAFE, 60, 120),
  'api-key': fc.oneof(
    prefixed('api-key', ['sk-proj-', 'sk-svcacct-', 'sk-ant-api03-'], URL_SAFE, 40, 90),
    prefixed('api-key', ['sk-'], ALNUM, 48),
  ),
  'sendgrid-key': planted(
    'sendgrid-key',
    fc.tuple(run(URL_SAFE, 22), run(URL_SAFE, 43)).map(([id, body]) => [`SG.${id}.${body}`, body]),
  ),
  jwt: planted(
    'jwt',
    fc.tuple(run(URL_SAFE, 10, 40), run(URL_SAFE, 10, 80), run(URL_SAFE, 20, 86)).map(([header, payload, signature]) => [
      `eyJ${header}.eyJ${payload}.${signature}`,
      signature,
    ]),
  ),
  'private-key': planted(
    'private-key',
    fc.tuple(fc.constantFrom('', 'RSA ', 'EC ', 'OPENSSH ', 'ENCRYPTED '), run(BASE64, 16, 64)).map(([type, body]) => [
      `"private_key": "-----BEGIN ${type}PRIVATE KEY-----\\n${body}\\n-----END ${type}PRIVATE KEY-----\\n"`,
      body,
    ]),
  ),
  'url-password': planted(
    'url-password',
    fc
      .tuple(fc.constantFrom('https', 'postgres', 'postgresql', 'mysql', 'mongodb+srv', 'redis', 'amqps'), user, word(PASSWORD, 8, 24), host)
      .map(([scheme, user, password, at]) => [`${scheme}://${user}:${password}@${at}/app`, password]),
  ),
  'dsn-password': planted(
    'dsn-password',
    fc.tuple(user.filter((name) => name !== ''), word(PASSWORD, 8, 24)).map(([name, password]) => [`${name}:${password}@tcp(mysql.internal:3306)/orders`, password]),
  ),
  assignment: planted(
    'assignment',
    fc
      .tuple(secretName, fc.constantFrom('=', ': ', ' = ', '":"', '": "', "': '"), word(`${PASSWORD}/=`, 8, 32))
      .map(([name, separator, value]) => {
        const quote = separator.startsWith('"') ? '"' : separator.startsWith("'") ? "'" : '';
        return [`${quote}${name}${separator}${value}${quote}`, value];
      }),
  ),
  'quoted-assignment': planted(
    'assignment',
    fc.tuple(secretName, fc.array(word(PASSWORD, 3, 10), { minLength: 2, maxLength: 4 })).map(([name, words]) => [`${name}: "${words.join(' ')}"`, words.join(' ')]),
  ),
  authorization: planted(
    'authorization',
    fc
      .tuple(fc.constantFrom('Authorization: ', 'authorization: ', 'Proxy-Authorization: ', '"Authorization": "'), fc.constantFrom('', 'Bearer ', 'Basic ', 'token ', 'Bot ', 'Negotiate '), word(`${URL_SAFE}.~+/=`, 8, 60))
      .map(([header, scheme, value]) => [`${header}${scheme}${value}`, value]),
  ),
  bearer: planted('bearer', word(`${URL_SAFE}.~+/`, 16, 60).map((value) => [`Bearer ${value}`, value])),
  flag: planted(
    'flag',
    fc.tuple(fc.constantFrom('--password', '--db-password', '--token', '--api-key', '--client-secret'), word(PASSWORD, 8, 24)).map(([flag, value]) => [`${flag} ${value}`, value]),
  ),
  'registry-auth': planted('assignment', word(BASE64, 12, 60).map((value) => [`{"auth":"${value}="}`, value])),
  'url-signature': planted(
    'url-signature',
    fc.tuple(fc.constantFrom('sig', 'X-Amz-Signature', 'X-Goog-Signature'), word(`${URL_SAFE}%`, 16, 64)).map(([name, value]) => [`https://store.internal/b/o?v=1&${name}=${value}`, value]),
  ),
};

/** Any supported secret. */
export const plantedSecret = fc.oneof(...Object.values(plantedSecrets));

/** Ordinary words around a secret: log-like, lower case, separated by spaces. */
export const surroundingWords = fc.array(fc.stringMatching(/^[a-z0-9:=/.,()-]{0,12}$/), { maxLength: 6 }).map((words) => words.join(' '));

/** A PEM private key block, one line per element, and its body lines (the secret). */
export const privateKeyBlock = fc
  .tuple(fc.constantFrom('RSA ', 'EC ', 'OPENSSH ', ''), fc.array(run(BASE64, 64), { minLength: 1, maxLength: 6 }), run(BASE64, 4, 63))
  .map(([type, full, last]) => {
    const body = [...full, `${last}==`];
    return { lines: [`-----BEGIN ${type}PRIVATE KEY-----`, ...body, `-----END ${type}PRIVATE KEY-----`], body };
  });

/**
 * Output as a deploy step prints it: lines of plain text, secrets, escape sequences and
 * key blocks, with `\n` or `\r\n` endings, and multi-byte characters.
 */
export const hostileOutput = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.tuple(surroundingWords, plantedSecret, surroundingWords).map(([before, secret, after]) => `${before} ${secret.text} ${after}`) },
      { weight: 2, arbitrary: terminalText },
      { weight: 1, arbitrary: privateKeyBlock.map((block) => block.lines.join('\n')) },
      { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
    ),
    { maxLength: 12 },
  )
  .chain((lines) => fc.array(fc.constantFrom('\n', '\r\n'), { minLength: lines.length, maxLength: lines.length }).map((endings) => lines.map((line, i) => line + endings[i]).join('')));

/** Plan patterns that read across a line's end in a block: anchors, lookarounds, `\s`. */
export const SCREEN_PATTERNS = ['corp-[0-9]{6}', '^ckt_[a-z]{4,}$', 'stage\\s+key[0-9]+', '(?<![a-z])tok[0-9]{3}', 'end[0-9]+(?!\\s)', 'zz[^q]*yy'];

const patternLine = fc.oneof(
  fc.stringMatching(/^(?:corp-[0-9]{6}|ckt_[a-z]{4,8}|stage|key[0-9]{1,3}|tok[0-9]{3}|end[0-9]{1,3}|zz|yy|q| )*$/),
  fc.constantFrom('ckt_abcdef', 'stage', 'key12 rest', 'atok123', 'tok123', 'end42', 'end42 ', 'zz start', 'middle', 'yy end'),
);

/** Lines of output of every kind: secrets, plan-pattern bait, escapes, key blocks, hostile bytes. */
export const outputLines = fc.array(
  fc.oneof(
    { weight: 3, arbitrary: fc.tuple(surroundingWords, plantedSecret, surroundingWords).map(([before, secret, after]) => `${before} ${secret.text} ${after}`) },
    { weight: 3, arbitrary: surroundingWords },
    { weight: 2, arbitrary: patternLine },
    { weight: 2, arbitrary: terminalText.map((text) => text.replace(/\n/g, ' ')) },
    { weight: 1, arbitrary: privateKeyBlock.map((block) => block.lines).chain((lines) => fc.constant(lines.join('\n'))) },
    { weight: 1, arbitrary: hostileOutput.map((text) => text.replace(/\r?\n$/, '')) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  ),
  { maxLength: 30 },
).map((parts) => parts.join('\n').split(/\r?\n/));

