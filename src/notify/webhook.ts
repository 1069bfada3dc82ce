import { setTimeout as sleep } from 'node:timers/promises';
import type { Plan } from '../plan/schema.js';
import { parseWebhook, postJson, type PostOutcome, type WebhookEndpoint } from './post.js';

// Announcements to the plan's webhooks (SPEC section 5). Each webhook has its own
// bounded queue, delivered in order by one loop; send() only enqueues, so a dead or
// slow webhook never holds up the release. What could not be delivered is reported
// through callbacks, which the session writes into the communication log.

/** One announcement, already masked: the notifier sends text as it is given. */
export interface Announcement {
  kind: string;
  text: string;
  /** ISO-8601 time of the announcement. */
  at: string;
  /** The announcement's number in the session, so receivers can see gaps. */
  seq: number;
}

export interface NotifyContext {
  release: string;
  tag: string;
  environment: string;
  sessionId: string;
}

export interface NotifierOptions {
  /** A webhook failed (after its retries), overflowed, or ended the session with announcements undelivered. */
  onFailure?(message: string): void;
  /** A failing webhook delivered again. */
  onRecovery?(message: string): void;
  timeoutMs?: number;
  attempts?: number;
  backoffMs?: number;
  queueLimit?: number;
}

export interface Notifier {
  /** Queues the announcement for every webhook and returns at once. */
  send(announcement: Announcement): void;
  /** Waits for queued posts, at most deadlineMs, then abandons the rest; later sends are ignored. */
  drain(deadlineMs: number): Promise<{ undelivered: number }>;
}

export type WebhookFormat = Plan['notify'][number]['format'];

export const NOTIFY_DEFAULTS = { timeoutMs: 5_000, attempts: 3, backoffMs: 500, queueLimit: 100 } as const;

/** The request body for a webhook of the given format. */
export function webhookPayload(format: WebhookFormat, announcement: Announcement, context: NotifyContext): string {
  if (format === 'slack') return JSON.stringify({ text: announcement.text });
  return JSON.stringify({
    kind: announcement.kind,
    text: announcement.text,
    release: context.release,
    tag: context.tag,
    environment: context.environment,
    sessionId: context.sessionId,
    at: announcement.at,
    seq: announcement.seq,
  });
}

interface Settings {
  context: NotifyContext;
  timeoutMs: number;
  attempts: number;
  backoffMs: number;
  queueLimit: number;
  /** Aborted when drain gives up: cuts in-flight posts and backoff waits short. */
  abandon: AbortController;
  report: (kind: 'failure' | 'recovery', message: string) => void;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

class WebhookQueue {
  private readonly pending: Announcement[] = [];
  private inFlight: Announcement | undefined;
  private pumping = false;
  /** After a final failure each announcement gets one attempt, so a backlog does not pile up behind retries. */
  private failing = false;
  private failedSinceDelivery = 0;
  private overflowNoted = false;
  private idleWaiters: Array<() => void> = [];
  private accepted = 0;
  private failed = 0;
  private dropped = 0;
  private abandoned = 0;

  constructor(
    private readonly endpoint: WebhookEndpoint,
    private readonly format: WebhookFormat,
    private readonly settings: Settings,
  ) {}

  push(announcement: Announcement): void {
    this.accepted += 1;
    if (this.pending.length >= this.settings.queueLimit) {
      this.pending.shift();
      this.dropped += 1;
      if (!this.overflowNoted) {
        this.overflowNoted = true;
        const note = `webhook ${this.endpoint.label}: ${plural(this.settings.queueLimit, 'announcement')} waiting; dropping the oldest until it catches up`;
        // Never call back from inside send(): the caller may be in the middle of announcing.
        queueMicrotask(() => this.settings.report('failure', note));
      }
    }
    this.pending.push(announcement);
    if (!this.pumping) {
      this.pump().catch((error: unknown) => {
        this.pumping = false;
        this.settings.report('failure', `webhook ${this.endpoint.label}: internal error: ${(error as Error).message}`);
        this.resolveIdle();
      });
    }
  }

  whenIdle(): Promise<void> {
    if (!this.pumping && this.pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Drain's deadline passed: what is queued or in flight will not be delivered. */
  abandon(): void {
    this.abandoned += this.pending.length + (this.inFlight ? 1 : 0);
    this.pending.length = 0;
    this.inFlight = undefined;
  }

  /** One line for the communication log, or undefined when everything arrived. */
  summary(): { undelivered: number; message?: string } {
    const undelivered = this.failed + this.dropped + this.abandoned;
    if (undelivered === 0) return { undelivered };
    const parts = [
      this.failed > 0 ? `${this.failed} failed` : '',
      this.dropped > 0 ? `${this.dropped} dropped while the queue was full` : '',
      this.abandoned > 0 ? `${this.abandoned} still queued when the session ended` : '',
    ].filter(Boolean);
    return {
      undelivered,
      message: `webhook ${this.endpoint.label}: ${undelivered} of ${plural(this.accepted, 'announcement')} not delivered this session (${parts.join(', ')})`,
    };
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    const { abandon } = this.settings;
    for (let next = this.pending.shift(); next !== undefined && !abandon.signal.aborted; next = this.pending.shift()) {
      this.inFlight = next;
      const outcome = await this.deliver(next);
      // Drain gave up while this post was out: abandon() has counted it.
      if (abandon.signal.aborted) break;
      this.inFlight = undefined;
      this.settle(next, outcome);
    }
    this.pumping = false;
    this.overflowNoted = false;
    this.resolveIdle();
  }

  private async deliver(announcement: Announcement): Promise<PostOutcome & { attempts: number }> {
    const { timeoutMs, backoffMs, abandon } = this.settings;
    const attempts = this.failing ? 1 : this.settings.attempts;
    const body = webhookPayload(this.format, announcement, this.settings.context);
    let outcome: PostOutcome = { ok: false, reason: 'not attempted', retry: false };
    let attempt = 0;
    while (attempt < attempts) {
      if (attempt > 0) {
        try {
          await sleep(backoffMs * 2 ** (attempt - 1), undefined, { signal: abandon.signal });
        } catch {
          break;
        }
      }
      attempt += 1;
      outcome = await postJson(this.endpoint, body, { timeoutMs, signal: abandon.signal });
      if (outcome.ok || !outcome.retry) break;
    }
    return { ...outcome, attempts: attempt };
  }

  private settle(announcement: Announcement, outcome: PostOutcome & { attempts: number }): void {
    const label = `webhook ${this.endpoint.label}`;
    if (outcome.ok) {
      if (this.failing) {
        this.settings.report(
          'recovery',
          `${label} is answering again: announcement #${announcement.seq} delivered after ${plural(this.failedSinceDelivery, 'announcement')} failed`,
        );
      }
      this.failing = false;
      this.failedSinceDelivery = 0;
      return;
    }
    this.failed += 1;
    this.failedSinceDelivery += 1;
    // The first failure is reported with its reason; the rest are counted, not logged one by one.
    if (this.failing) return;
    this.failing = true;
    this.settings.report(
      'failure',
      `${label}: announcement #${announcement.seq} (${announcement.kind}) not delivered after ${plural(outcome.attempts, 'attempt')}: ${outcome.reason}; further announcements get one attempt each until it answers`,
    );
  }

  private resolveIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** A notifier for the plan's `notify` targets; targets that are not http(s) URLs are reported and skipped. */
export function createNotifier(targets: Plan['notify'], context: NotifyContext, options: NotifierOptions = {}): Notifier {
  const report = (kind: 'failure' | 'recovery', message: string): void => {
    const callback = kind === 'failure' ? options.onFailure : options.onRecovery;
    try {
      callback?.(message);
    } catch {
      // A failing log must not stop deliveries to the other webhooks.
    }
  };
  const settings: Settings = {
    context,
    timeoutMs: options.timeoutMs ?? NOTIFY_DEFAULTS.timeoutMs,
    attempts: Math.max(1, options.attempts ?? NOTIFY_DEFAULTS.attempts),
    backoffMs: options.backoffMs ?? NOTIFY_DEFAULTS.backoffMs,
    queueLimit: Math.max(1, options.queueLimit ?? NOTIFY_DEFAULTS.queueLimit),
    abandon: new AbortController(),
    report,
  };
  const queues: WebhookQueue[] = [];
  targets.forEach((target, index) => {
    const endpoint = parseWebhook(target.webhook, index);
    if (endpoint) queues.push(new WebhookQueue(endpoint, target.format, settings));
    else report('failure', `webhook notify[${index}]: not an http or https URL; skipped`);
  });

  let draining: Promise<{ undelivered: number }> | undefined;
  const drain = async (deadlineMs: number): Promise<{ undelivered: number }> => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'deadline'>((resolve) => (timer = setTimeout(() => resolve('deadline'), Math.max(0, deadlineMs))));
    const finished = await Promise.race([Promise.all(queues.map((queue) => queue.whenIdle())).then(() => 'idle' as const), deadline]);
    clearTimeout(timer);
    if (finished === 'deadline') {
      for (const queue of queues) queue.abandon();
      settings.abandon.abort();
    }
    let undelivered = 0;
    for (const queue of queues) {
      const summary = queue.summary();
      undelivered += summary.undelivered;
      if (summary.message) report('failure', summary.message);
    }
    return { undelivered };
  };

  return {
    send(announcement) {
      if (draining) return;
      for (const queue of queues) queue.push(announcement);
    },
    drain(deadlineMs) {
      draining ??= drain(deadlineMs);
      return draining;
    },
  };
}
