import { appendFileSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readJournal } from '../../src/journal/journal.js';
import { demoCopy, warroom } from './demo.js';

// The demo release with two webhooks: a receiver on 127.0.0.1 that must get every
// announcement in order, and a dead one that must cost the release nothing.

const received: Array<{ kind: string; text: string; seq: number; tag: string }> = [];
const server = createServer((request: IncomingMessage, response) => {
  let body = '';
  request.on('data', (chunk: Buffer) => (body += chunk.toString()));
  request.on('end', () => {
    received.push(JSON.parse(body) as (typeof received)[number]);
    response.writeHead(204).end();
  });
});
let deadPort = 0;

beforeAll(async () => {
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  // A port that was just free: nothing listens there.
  const probe = createServer();
  await new Promise<void>((listening) => probe.listen(0, '127.0.0.1', listening));
  deadPort = (probe.address() as AddressInfo).port;
  await new Promise((closed) => probe.close(closed));
});
afterAll(() => new Promise((closed) => server.close(closed)));

it('posts every announcement to a webhook in order, while a dead webhook only leaves a note in the communication log', async () => {
  const dir = demoCopy();
  const { port } = server.address() as AddressInfo;
  appendFileSync(
    join(dir, 'release.yaml'),
    `notify:\n  - {webhook: "http://127.0.0.1:${port}/hooks/T0/B0/secret-token", format: json}\n  - {webhook: "http://127.0.0.1:${deadPort}/hooks/dead-token", format: slack}\n`,
  );
  const evidence = join(dir, 'evidence');
  const run = await warroom(['run', join(dir, 'release.yaml'), '--headless', '--approvals', join(dir, 'approvals.json'), '--evidence', evidence], {
    env: { DEMO_RUN_DIR: join(dir, '.run') },
  });
  expect(run.code).toBe(0);

  const announced = readJournal(join(evidence, 'journal.jsonl'))
    .entries.filter((e) => e.type === 'announcement')
    .map((e) => (e.data as { text: string }).text);
  expect(announced.length).toBeGreaterThan(10);
  expect(received.map((r) => r.text)).toEqual(announced);
  expect(received.map((r) => r.seq)).toEqual(announced.map((_, index) => index + 1));
  expect(received.every((r) => r.tag === 'v2.4.0')).toBe(true);
  expect(received.at(-1)?.text).toContain('Ready for Protocol 19');

  const log = readFileSync(join(evidence, 'communication-log.md'), 'utf8');
  expect(log).toContain(`(delivery) webhook notify[1] http://127.0.0.1:${deadPort}/…: announcement #1 (phase-start) not delivered after 3 attempts`);
  expect(log).not.toContain('dead-token');
  expect(run.stdout).not.toContain('secret-token');
}, 120_000);
