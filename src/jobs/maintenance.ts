import { vacuumDue } from '../store/maintenance.js';
import type { JobDeps, StopJob } from './deps.js';

/**
 * PGlite has no autovacuum: the process that owns it vacuums what needs it, one pass at a time, every
 * DESKMIND_EMBEDDED_VACUUM_SECONDS (nothing to do on a PostgreSQL server, or with 0).
 */
export function startEmbeddedVacuum(deps: Pick<JobDeps, 'database' | 'config' | 'logger'>): StopJob {
  const { database, config, logger } = deps;
  if (database.kind !== 'pglite' || config.embeddedVacuumSeconds <= 0) return () => undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const vacuumLater = () => {
    timer = setTimeout(() => {
      vacuumDue(database, undefined, { pauseMs: 1_000, stopped: () => stopped })
        .then((r) => logger.debug(r, 'embedded vacuum'))
        .catch((err) => logger.warn({ err }, 'embedded vacuum failed'))
        .finally(() => {
          if (!stopped) vacuumLater();
        });
    }, config.embeddedVacuumSeconds * 1000);
    timer.unref();
  };
  vacuumLater();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
