import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMasker, patternError } from '../../src/safety/mask.js';
import { secretValue } from './arbitraries.js';

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

  it('refuses an invalid pattern with a one-line reason', () => {
    expect(patternError('corp-(')).toMatch(/^invalid secrets pattern \/corp-\(\/: /);
    expect(() => createMasker({ values: [], patterns: ['corp-('] })).toThrow(/invalid secrets pattern/);
    expect(patternError('corp-[0-9]+')).toBeUndefined();
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
  ])('masks a %s', (_kind, line, masked) => {
    expect(builtIn(line)).toBe(masked);
  });

  it.each([
    ['a commit hash', 'deployed 9fceb02d0ae598e95dc970b74767f19372d61af8'],
    ['a UUID', 'request 123e4567-e89b-12d3-a456-426614174000 done'],
    ['a sha256 digest', 'digest sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['an image reference', 'image registry.example.com/app:v2.4.0@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['a URL without credentials', 'GET https://api.example.com:8443/healthz?ready=1'],
    ['a log line with a timestamp', '2024-05-01T12:00:00Z INFO canary 3/3 ready replicas=3'],
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

  it('masks planted AWS keys and GitHub tokens inside any text (property)', () => {
    const awsKey = fc.stringMatching(/^AKIA[A-Z0-9]{16}$/);
    const githubToken = fc.stringMatching(/^ghp_[A-Za-z0-9]{36}$/);
    const words = fc.array(fc.stringMatching(/^[a-z0-9:=/.,-]{0,12}$/), { maxLength: 6 });
    fc.assert(
      fc.property(fc.oneof(awsKey, githubToken), words, words, (secret, before, after) => {
        const line = [...before, secret, ...after].join(' ');
        expect(builtIn(line)).not.toContain(secret.slice(4));
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
