/**
 * Spike detection on synthetic ticket streams with injected spikes: detection delay and false alarms per
 * week, for the detector and settings the sweep uses (src/insights/anomaly.ts, workspace defaults).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Deskmind } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { testSeries } from '../src/insights/anomalies.js';
import { DEFAULT_WINDOWS_MINUTES, detectSpike } from '../src/insights/anomaly.js';
import { InsightsSettingsSchema } from '../src/insights/settings.js';
import { openPglite } from '../src/store/db.js';
import { anomalyTestsFromScratch } from './insights-scratch.js';
import { machine, writeResult } from './record.js';
import { serverDatabase, time } from './scale.js';
import { generateHistory } from './synthetic.js';

const here = dirname(fileURLToPath(import.meta.url));
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const WARMUP_WEEKS = 4;
const EVAL_WEEKS = 4;
const STEP = 10 * MIN;
const SPIKE_HOURS = 2;
const COOLDOWN = 6 * HOUR;
const START = Date.UTC(2026, 0, 5); // a Monday

export function rng(seed: number) {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function poisson(lambda: number, rand: () => number): number {
  if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * gaussian(rand)));
  const l = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rand();
  } while (p > l);
  return k - 1;
}

function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand());
}

/** Gamma(shape, 1/shape) with mean 1 (Marsaglia–Tsang). */
function gammaMeanOne(shape: number, rand: () => number): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = gaussian(rand);
    const v = (1 + c * x) ** 3;
    if (v > 0 && Math.log(rand() || 1e-12) < 0.5 * x * x + d - d * v + d * Math.log(v)) return (d * v) / shape;
  }
}

/** Office-hours seasonality: busy 8–18 UTC on weekdays, quiet nights, weekends at 40%. */
function seasonal(ms: number): number {
  const d = new Date(ms);
  const h = d.getUTCHours();
  const hourly = h >= 8 && h < 18 ? 1.8 : h >= 6 && h < 21 ? 0.8 : 0.2;
  const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6 ? 0.4 : 1;
  return hourly * weekend;
}

interface Spike {
  start: number;
  end: number;
  magnitude: number;
}

/** Events of one series: seasonal Poisson (optionally with day-to-day gamma noise) plus the spikes. */
export function stream(base: number, overdispersion: number | null, spikes: Spike[], rand: () => number): number[] {
  const times: number[] = [];
  const end = START + (WARMUP_WEEKS + EVAL_WEEKS) * WEEK;
  let dayNoise = 1;
  for (let t = START; t < end; t += HOUR) {
    if ((t - START) % DAY === 0) dayNoise = overdispersion ? gammaMeanOne(overdispersion, rand) : 1;
    let lambda = base * seasonal(t) * dayNoise;
    const spike = spikes.find((s) => t >= s.start && t < s.end);
    // A spike multiplies the rate, with at least `magnitude` extra tickets an hour (0.2 more an hour is no spike).
    if (spike) lambda += Math.max((spike.magnitude - 1) * lambda, spike.magnitude);
    const n = poisson(lambda, rand);
    for (let i = 0; i < n; i++) times.push(t + Math.floor(rand() * HOUR));
  }
  return times.sort((a, b) => a - b);
}

/** Runs the detector every 10 minutes of the evaluation weeks, with the sweep's cooldown; writes
 * `bench/results/anomalies.json`. */
export async function benchAnomalies(): Promise<object> {
  const defaults = InsightsSettingsSchema.parse({}).anomalies;
  const byAlpha: Record<string, unknown> = {};
  for (const alpha of [1e-3, defaults.alpha, 1e-5]) {
    const { perSeries: _p, settings: _s, howMeasured: _h, ...r } = run(alpha, defaults.minCount, defaults.minRatio);
    byAlpha[String(alpha)] = r;
  }
  const record = {
    benchmark: 'anomalies',
    date: new Date().toISOString(),
    machine: machine(),
    ...run(defaults.alpha, defaults.minCount, defaults.minRatio),
    byAlpha,
  };
  writeResult(resolve(here, 'results', 'anomalies.json'), record);
  return record;
}

function run(alpha: number, minCount: number, minRatio: number) {
  const rand = rng(2026);
  const bases = [0.1, 0.5, 2, 8];
  const noises: (number | null)[] = [null, 10];
  const perSeries: {
    baseRatePerHour: number;
    noise: string;
    spikes: { magnitude: number; delayMinutes: number | null }[];
    falseAlarmsPerWeek: number;
  }[] = [];
  let falseAlarms = 0;
  let seriesWeeks = 0;
  const delays: number[] = [];
  let detected = 0;
  let injected = 0;
  const started = performance.now();
  let tests = 0;
  for (const base of bases) {
    for (const noise of noises) {
      const spikes: Spike[] = [];
      for (let w = 0; w < EVAL_WEEKS; w++) {
        // One spike a week at a random hour of a random day (not the week's first 6 hours), 3× or 5×.
        const start = START + (WARMUP_WEEKS + w) * WEEK + 6 * HOUR + Math.floor(rand() * (6 * 24 - 12)) * HOUR;
        spikes.push({ start, end: start + SPIKE_HOURS * HOUR, magnitude: w % 2 ? 5 : 3 });
      }
      const times = stream(base, noise, spikes, rand);
      const alerts: number[] = [];
      let lastAlert = -Infinity;
      let lo = 0;
      const evalStart = START + WARMUP_WEEKS * WEEK;
      for (let now = evalStart; now < evalStart + EVAL_WEEKS * WEEK; now += STEP) {
        if (now - lastAlert < COOLDOWN) continue;
        // Only the history the detector reads (5 weeks back), as the service loads it.
        while (lo < times.length && times[lo]! < now - 5 * WEEK) lo++;
        let hi = lo;
        while (hi < times.length && times[hi]! < now) hi++;
        const window = times.slice(lo, hi);
        if (window.length === 0) continue;
        tests++;
        const r = detectSpike(window, now, { alpha, minCount, minRatio });
        if (r.spike) {
          alerts.push(now);
          lastAlert = now;
        }
      }
      // An alert belongs to a spike when it fires during the spike or within 6 hours after its start.
      let fa = 0;
      for (const a of alerts) if (!spikes.some((s) => a > s.start && a <= s.start + 6 * HOUR)) fa++;
      const found = spikes.map((s) => {
        const first = alerts.find((a) => a > s.start && a <= s.start + 6 * HOUR);
        return first === undefined ? null : (first - s.start) / MIN;
      });
      for (const d of found) if (d !== null) delays.push(d);
      detected += found.filter((d) => d !== null).length;
      injected += spikes.length;
      falseAlarms += fa;
      seriesWeeks += EVAL_WEEKS;
      perSeries.push({
        baseRatePerHour: base,
        noise: noise ? `gamma day-to-day noise (shape ${noise}, sd ${(1 / Math.sqrt(noise)).toFixed(2)})` : 'Poisson',
        spikes: spikes.map((s, i) => ({ magnitude: s.magnitude, delayMinutes: found[i] ?? null })),
        falseAlarmsPerWeek: fa / EVAL_WEEKS,
      });
    }
  }
  delays.sort((a, b) => a - b);
  const q = (p: number) => delays[Math.min(delays.length - 1, Math.floor(p * delays.length))] ?? null;
  return {
    howMeasured:
      `${bases.length * noises.length} synthetic hourly series (base rates ${bases.join(', ')} tickets/hour × ` +
      `{Poisson, Poisson with day-to-day gamma noise}), ` +
      `with office-hours and weekend seasonality; ${WARMUP_WEEKS} weeks of history then ${EVAL_WEEKS} evaluated ` +
      `weeks with one ${SPIKE_HOURS}-hour spike a week per series ` +
      `(rate ×3 or ×5, at least +3 or +5 tickets/hour). The detector runs every 10 minutes on the trailing ` +
      `${DEFAULT_WINDOWS_MINUTES.join('-, ')}-minute windows against the seasonal baseline fitted on the ` +
      `4 weeks before, with the workspace defaults (alpha ${alpha} shared by the windows, at least ${minCount} ` +
      `tickets and ${minRatio}× the expected count) and the sweep's 6-hour cooldown. Delay: spike start to first ` +
      `alert (within 6 h); ` +
      `a false alarm is an alert outside [spike start, +6 h].`,
    settings: { alpha, minCount, minRatio, windowsMinutes: DEFAULT_WINDOWS_MINUTES, historyWeeks: 4, cooldownHours: 6 },
    spikes: injected,
    detected,
    detectionRate: Math.round((detected / injected) * 1000) / 1000,
    detectionRateByMagnitude: Object.fromEntries(
      [3, 5].map((m) => {
        const all = perSeries.flatMap((p) => p.spikes.filter((s) => s.magnitude === m));
        return [`x${m}`, Math.round((all.filter((s) => s.delayMinutes !== null).length / all.length) * 1000) / 1000];
      }),
    ),
    delayMinutes: { median: q(0.5), p90: q(0.9), max: delays.at(-1) ?? null },
    falseAlarmsPerSeriesWeek: Math.round((falseAlarms / seriesWeeks) * 1000) / 1000,
    falseAlarms,
    tests,
    /** Under a Poisson baseline a test false-alarms with probability ≤ alpha: tests × alpha bounds the expected count
     * (tests overlap, so fewer are independent). */
    nominalBound: Math.round(tests * alpha * 100) / 100,
    runtimeMs: Math.round(performance.now() - started),
    perSeries,
  };
}

/**
 * What one anomaly scan reads, before and after the rollups, at each size: `n` synthetic tickets over 30 days
 * (bench/synthetic.ts, a third with a page feature and errors) on the embedded database and on the PostgreSQL server
 * (DESKMIND_TEST_DATABASE_URL). before: the former read of every ticket of the 4 weeks and 2 hours
 * (anomalyTestsFromScratch); after: testSeries (the last hours from the tickets, the history from the hourly
 * rollups). Both give the same tests (checked here). Median of 3 after a warm-up; writes
 * bench/results/anomalies-read.json.
 */
export async function benchAnomalyReads(sizes: number[], only?: 'embedded' | 'server'): Promise<object> {
  const config = loadConfig();
  const settings = InsightsSettingsSchema.parse({}).anomalies;
  const loadAtStart = loadavg().map((l) => Math.round(l * 100) / 100);
  const runs = [];
  for (const kind of ['embedded', 'server'] as const) {
    if ((only && only !== kind) || (kind === 'server' && !config.testDatabaseUrl)) continue;
    for (const n of sizes) {
      const dir = kind === 'embedded' ? mkdtempSync(join(tmpdir(), 'deskmind-anomalies-')) : null;
      const server = dir
        ? null
        : await serverDatabase(config.testDatabaseUrl!, `deskmind_bench_anomalies_${process.pid}`);
      const database = dir ? await openPglite(dir) : server!.database;
      try {
        await database.migrate();
        const now = new Date();
        const desk = await Deskmind.open({
          config: loadConfig({ logLevel: 'silent' }),
          database,
          worker: false,
          now: () => now,
        });
        try {
          const { workspace } = await desk.createWorkspace('Anomaly bench');
          await generateHistory(database.executeSql, {
            workspaceId: workspace.id,
            tickets: n,
            days: 30,
            now,
            pages: true,
          });
          const ctx = desk.ctx(workspace.id, { type: 'system', id: null });
          const after = await testSeries(ctx, settings);
          const before = await anomalyTestsFromScratch(ctx, settings);
          const same =
            JSON.stringify(after.map((s) => [s.dimension, s.key, s.test.observed, s.test.spike]).sort()) ===
            JSON.stringify(before.map((s) => [s.dimension, s.key, s.test.observed, s.test.spike]).sort());
          if (!same) throw new Error(`anomaly bench: the tests before and after differ at ${n} ${kind}`);
          const run = {
            kind,
            tickets: n,
            seriesTested: after.length,
            before: await time(database, () => anomalyTestsFromScratch(ctx, settings), 3),
            after: await time(database, () => testSeries(ctx, settings), 3),
          };
          console.error(`anomalies: ${kind} ${n} before ${run.before.ms} ms, after ${run.after.ms} ms`);
          runs.push(run);
        } finally {
          await desk.close();
        }
      } finally {
        if (dir) rmSync(dir, { recursive: true, force: true });
        else await server!.drop();
      }
    }
  }
  const record = {
    benchmark: 'anomalies-read',
    description:
      'One anomaly scan (every intent, topic, feature and error series with enough recent tickets) on n synthetic ' +
      'tickets over 30 days, a third with a page feature and errors. before: every ticket of the 4 weeks and 2 ' +
      'hours read into JavaScript (the former code, bench/insights-scratch.ts); after: the last hours from the ' +
      'tickets and the hourly history from insight_rollups (src/insights/anomalies.ts testSeries). Same tests ' +
      '(checked). ms: wall time, median of 3 after a warm-up; nodeCpuMs and serverCpuMs (server backends, /proc).',
    machine: machine(),
    loadAverageAtStart: loadAtStart,
    loadAverageAtEnd: loadavg().map((l) => Math.round(l * 100) / 100),
    runs,
  };
  writeResult(resolve(here, 'results', 'anomalies-read.json'), record);
  return record;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  if (args[0] === 'reads') {
    const sizes = args.filter((a) => /^\d+$/.test(a)).map(Number);
    const only = args.includes('embedded-only') ? 'embedded' : args.includes('server-only') ? 'server' : undefined;
    await benchAnomalyReads(sizes.length ? sizes : [10_000, 100_000], only);
  } else await benchAnomalies();
}
