/** Small, pure helpers of the metrics. */

/** part / whole, or null when whole is 0. */
export const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

/** The median of the values, or null when there are none. */
export function median(values: number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The start (Monday, UTC) of the ISO week holding the date, as YYYY-MM-DD.
 *
 * @example weekOf(new Date('2026-06-04T12:00:00Z')) // '2026-06-01'
 */
export function weekOf(d: Date): string {
  const day = (d.getUTCDay() + 6) % 7;
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day)).toISOString().slice(0, 10);
}

/** The range of a metrics query: [from, to), the last 30 days by default. */
export function rangeOf(
  query: { from?: string | undefined; to?: string | undefined },
  now: Date,
): { from: Date; to: Date } {
  const to = query.to ? new Date(query.to) : now;
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - 30 * 86_400_000);
  return { from, to };
}
