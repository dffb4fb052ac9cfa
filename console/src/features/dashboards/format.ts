/** Formatters of the dashboards. */

/** A rate as a percentage with one decimal (0.1234 → 12.3), null when there is none. */
export const pct = (n: number | null | undefined) => (typeof n === 'number' ? Math.round(n * 1000) / 10 : null);
/** Minutes rounded with their unit (42.4 → "42 min"), a dash when there are none. */
export const minutes = (m: number | null | undefined) => (m != null ? `${Math.round(m)} min` : '—');
export const money = (n: number) => `$${Math.round(n).toLocaleString()}`;
/** Week-over-week change in words: "+12% vs last week", "new this week". */
export const change = (x: number | null) =>
  x == null ? 'new this week' : `${x >= 0 ? '+' : '−'}${Math.abs(Math.round(x * 100))}% vs last week`;
export const COLORS = ['#1d4ed8', '#047857', '#b45309', '#7c3aed', '#be123c', '#0e7490'];
