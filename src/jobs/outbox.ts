import { deliverOutbox, type DeliveryCounts } from '../channels/outbox.js';
import type { MailSender } from '../connectors/email-out.js';
import type { JobDeps } from './deps.js';

/**
 * Delivery of the outbox (webhooks, Slack notices, emails): one pass at a time in this process; with `poll`,
 * a pass every DESKMIND_OUTBOX_POLL_MS.
 */
export class OutboxDelivery {
  private run: Promise<unknown> | null = null;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly deps: Pick<JobDeps, 'database' | 'now' | 'logger' | 'outbound' | 'config'> & {
      mail: MailSender | null;
    },
  ) {}

  /** One pass: numbers new deliveries, then sends the due ones (after the pass under way, if any). */
  async pass(): Promise<DeliveryCounts> {
    while (this.run) await this.run.catch(() => undefined);
    const { database, now, logger, mail, outbound, config } = this.deps;
    const run = deliverOutbox({
      database,
      now,
      logger,
      mail,
      fetch: outbound.fetch,
      maxAttempts: config.webhookMaxAttempts,
      timeoutMs: config.webhookTimeoutMs,
    });
    this.run = run;
    try {
      return await run;
    } finally {
      this.run = null;
    }
  }

  /** Runs a pass every DESKMIND_OUTBOX_POLL_MS until `stop`. */
  poll(): void {
    this.timer = setTimeout(() => {
      this.pass()
        .catch((err) => this.deps.logger.warn({ err }, 'outbox delivery pass failed'))
        .finally(() => {
          if (!this.stopped) this.poll();
        });
    }, this.deps.config.outboxPollMs);
    this.timer.unref();
  }

  /** Stops polling and waits for the pass under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.run?.catch(() => undefined);
  }
}
