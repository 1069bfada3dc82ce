import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createNotifier, type Announcement, type NotifierOptions } from '../../src/notify/webhook.js';
import { refusedUrl, startServer, type TestServer } from '../helpers/servers.js';

const context = { release: 'checkout 2.4', tag: 'v2.4.0', environment: 'production', sessionId: 'v2.4.0-20240601T020000-ab12' };
const TOKEN_PATH = '/services/T000/B000/s3cr3tT0ken';
/** Small numbers keep the tests fast; the defaults are seconds. */
const fast: NotifierOptions = { timeoutMs: 200, attempts: 3, backoffMs: 10 };

interface Post {
  path: string;
  contentType: string | undefined;
  body: Record<string, unknown>;
}

/** A webhook receiver: records what it got and answers with `answer(n)` for the n-th request (from 1). */
interface Receiver {
  url: string;
  posts: Post[];
  requests: () => number;
}

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function receiver(answer: (request: number) => number | 'hang' = () => 200): Promise<Receiver> {
  const posts: Post[] = [];
  let requests = 0;
  const server = await startServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests += 1;
      const status = answer(requests);
      if (status === 'hang') return;
      if (status >= 200 && status < 300) {
        posts.push({ path: req.url ?? '', contentType: req.headers['content-type'], body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      }
      res.writeHead(status);
      res.end();
    });
  });
  servers.push(server);
  return { url: server.url, posts, requests: () => requests };
}

const announcement = (seq: number, kind = 'progress'): Announcement => ({
  kind,
  text: `[WARROOM ANNOUNCEMENT] step ${seq}`,
  at: new Date(Date.UTC(2024, 5, 1, 2, 0, seq)).toISOString(),
  seq,
});

function collect(): { failures: string[]; recoveries: string[]; options: NotifierOptions } {
  const failures: string[] = [];
  const recoveries: string[] = [];
  return { failures, recoveries, options: { ...fast, onFailure: (m) => failures.push(m), onRecovery: (m) => recoveries.push(m) } };
}

describe('createNotifier: delivery', () => {
  it('posts every announcement in order, as {text} for slack and as the full announcement for json', async () => {
    const hook = await receiver();
    const { failures, options } = collect();
    const notifier = createNotifier(
      [
        { webhook: `${hook.url}/slack`, format: 'slack' },
        { webhook: `${hook.url}/json`, format: 'json' },
      ],
      context,
      options,
    );
    const sent = [1, 2, 3, 4, 5].map((seq) => announcement(seq, seq === 1 ? 'phase-start' : 'progress'));
    for (const a of sent) notifier.send(a);

    await vi.waitFor(() => expect(hook.posts).toHaveLength(10), { timeout: 5_000 });
    const slack = hook.posts.filter((p) => p.path === '/slack');
    const json = hook.posts.filter((p) => p.path === '/json');
    expect(slack.map((p) => p.body)).toEqual(sent.map((a) => ({ text: a.text })));
    expect(json.map((p) => p.body)).toEqual(
      sent.map((a) => ({
        kind: a.kind,
        text: a.text,
        release: 'checkout 2.4',
        tag: 'v2.4.0',
        environment: 'production',
        sessionId: context.sessionId,
        at: a.at,
        seq: a.seq,
      })),
    );
    expect(new Set(hook.posts.map((p) => p.contentType))).toEqual(new Set(['application/json']));
    expect(await notifier.drain(1_000)).toEqual({ undelivered: 0 });
    expect(failures).toEqual([]);
  });

  it('retries a webhook that answers 500 twice and delivers without reporting a failure', async () => {
    const hook = await receiver((n) => (n <= 2 ? 500 : 200));
    const { failures, options } = collect();
    const notifier = createNotifier([{ webhook: `${hook.url}/hook`, format: 'json' }], context, options);
    notifier.send(announcement(1));

    await vi.waitFor(() => expect(hook.posts).toHaveLength(1), { timeout: 5_000 });
    expect(hook.requests()).toBe(3);
    expect(hook.posts[0]?.body).toMatchObject({ seq: 1 });
    expect(await notifier.drain(1_000)).toEqual({ undelivered: 0 });
    expect(failures).toEqual([]);
  });

  it('does not retry an answer that another attempt cannot fix (404)', async () => {
    const hook = await receiver(() => 404);
    const { failures, options } = collect();
    const notifier = createNotifier([{ webhook: `${hook.url}/hook`, format: 'json' }], context, options);
    notifier.send(announcement(1));

    await vi.waitFor(() => expect(failures).toHaveLength(1), { timeout: 5_000 });
    expect(hook.requests()).toBe(1);
    expect(failures[0]).toContain('after 1 attempt: answered HTTP 404');
    await notifier.drain(1_000);
  });

  it('reports a failure once, then a recovery when the webhook answers again', async () => {
    let healthy = false;
    const hook = await receiver(() => (healthy ? 200 : 503));
    const { failures, recoveries, options } = collect();
    const notifier = createNotifier([{ webhook: `${hook.url}/hook`, format: 'json' }], context, { ...options, attempts: 2 });
    notifier.send(announcement(1));
    notifier.send(announcement(2));

    await vi.waitFor(() => expect(hook.requests()).toBe(3), { timeout: 5_000 });
    // First announcement: two attempts and a failure; the second got one attempt while failing.
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain('announcement #1 (progress) not delivered after 2 attempts: answered HTTP 503');
    healthy = true;
    notifier.send(announcement(3));

    await vi.waitFor(() => expect(recoveries).toHaveLength(1), { timeout: 5_000 });
    expect(recoveries[0]).toContain('is answering again: announcement #3 delivered after 2 announcements failed');
    expect(hook.posts.map((p) => p.body.seq)).toEqual([3]);
    expect(await notifier.drain(1_000)).toEqual({ undelivered: 2 });
    expect(failures.at(-1)).toContain('2 of 3 announcements not delivered this session (2 failed)');
  });
});

describe('createNotifier: never blocking the release', () => {
  it('returns from send() at once while a dead and a hung webhook fail, and a healthy one still gets all 50 in order', async () => {
    const healthy = await receiver();
    const hung = await receiver(() => 'hang');
    const dead = await refusedUrl(TOKEN_PATH);
    const { failures, options } = collect();
    const notifier = createNotifier(
      [
        { webhook: dead, format: 'slack' },
        { webhook: `${hung.url}${TOKEN_PATH}?token=qwerty123`, format: 'json' },
        { webhook: `${healthy.url}/hook`, format: 'json' },
      ],
      context,
      options,
    );

    const started = performance.now();
    for (let seq = 1; seq <= 50; seq += 1) notifier.send(announcement(seq));
    const elapsed = performance.now() - started;
    // Synchronous: nothing can have been delivered before the loop gave the event loop back.
    expect(healthy.posts).toHaveLength(0);
    expect(elapsed).toBeLessThan(1_000);

    await vi.waitFor(() => expect(healthy.posts).toHaveLength(50), { timeout: 10_000 });
    expect(healthy.posts.map((p) => p.body.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    await vi.waitFor(() => expect(failures.filter((m) => m.includes('#1 (progress) not delivered'))).toHaveLength(2), { timeout: 10_000 });

    const deadPort = new URL(dead).port;
    const deadFailure = failures.find((m) => m.includes(`:${deadPort}/`));
    expect(deadFailure).toContain(`webhook notify[0] http://127.0.0.1:${deadPort}/…: announcement #1 (progress) not delivered after 3 attempts: connection refused`);
    expect(failures.find((m) => m.startsWith('webhook notify[1]'))).toContain('no answer within 200ms');

    const drainStarted = performance.now();
    const { undelivered } = await notifier.drain(100);
    expect(performance.now() - drainStarted).toBeLessThan(5_000);
    // Everything sent to the dead and the hung webhook, nothing sent to the healthy one.
    expect(undelivered).toBe(100);
    for (const message of failures) {
      expect(message).not.toContain('/services');
      expect(message).not.toContain('s3cr3tT0ken');
      expect(message).not.toContain('qwerty123');
    }
  });

  it('drops the oldest announcements when a webhook falls behind, with one counted note', async () => {
    const hung = await receiver(() => 'hang');
    const { failures, options } = collect();
    const notifier = createNotifier([{ webhook: `${hung.url}/hook`, format: 'json' }], context, { ...options, timeoutMs: 5_000, queueLimit: 5 });
    for (let seq = 1; seq <= 20; seq += 1) notifier.send(announcement(seq));

    await vi.waitFor(() => expect(failures).toHaveLength(1));
    expect(failures[0]).toContain('5 announcements waiting; dropping the oldest until it catches up');
    // One in flight, five queued, fourteen dropped: all twenty are undelivered.
    expect(await notifier.drain(50)).toEqual({ undelivered: 20 });
    expect(failures.at(-1)).toContain('20 of 20 announcements not delivered this session (14 dropped while the queue was full, 6 still queued when the session ended)');
  });

  it('gives up draining at its deadline and reports what was not delivered', async () => {
    const hung = await receiver(() => 'hang');
    const { failures, options } = collect();
    const notifier = createNotifier([{ webhook: `${hung.url}/hook`, format: 'slack' }], context, { ...options, timeoutMs: 30_000 });
    for (let seq = 1; seq <= 3; seq += 1) notifier.send(announcement(seq));

    const started = performance.now();
    const result = await notifier.drain(200);
    const elapsed = performance.now() - started;
    expect(result).toEqual({ undelivered: 3 });
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(5_000);
    expect(failures).toEqual([`webhook notify[0] ${hung.url}/…: 3 of 3 announcements not delivered this session (3 still queued when the session ended)`]);
    // The session has ended: later announcements are not queued.
    notifier.send(announcement(4));
    expect(await notifier.drain(200)).toEqual({ undelivered: 3 });
  });

  it('skips a webhook that is not an http or https URL, without showing it', async () => {
    const hook = await receiver();
    const { failures, options } = collect();
    const notifier = createNotifier(
      [
        { webhook: 'ftp://files.example.com/drop/s3cr3tT0ken', format: 'json' },
        { webhook: `${hook.url}/hook`, format: 'json' },
      ],
      context,
      options,
    );
    expect(failures).toEqual(['webhook notify[0]: not an http or https URL; skipped']);
    notifier.send(announcement(1));
    await vi.waitFor(() => expect(hook.posts).toHaveLength(1));
    expect(await notifier.drain(1_000)).toEqual({ undelivered: 0 });
  });

  it('sends credentials in the URL as Basic auth and keeps them out of messages', async () => {
    let authorization: string | undefined;
    const server = await startServer((req, res) => {
      authorization = req.headers.authorization;
      req.resume();
      req.on('end', () => {
        res.writeHead(401);
        res.end();
      });
    });
    servers.push(server);
    const { failures, options } = collect();
    const notifier = createNotifier([{ webhook: server.url.replace('//', '//ops:hunter22@') + '/hook', format: 'json' }], context, options);
    notifier.send(announcement(1));

    await vi.waitFor(() => expect(failures).toHaveLength(1));
    expect(authorization).toBe(`Basic ${btoa('ops:hunter22')}`);
    expect(failures[0]).toBe(
      `webhook notify[0] ${server.url}/…: announcement #1 (progress) not delivered after 1 attempt: answered HTTP 401; further announcements get one attempt each until it answers`,
    );
    await notifier.drain(1_000);
    expect(failures.join('\n')).not.toContain('hunter22');
  });
});
