import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMasker, patternError } from '../../src/safety/mask.js';
import { plantedSecret, plantedSecrets, privateKeyBlock, secretValue, surroundingWords } from './arbitraries.js';

const builtIn = createMasker({ values: [], patterns: [] });

describe('createMasker: plan values and patterns', () => {
  it('masks a plan value wherever it appears', () => {
    const mask = createMasker({ values: ['hunter2-prod'], patterns: [] });
    expect(mask('login with hunter2-prod, then hunter2-prod again')).toBe(
      'login with [masked:secret], then [masked:secret] again',
    );
  });

  it('ignores plan values shorter than four characters', () => {
    const mask = createMasker({ values: ['abc', ''], patterns: [] });
    expect(mask('abc is not a secret')).toBe('abc is not a secret');
  });

  it('masks values holding regular-expression characters literally', () => {
    const mask = createMasker({ values: ['p4$$.w(o)rd*'], patterns: [] });
    expect(mask('pw=p4$$.w(o)rd* p4$$xw(o)rd')).toBe('pw=[masked:secret] p4$$xw(o)rd');
  });

  it('masks each line of a multi-line value', () => {
    const mask = createMasker({ values: ['first-line-secret\nsecond-line-secret'], patterns: [] });
    expect(mask('second-line-secret')).toBe('[masked:secret]');
  });

  it('masks the plan patterns', () => {
    const mask = createMasker({ values: [], patterns: ['corp-[0-9]{6}'] });
    expect(mask('ticket corp-123456 approved')).toBe('ticket [masked:pattern] approved');
  });

  it('masks a plan value also URL-encoded or JSON-escaped', () => {
    const mask = createMasker({ values: ['p@ss/w"rd-2026'], patterns: [] });
    expect(mask('url https://u:p%40ss%2Fw%22rd-2026@db json {"v": "p@ss/w\\"rd-2026"}')).toBe('url https://u:[masked:secret]@db json {"v": "[masked:secret]"}');
  });

  it('lets a plan pattern win where a built-in detector would also match', () => {
    const mask = createMasker({ values: [], patterns: ['ghp_[A-Za-z0-9]{36}'] });
    expect(mask(`token ghp_${'a'.repeat(36)}`)).toBe('token [masked:pattern]');
  });

  it('refuses an invalid pattern with a one-line reason', () => {
    expect(patternError('corp-(')).toMatch(/^invalid secrets pattern \/corp-\(\/: /);
    expect(() => createMasker({ values: [], patterns: ['corp-('] })).toThrow(/invalid secrets pattern/);
    expect(patternError('corp-[0-9]+')).toBeUndefined();
  });

  it('refuses patterns with a nested quantifier, saying why and how to rewrite them', () => {
    for (const pattern of ['(a+)+$', '(a*)*', '(a|aa)+', '(\\w+\\s?)*', '(.*a){20}', '((ab)+c)*', '(?<id>a+)+', '(a?b?)+']) {
      const error = patternError(pattern);
      expect(error, pattern).toMatch(/may take exponential time on some output/);
      expect(error, pattern).toMatch(/rewrite/);
      expect(() => createMasker({ values: [], patterns: [pattern] }), pattern).toThrow(/exponential/);
    }
  });

  it('accepts quantifiers that do not nest, escaped and in classes included', () => {
    const patterns = [
      'ckt_[A-Za-z0-9]{16,}', 'corp-[0-9]{6}', '^ckt_[a-z]{4,}$', 'stage\\s+key[0-9]+', '(?<![a-z])tok[0-9]{3}',
      'end[0-9]+(?!\\s)', 'zz[^q]*yy', '(?:ckt|ckx)_[a-z]+', '(?:-[a-z]+)?', '\\(a+\\)+', '[(a+)]+', '(ab)+',
      '(?:[A-F0-9]{4}-){3}[A-F0-9]{4}', 'a(?=b+)', 'pay_live_[A-Za-z0-9]{16,}',
    ];
    for (const pattern of patterns) expect(patternError(pattern), pattern).toBeUndefined();
  });

  it('never lets a planted value through (property)', () => {
    fc.assert(
      fc.property(secretValue, fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (secret, before, after) => {
        const mask = createMasker({ values: [secret], patterns: [] });
        expect(mask(`${before}${secret}${after}${secret}`)).not.toContain(secret);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('createMasker: built-in detectors', () => {
  it.each([
    ['AWS access key id', 'key=AKIAIOSFODNN7EXAMPLE', 'key=[masked:aws-key AKIA…]'],
    ['GitHub token', 'GH ghp_0123456789abcdefghijABCDEFGHIJ012345 ok', 'GH [masked:github-token ghp_…] ok'],
    ['GitHub fine-grained token', `github_pat_${'A1b2C3d4E5'.repeat(6)}`, '[masked:github-token github_pat_…]'],
    ['Slack token', 'xoxb-123456789012-abcdefABCDEF', '[masked:slack-token xoxb-…]'],
    [
      'Slack webhook',
      'posting to https://hooks.slack.com/services/T000/B000/XXXXXXXX',
      'posting to https://hooks.slack.com/services/[masked:slack-webhook]',
    ],
    ['Stripe live key', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc', '[masked:stripe-key sk_live_…]'],
    ['PEM private key header', '-----BEGIN RSA PRIVATE KEY-----', '[masked:private-key]'],
    [
      'JWT',
      'id eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
      'id [masked:jwt eyJ…]',
    ],
    ['URL credentials', 'pulling https://deploy:s3cr3t-pass@git.example.com/app.git', 'pulling https://deploy:[masked:password]@git.example.com/app.git'],
    ['password assignment', 'DB_PASSWORD=correct-horse', 'DB_PASSWORD=[masked:password]'],
    ['token in YAML', 'token: 9f8e7d6c5b4a', 'token: [masked:token]'],
    ['api key in JSON', '{"api_key": "abcd1234efgh"}', '{"api_key": "[masked:key]"}'],
    ['Authorization header', 'Authorization: Bearer abc.def-ghi_jkl', 'Authorization: Bearer [masked:authorization]'],
    ['bearer token on its own', 'curl -H "Bearer 0123456789abcdefXYZ"', 'curl -H "Bearer [masked:bearer]"'],
    ['AWS session key id', 'creds ASIAFAKETESTSESSION1 ok', 'creds [masked:aws-key ASIA…] ok'],
    ['Google API key', `key=AIza${'FAKEtest_-0'.repeat(3)}AB`, 'key=[masked:gcp-api-key AIza…]'],
    ['Google OAuth token', 'ya29.FAKE-test-token-0123456789', '[masked:gcp-token ya29.…]'],
    ['GitLab token', 'PRIVATE-TOKEN: glpat-FAKEtestTOKEN0000000', 'PRIVATE-TOKEN: [masked:gitlab-token glpat-…]'],
    ['Slack app token', 'xapp-1-A0FAKE-0000-fakefakefake', '[masked:slack-token xapp-…]'],
    ['Telegram bot token', `bot 123456789:AA${'FAKEtest0'.repeat(3)}FAKEte`, 'bot [masked:telegram-token]'],
    ['Stripe webhook secret', 'whsec_FAKEtestFAKEtestFAKEtest12', '[masked:stripe-key whsec_…]'],
    ['Square token', 'sq0atp-FAKEtestFAKEtestFAKE12', '[masked:square-token sq0atp-…]'],
    ['npm token', `//registry.internal/:_authToken=npm_${'FAKEtest0'.repeat(4)}`, '//registry.internal/:_authToken=[masked:npm-token npm_…]'],
    ['Docker Hub token', 'dckr_pat_FAKEtestFAKEtestFAKEte', '[masked:docker-token dckr_pat_…]'],
    ['OpenAI-style project key', 'sk-proj-FAKEtestFAKEtestFAKEtest1234', '[masked:api-key sk-proj-…]'],
    ['SendGrid key', `SG.${'FAKEtest0_-'.repeat(2)}.${'FAKEtest0_-'.repeat(4).slice(0, 43)}`, '[masked:sendgrid-key SG.…]'],
    ['Braintree token', `access_token$production$${'a1'.repeat(8)}$${'0f'.repeat(16)}`, '[masked:braintree-token access_token$production$…]'],
    ['Discord webhook', 'POST https://discord.com/api/webhooks/0000/FAKE-test_token', 'POST https://discord.com/api/webhooks/0000/[masked:discord-webhook]'],
    ['Redis URL without a user', 'redis://:FakeRedisPass99@cache:6379/0', 'redis://:[masked:password]@cache:6379/0'],
    ['MySQL DSN without a scheme', 'app:FakeMysqlPass7@tcp(mysql:3306)/orders', 'app:[masked:password]@tcp(mysql:3306)/orders'],
    ['ODBC password', 'Server=sql;Uid=sa;Pwd=FakeOdbcPw1;', 'Server=sql;Uid=sa;Pwd=[masked:password];'],
    ['Azure account key', 'AccountName=x;AccountKey=FAKEkey+test/abc==;EndpointSuffix=core', 'AccountName=x;AccountKey=[masked:key];EndpointSuffix=core'],
    ['quoted password with spaces', 'password: "correct horse battery staple"', 'password: "[masked:password]"'],
    ['password flag', '--db-password FakeFlagPass99 --user deploy', '--db-password [masked:password] --user deploy'],
    ['registry auth in config.json', '{"auth":"ZGVwbG95OkZha2VQYXNz"}', '{"auth":"[masked:auth]"}'],
    ['signed URL', 'GET https://store/o?sv=1&sig=FAKEsig%2Btest%3D', 'GET https://store/o?sv=1&sig=[masked:signature]'],
    ['AWS SigV4 header', 'Authorization: AWS4-HMAC-SHA256 Credential=AKIAFAKETEST0000ABCD/x, Signature=abc', 'Authorization: AWS4-HMAC-SHA256 [masked:authorization]'],
    ['Authorization header without a scheme', 'Authorization: FAKEtoken0123 extra', 'Authorization: [masked:authorization]'],
    ['private key inside a JSON string', '"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvFAKE\\n-----END PRIVATE KEY-----\\n"', '"private_key": "[masked:private-key]\\n"'],
    ['second name where a value would be', 'token: password: "a b c"', 'token: password: "[masked:password]"'],
  ])('masks a %s', (_kind, line, masked) => {
    expect(createMasker({ values: [], patterns: [] })(line)).toBe(masked);
  });

  it.each([
    ['a commit hash', 'deployed 9fceb02d0ae598e95dc970b74767f19372d61af8'],
    ['a UUID', 'request 123e4567-e89b-12d3-a456-426614174000 done'],
    ['a sha256 digest', 'digest sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['an image reference', 'image registry.example.com/app:v2.4.0@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['a URL without credentials', 'GET https://api.example.com:8443/healthz?ready=1'],
    ['a log line with a timestamp', '2024-05-01T12:00:00Z INFO canary 3/3 ready replicas=3'],
    ['an image reference with a scheme', 'docker://registry.internal:5000/team/app@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['an scp-style git remote', 'fetched git@git.internal:team/app.git and ssh://git@git.internal:2222/team/app.git'],
    ["the shell's working directory", 'PWD=/work/main OLDPWD=/tmp'],
    ['a logger named auth and an author', 'auth: session renewed for author Jane Doe <jane@corp.invalid>'],
    ['counts of secrets', 'secrets: 4 synced; tokens: 0 expiring; password policy: unchanged'],
  ])('leaves %s unchanged', (_kind, line) => {
    expect(builtIn(line)).toBe(line);
  });

  it('masks the body of a private key, not only its header', () => {
    const mask = createMasker({ values: [], patterns: [] });
    const lines = [
      '-----BEGIN OPENSSH PRIVATE KEY-----',
      'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW',
      'QyNTUxOQAAACDw1kQ6b1M9H3K2p1Vx',
      '-----END OPENSSH PRIVATE KEY-----',
      'deploy continues',
    ];
    expect(lines.map(mask)).toEqual([
      '[masked:private-key]',
      '[masked:private-key]',
      '[masked:private-key]',
      '-----END OPENSSH PRIVATE KEY-----',
      'deploy continues',
    ]);
  });

  it('keeps masking a key whose lines are interleaved with other output, until its END line', () => {
    const mask = createMasker({ values: [], patterns: [] });
    const lines = [
      '-----BEGIN RSA PRIVATE KEY-----',
      'MIIEowIBAAKCAQEAFAKEtestFAKEtestFAKEtestFAKEtestFAKEtestFAKEtest',
      'waiting for rollout to finish: 1 of 3 updated',
      '2026-03-02T02:00:01Z FAKEtestKEYbodyBEHINDaTIMESTAMPprefixFAKEtestKEY0',
      'AQAB==',
      '-----END RSA PRIVATE KEY-----',
      'deployed 9fceb02d0ae598e95dc970b74767f19372d61af8',
    ];
    expect(lines.map(mask)).toEqual([
      '[masked:private-key]',
      '[masked:private-key]',
      'waiting for rollout to finish: 1 of 3 updated',
      '[masked:private-key]',
      '[masked:private-key]',
      '-----END RSA PRIVATE KEY-----',
      'deployed 9fceb02d0ae598e95dc970b74767f19372d61af8',
    ]);
  });

  it('never lets a line of a key block through, whatever comes between its lines (property)', () => {
    fc.assert(
      fc.property(privateKeyBlock, fc.array(surroundingWords, { maxLength: 8 }), (block, noise) => {
        const mask = createMasker({ values: [], patterns: [] });
        const lines = block.lines.flatMap((line, i) => (noise[i] === undefined ? [{ line, body: i > 0 && i < block.lines.length - 1 }] : [{ line, body: i > 0 && i < block.lines.length - 1 }, { line: noise[i]!, body: false }]));
        const masked = lines.map(({ line }) => mask(line));
        lines.forEach(({ body }, i) => {
          if (body) expect(masked[i]).toBe('[masked:private-key]');
        });
        expect(masked[0]).toBe('[masked:private-key]');
      }),
      { numRuns: 500 },
    );
  });

  it('stops treating lines as a key body after a bounded number of lines without an END', () => {
    const mask = createMasker({ values: [], patterns: [] });
    mask('-----BEGIN PRIVATE KEY-----');
    for (let i = 0; i < 300; i += 1) mask('unrelated');
    expect(mask('ABCDEF')).toBe('ABCDEF');
  });

  it.each(Object.entries(plantedSecrets))('never lets a planted %s survive, whatever surrounds it (property)', (_kind, secrets) => {
    fc.assert(
      fc.property(surroundingWords, secrets, surroundingWords, (before, planted, after) => {
        fc.pre(!before.includes(planted.secret) && !after.includes(planted.secret));
        const masked = createMasker({ values: [], patterns: [] })(`${before} ${planted.text} ${after}`);
        expect(masked).not.toContain(planted.secret);
        expect(masked).toContain('[masked:');
      }),
      { numRuns: 300 },
    );
  });

  it('masks the same text again to itself, so masking before and after sanitising is safe (property)', () => {
    fc.assert(
      fc.property(surroundingWords, plantedSecret, surroundingWords, (before, planted, after) => {
        const once = createMasker({ values: [], patterns: [] })(`${before} ${planted.text} ${after}`);
        expect(createMasker({ values: [], patterns: [] })(once)).toBe(once);
      }),
      { numRuns: 2_000 },
    );
  });

  it('leaves ordinary log words unchanged (property)', () => {
    const ordinary = fc.array(fc.oneof(fc.stringMatching(/^[a-z]{1,10}$/), fc.uuid(), fc.stringMatching(/^[0-9a-f]{7,64}$/), fc.ipV4(), fc.date({ noInvalidDate: true }).map((d) => d.toISOString())), { maxLength: 8 });
    fc.assert(
      fc.property(ordinary, (words) => {
        const line = words.join(' ');
        expect(createMasker({ values: [], patterns: [] })(line)).toBe(line);
      }),
      { numRuns: 1_000 },
    );
  });

  it('leaves hex digests and UUIDs unchanged (property)', () => {
    const hex = fc.stringMatching(/^[0-9a-f]{40}$|^[0-9a-f]{64}$/);
    fc.assert(
      fc.property(fc.oneof(hex, fc.uuid()), (id) => {
        expect(builtIn(`ref ${id} sha256:${id}`)).toBe(`ref ${id} sha256:${id}`);
      }),
    );
  });
});
