/**
 * Spike detection against a series' own seasonal baseline. The baseline is a multiplicative Poisson
 * model fitted to the series' hourly counts of the past weeks: rate = level × hour-of-day factor ×
 * day-of-week factor (factors shrunk toward 1 by pseudo-counts, so a sparse series is not over-fitted),
 * never below a small floor (a series never seen before still has a rate). A window's count is a spike
 * when its Poisson upper-tail probability under that rate is below `alpha`: for a series that follows
 * its baseline, a test raises a false alarm with probability at most `alpha`. A series with less history than
 * the baseline's span (a new workspace, a new intent) is fitted on the hours it has, its level pulled toward a
 * prior, and needs more evidence: see {@link detectSpike}. Pure functions.
 */

/** The prior a short history's level is pulled toward: one ticket a day, worth this many hours of history. */
export const PRIOR_HOURS = 24;

const HOUR = 3_600_000;

export interface SeasonalModel {
  /** Mean tickets per hour over the history. */
  level: number;
  /** Hour-of-day factors (UTC), mean ≈ 1. */
  hourOfDay: number[];
  /** Day-of-week factors (UTC, 0 = Sunday), mean ≈ 1. */
  dayOfWeek: number[];
  /** Smallest rate per hour. */
  floor: number;
}

export interface FitOptions {
  /** Pseudo-counts that pull each factor toward 1 (default 2). */
  pseudoCount?: number;
  /** Smallest rate per hour (default: one ticket in four weeks). */
  floor?: number;
}

/**
 * Fits the seasonal model to hourly counts; `counts[i]` is the count of the hour starting at
 * `startMs + i·1h` (UTC hour boundaries).
 */
export function fitSeasonal(counts: ArrayLike<number>, startMs: number, opts: FitOptions = {}): SeasonalModel {
  const k = opts.pseudoCount ?? 2;
  const floor = opts.floor ?? 1 / (28 * 24);
  const n = counts.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += counts[i]!;
  const level = n ? total / n : 0;
  const hodSum = new Array<number>(24).fill(0);
  const hodN = new Array<number>(24).fill(0);
  for (let i = 0; i < n; i++) {
    const h = new Date(startMs + i * HOUR).getUTCHours();
    hodSum[h]! += counts[i]!;
    hodN[h]!++;
  }
  const hourOfDay = hodSum.map((s, h) => (s + k) / (hodN[h]! * level + k));
  const dowSum = new Array<number>(7).fill(0);
  const dowExp = new Array<number>(7).fill(0);
  for (let i = 0; i < n; i++) {
    const d = new Date(startMs + i * HOUR);
    dowSum[d.getUTCDay()]! += counts[i]!;
    dowExp[d.getUTCDay()]! += level * hourOfDay[d.getUTCHours()]!;
  }
  const dayOfWeek = dowSum.map((s, d) => (s + k) / (dowExp[d]! + k));
  return { level, hourOfDay, dayOfWeek, floor };
}

/** The model's rate (tickets per hour) in the hour containing `ms`. */
export function rateAt(model: SeasonalModel, ms: number): number {
  const d = new Date(ms);
  return Math.max(model.floor, model.level * model.hourOfDay[d.getUTCHours()]! * model.dayOfWeek[d.getUTCDay()]!);
}

/** Expected count in [fromMs, toMs): the rate integrated hour by hour. */
export function expectedIn(model: SeasonalModel, fromMs: number, toMs: number): number {
  let e = 0;
  for (let t = fromMs; t < toMs; ) {
    const next = Math.min(toMs, Math.floor(t / HOUR) * HOUR + HOUR);
    e += (rateAt(model, t) * (next - t)) / HOUR;
    t = next;
  }
  return e;
}

/** ln Γ(x) (Lanczos approximation, x > 0). */
export function lnGamma(x: number): number {
  const g = 7;
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  x -= 1;
  let a = c[0]!;
  const t = x + g + 0.5;
  for (let i = 1; i < g + 2; i++) a += c[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** P(X ≥ k) for X ~ Poisson(λ). */
export function poissonUpperTail(k: number, lambda: number): number {
  if (k <= 0) return 1;
  if (lambda <= 0) return 0;
  if (k <= lambda) {
    // The lower sum is the short one here.
    let term = Math.exp(-lambda);
    let sum = term;
    for (let i = 1; i < k; i++) {
      term *= lambda / i;
      sum += term;
    }
    return Math.max(0, Math.min(1, 1 - sum));
  }
  let term = Math.exp(-lambda + k * Math.log(lambda) - lnGamma(k + 1));
  let sum = 0;
  for (let i = k; i < k + 1000; i++) {
    sum += term;
    term *= lambda / (i + 1);
    if (term < sum * 1e-12) break;
  }
  return Math.min(1, sum);
}

export interface SpikeTest {
  observed: number;
  expected: number;
  pValue: number;
  spike: boolean;
}

/**
 * Tests one window's count against the model: a spike when count ≥ `minCount`, count ≥ `minRatio` × expected
 * (real streams vary more from day to day than Poisson; a spike must at least double the usual), and
 * P(X ≥ count) < `alpha`.
 */
export function testWindow(
  model: SeasonalModel,
  fromMs: number,
  toMs: number,
  observed: number,
  opts: { alpha: number; minCount: number; minRatio?: number },
): SpikeTest {
  const expected = expectedIn(model, fromMs, toMs);
  const pValue = poissonUpperTail(observed, expected);
  return {
    observed,
    expected,
    pValue,
    spike: observed >= opts.minCount && observed >= (opts.minRatio ?? 2) * expected && pValue < opts.alpha,
  };
}

/** Hourly counts of event times in [startMs, startMs + hours·1h). */
export function hourlyCounts(times: readonly number[], startMs: number, hours: number): Float64Array {
  const out = new Float64Array(hours);
  for (const t of times) {
    const i = Math.floor((t - startMs) / HOUR);
    if (i >= 0 && i < hours) out[i]!++;
  }
  return out;
}

/** The trailing windows tested by default: quick on sharp spikes, still sensitive to a two-hour one. */
export const DEFAULT_WINDOWS_MINUTES = [30, 60, 120];

export interface DetectOptions {
  alpha: number;
  minCount: number;
  /** Smallest observed/expected ratio of a spike (default 2). */
  minRatio?: number;
  /** Lengths of the trailing windows tested (default 30, 60 and 120 minutes); alpha is shared among them. */
  windowsMinutes?: number[];
  /** Weeks of history the baseline is fitted on (default 4). */
  historyWeeks?: number;
}

/** How much history a test stood on. */
export interface HistoryUsed {
  /** Whole hours of history the baseline was fitted on (from the series' first event, or `since`). */
  hours: number;
  /** The baseline's full span in hours. */
  fullHours: number;
}

/** One series as a test reads it: its hourly counts over the history, and its event times near now. */
export interface SeriesCounts {
  /** The series' counts of the `hours` whole hours from `startMs` (an UTC hour boundary). */
  hourly(startMs: number, hours: number): ArrayLike<number>;
  /** Its event times in the trailing windows (earlier ones are not counted). */
  recent: readonly number[];
}

/**
 * Tests the trailing windows ending at `nowMs` of one series (its event times) against the baseline
 * fitted on the whole hours of the history before the longest window. Returns the most significant
 * window's test (`spike` when any window is one at alpha / windows) and the history it stood on.
 *
 * History starts at `sinceMs` (when the workspace or series began; default: the series' first event): hours
 * before it are not counted as quiet ones. With less than the full span, the level is pulled toward a prior of
 * one ticket a day ({@link PRIOR_HOURS} hours' worth), and the evidence needed grows as the history shrinks
 * (below nine tenths of the span):
 * alpha is scaled by the share of the span covered and `minCount` by up to two; with no history at all nothing
 * is a spike.
 *
 * @example detectSpike(times, now, { alpha: 0.001, minCount: 5 }).history // { hours: 36, fullHours: 672 }
 */
export function detectSpike(
  times: readonly number[],
  nowMs: number,
  opts: DetectOptions & { sinceMs?: number },
): SpikeTest & { windowStart: number; history: HistoryUsed } {
  let first = nowMs;
  for (const t of times) if (t < first) first = t;
  return detectSpikeIn({ hourly: (startMs, hours) => hourlyCounts(times, startMs, hours), recent: times }, nowMs, {
    ...opts,
    sinceMs: opts.sinceMs ?? first,
  });
}

/** {@link detectSpike} of a series given as hourly counts (e.g. from rollups) and its recent event times. */
export function detectSpikeIn(
  series: SeriesCounts,
  nowMs: number,
  opts: DetectOptions & { sinceMs: number },
): SpikeTest & { windowStart: number; history: HistoryUsed } {
  const windows = opts.windowsMinutes ?? DEFAULT_WINDOWS_MINUTES;
  const { historyStart, historyEnd, fullHours } = historySpan(nowMs, opts);
  const hours = Math.max(0, Math.round((historyEnd - historyStart) / HOUR));
  const counts = series.hourly(historyStart, hours);
  const model = fitSeasonal(counts, historyStart);
  const coverage = hours / fullHours;
  let alpha = opts.alpha;
  let minCount = opts.minCount;
  // a history missing less than a tenth of the span (a series that began a day or two into it) counts as full
  if (coverage < 0.9) {
    let total = 0;
    for (let i = 0; i < hours; i++) total += counts[i]!;
    model.level = (total + PRIOR_HOURS / 24) / (hours + PRIOR_HOURS);
    alpha *= coverage;
    minCount = Math.ceil(minCount * (2 - coverage));
  }
  let best: (SpikeTest & { windowStart: number }) | null = null;
  for (const minutes of windows) {
    const from = nowMs - minutes * 60_000;
    let observed = 0;
    for (const t of series.recent) if (t >= from && t < nowMs) observed++;
    const test = testWindow(model, from, nowMs, observed, {
      alpha: alpha / windows.length,
      minCount,
      minRatio: opts.minRatio ?? 2,
    });
    if (!best || test.pValue < best.pValue) best = { ...test, windowStart: from };
  }
  return { ...best!, history: { hours, fullHours } };
}

/**
 * The whole hours a test at `nowMs` fits its baseline on: up to `historyWeeks` before the hour in which the longest
 * window starts, from `sinceMs` (rounded up to an hour) at the earliest.
 */
export function historySpan(
  nowMs: number,
  opts: Pick<DetectOptions, 'windowsMinutes' | 'historyWeeks'> & { sinceMs?: number },
): { historyStart: number; historyEnd: number; fullHours: number } {
  const longest = Math.max(...(opts.windowsMinutes ?? DEFAULT_WINDOWS_MINUTES)) * 60_000;
  const historyEnd = Math.floor((nowMs - longest) / HOUR) * HOUR;
  const fullHours = (opts.historyWeeks ?? 4) * 7 * 24;
  const historyStart = Math.max(historyEnd - fullHours * HOUR, Math.ceil((opts.sinceMs ?? -Infinity) / HOUR) * HOUR);
  return { historyStart, historyEnd, fullHours };
}
