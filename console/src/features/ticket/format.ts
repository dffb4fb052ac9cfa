/** Small formatters of the ticket view. */

/** The prefix of the assistant's internal note that holds a reply awaiting approval. */
export const DRAFT_PREFIX = 'Suggested reply (awaiting approval):\n\n';

/** 0.871 → "87%"; "—" when there is no number. */
export const pct = (n: number | null | undefined) => (typeof n === 'number' ? `${Math.round(n * 100)}%` : '—');

export const when = (iso: string) => new Date(iso).toLocaleString();

/** Tomorrow at 9:00 local time, as an ISO timestamp (the `s` shortcut's snooze). */
export function tomorrowNine(): string {
  const d = new Date();
  d.setDate(d.getDate() + 1);
  d.setHours(9, 0, 0, 0);
  return d.toISOString();
}
