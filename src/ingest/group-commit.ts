/** What one member of a group gets back: its own value or its own error. */
export type Outcome<O> = { ok: true; value: O } | { ok: false; error: unknown };

/** Runs `fn` and captures its result or error as an outcome. */
export async function settle<O>(fn: () => Promise<O>): Promise<Outcome<O>> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

interface Waiting<I, O> {
  input: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: a group is the calls that arrived while the previous group was being written (at most
 * `maxSize`). A group starts at the end of the event-loop turn in which its first call arrived
 * (`setImmediate`), so that the requests whose input was read in the same turn join it (with the embedded
 * database on this thread, a transaction holds the loop while it runs). Under load — when the previous group
 * was written less than `lingerMs` ago — it waits until `lingerMs` after that, so groups grow with the load
 * instead of the desk writing many small ones between the pipeline's batches; a call after a quiet spell is
 * written at once. `write` receives the inputs of one group and returns one outcome per input, in the same
 * order; each caller gets its own.
 *
 * @example
 * const group = new GroupCommit({ maxSize: 64, write: (inputs) => writeAll(inputs) });
 * const created = await group.submit(input);
 */
export class GroupCommit<I, O> {
  /** Groups written so far, the calls they held, and the largest group. */
  readonly stats = { groups: 0, members: 0, largest: 0 };
  private readonly waiting: Waiting<I, O>[] = [];
  private writing = false;
  private readonly maxSize: number;
  private readonly write: (inputs: I[]) => Promise<Outcome<O>[]>;
  private readonly lingerMs: number;
  /** When the last group was written (`performance.now()`). */
  private lastEnd = -Infinity;

  constructor(opts: { maxSize: number; write: (inputs: I[]) => Promise<Outcome<O>[]>; lingerMs?: number }) {
    if (!Number.isInteger(opts.maxSize) || opts.maxSize < 1)
      throw new RangeError('GroupCommit: maxSize must be a positive integer');
    this.maxSize = opts.maxSize;
    this.write = opts.write;
    this.lingerMs = Math.max(0, opts.lingerMs ?? 0);
  }

  /** Queues `input` and resolves with its own outcome once its group is written. */
  submit(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ input, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  /** Calls waiting for their group (not counting the group being written). */
  get pending(): number {
    return this.waiting.length;
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.waiting.length) {
        const wait = this.lastEnd + this.lingerMs - performance.now();
        if (wait > 0 && this.waiting.length < this.maxSize)
          await new Promise<void>((resolve) => setTimeout(resolve, wait));
        else await new Promise<void>((resolve) => setImmediate(resolve)); // the rest of this turn's arrivals
        const group = this.waiting.splice(0, this.maxSize);
        this.stats.groups++;
        this.stats.members += group.length;
        this.stats.largest = Math.max(this.stats.largest, group.length);
        let outcomes: Outcome<O>[];
        try {
          outcomes = await this.write(group.map((w) => w.input));
          if (outcomes.length !== group.length)
            throw new Error(`GroupCommit: ${outcomes.length} outcomes for ${group.length} inputs`);
        } catch (error) {
          outcomes = group.map(() => ({ ok: false, error }));
        }
        this.lastEnd = performance.now();
        for (const [i, w] of group.entries()) {
          const o = outcomes[i]!;
          if (o.ok) w.resolve(o.value);
          else w.reject(o.error);
        }
      }
    } finally {
      this.writing = false;
    }
  }
}

/**
 * Splits `list` into runs whose lengths are powers of two, largest first (50 → 32, 16, 2). A multi-row
 * statement's SQL text depends on its row count; keeping counts to a few sizes keeps the embedded
 * database's prepared-statement cache from filling with one statement per group size.
 */
export function powerOfTwoChunks<T>(list: T[]): T[][] {
  const chunks: T[][] = [];
  let at = 0;
  while (at < list.length) {
    const size = 2 ** Math.floor(Math.log2(list.length - at));
    chunks.push(list.slice(at, at + size));
    at += size;
  }
  return chunks;
}

/** `list` padded to a power-of-two length by repeating its first item (for `in (...)` lists; see `powerOfTwoChunks`).
 */
export function padToPowerOfTwo<T>(list: T[]): T[] {
  if (list.length < 2) return list;
  const size = 2 ** Math.ceil(Math.log2(list.length));
  return [...list, ...Array.from({ length: size - list.length }, () => list[0]!)];
}
