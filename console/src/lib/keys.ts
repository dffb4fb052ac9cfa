/** React keys for lists, taken from the data rather than from array positions. */

let last = 0;

/** A fresh key for a row the user adds, removes or reorders (one per row, kept while the row lives). */
export const rowKey = (): string => `row-${++last}`;

/** Each item with a key made of its own text; a repeated text gets "#2", "#3"… so that keys stay unique. */
export function keyedByText<T>(items: readonly T[], text: (item: T) => string): { key: string; item: T }[] {
  const seen = new Map<string, number>();
  return items.map((item) => {
    const t = text(item);
    const n = (seen.get(t) ?? 0) + 1;
    seen.set(t, n);
    return { key: n === 1 ? t : `${t}#${n}`, item };
  });
}
