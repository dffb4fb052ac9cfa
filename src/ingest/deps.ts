import type { Logger } from 'pino';
import type { JobQueue } from '../jobs/queue.js';
import type { Database } from '../store/db.js';

/** What every way in needs: the database, the job queue its pipeline jobs go to, a logger and the clock. */
export interface IngestDeps {
  database: Database;
  jobs: JobQueue;
  logger: Logger;
  now: () => Date;
}
