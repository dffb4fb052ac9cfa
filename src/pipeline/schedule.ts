import type { PipelineJobRef } from './types.js';

/**
 * The jobs of a batch in waves, per workspace and in order: a wave holds each ticket at most once, so a ticket
 * that appears twice runs again, in a later wave, after its first run was written. Returns indexes into `jobs`.
 */
export function wavesOf(jobs: PipelineJobRef[]): Map<string, number[][]> {
  const waves = new Map<string, number[][]>();
  jobs.forEach((job, i) => {
    const list = waves.get(job.workspaceId) ?? [];
    const wave = list.find((w) => !w.some((k) => jobs[k]!.ticketId === job.ticketId));
    if (wave) wave.push(i);
    else list.push([i]);
    waves.set(job.workspaceId, list);
  });
  return waves;
}
