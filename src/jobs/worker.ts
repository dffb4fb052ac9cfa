import type { MailSender } from '../connectors/email-out.js';
import type { DeliveryCounts } from '../channels/outbox.js';
import type { JobDeps, StopJob } from './deps.js';
import { workLearning } from './learn.js';
import { startEmbeddedVacuum } from './maintenance.js';
import { OutboxDelivery } from './outbox.js';
import { workPipelines } from './pipeline.js';
import { workRetrains } from './retrain.js';
import { workSweeps } from './sweep.js';
import { workTopics } from './topics.js';

/**
 * The jobs of one process: `start` runs the pipeline, learning, retrain, topics and sweep workers, the embedded vacuum
 * and the outbox polling here; `stop` ends the timers and waits for the outbox pass under way.
 */
export class JobWorker {
  private readonly outbox: OutboxDelivery;
  private readonly stops: StopJob[] = [];
  private started = false;

  constructor(private readonly deps: JobDeps & { mail: MailSender | null }) {
    this.outbox = new OutboxDelivery(deps);
  }

  /** One pass of the outbox now (the worker runs one every DESKMIND_OUTBOX_POLL_MS; tests call it directly). */
  deliverOutbox(): Promise<DeliveryCounts> {
    return this.outbox.pass();
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    // Load the sentence encoder in the background, so the first judged answer does not wait for it (a failure is
    // logged; answers are then judged on words).
    void this.deps.passageVectors?.encoder
      .embed(['warm up'])
      .catch((err: unknown) => this.deps.logger.warn({ err }, 'sentence encoder unavailable'));
    await workPipelines(this.deps);
    await workLearning(this.deps);
    await workRetrains(this.deps);
    await workTopics(this.deps);
    this.stops.push(await workSweeps(this.deps), startEmbeddedVacuum(this.deps));
    this.outbox.poll();
  }

  /** Stops the timers at once; the promise settles when the outbox pass under way ends. */
  stop(): Promise<void> {
    for (const stop of this.stops) stop();
    return this.outbox.stop();
  }
}
