/** Calibration helpers: softmax with temperature, NLL fitting, ECE and precision thresholds. */

/** In-place softmax of `z` scaled by 1/temperature; returns the max probability index. */
export function softmaxInPlace(z: Float64Array, n: number, temperature = 1): number {
  let max = -Infinity;
  let arg = 0;
  for (let k = 0; k < n; k++) {
    if (z[k]! > max) {
      max = z[k]!;
      arg = k;
    }
  }
  let sum = 0;
  for (let k = 0; k < n; k++) {
    const e = Math.exp((z[k]! - max) / temperature);
    z[k] = e;
    sum += e;
  }
  for (let k = 0; k < n; k++) z[k]! /= sum;
  return arg;
}

/** Mean negative log-likelihood of the true classes for logits rows at a temperature. */
export function meanNll(logits: Float64Array[], truth: Int32Array, n: number, temperature: number): number {
  let total = 0;
  for (let i = 0; i < logits.length; i++) {
    const z = logits[i]!;
    let max = -Infinity;
    for (let k = 0; k < n; k++) if (z[k]! > max) max = z[k]!;
    let sum = 0;
    for (let k = 0; k < n; k++) sum += Math.exp((z[k]! - max) / temperature);
    const t = truth[i]!;
    const zt = t >= 0 && t < n ? z[t]! : -Infinity;
    total += -((zt - max) / temperature - Math.log(sum));
  }
  return total / Math.max(1, logits.length);
}

/** Temperature minimising held-out NLL (golden-section search on log T). */
export function fitTemperature(logits: Float64Array[], truth: Int32Array, n: number): number {
  let a = Math.log(0.05);
  let b = Math.log(50);
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = meanNll(logits, truth, n, Math.exp(c));
  let fd = meanNll(logits, truth, n, Math.exp(d));
  for (let it = 0; it < 32; it++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = meanNll(logits, truth, n, Math.exp(c));
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = meanNll(logits, truth, n, Math.exp(d));
    }
  }
  return Math.exp((a + b) / 2);
}

/** Expected calibration error with equal-width bins over confidence. */
export function expectedCalibrationError(
  confidence: ArrayLike<number>,
  correct: ArrayLike<boolean>,
  bins = 15,
): number {
  const n = confidence.length;
  if (n === 0) return 0;
  const sumC = new Float64Array(bins);
  const sumA = new Float64Array(bins);
  const cnt = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    const c = confidence[i]!;
    const b = Math.min(bins - 1, Math.floor(c * bins));
    sumC[b]! += c;
    sumA[b]! += correct[i] ? 1 : 0;
    cnt[b]! += 1;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) if (cnt[b]! > 0) ece += Math.abs(sumC[b]! - sumA[b]!) / n;
  return ece;
}

/**
 * Lowest confidence threshold whose accepted set (confidence >= threshold) on held-out data
 * reaches `precision`, maximising coverage. Returns 1.0001 (accept nothing) when unreachable.
 * `minAccepted` guards against thresholds justified by a handful of rows; with `z > 0` the
 * Wilson lower bound of the precision (z standard errors) must reach the target, so that the
 * threshold holds up on new data rather than only on the held-out rows it was picked on.
 */
export function thresholdForPrecision(
  confidence: ArrayLike<number>,
  correct: ArrayLike<boolean>,
  precision: number,
  minAccepted = 1,
  z = 0,
): number {
  const order = Array.from({ length: confidence.length }, (_, i) => i).sort((x, y) => confidence[y]! - confidence[x]!);
  let ok = 0;
  let best = 1.0001;
  for (let r = 0; r < order.length; r++) {
    const i = order[r]!;
    if (correct[i]) ok++;
    const next = order[r + 1];
    // only cut between distinct confidence values
    if (next !== undefined && confidence[next]! === confidence[i]!) continue;
    const n = r + 1;
    if (n >= minAccepted && wilsonLower(ok, n, z) >= precision) best = confidence[i]!;
  }
  return best;
}

/** Wilson score interval lower bound of a proportion ok/n. */
export function wilsonLower(ok: number, n: number, z: number): number {
  if (n === 0) return 0;
  const p = ok / n;
  if (z === 0) return p;
  const z2 = z * z;
  return (p + z2 / (2 * n) - z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
}

/**
 * Isotonic (pool-adjacent-violators) map from confidence to accuracy, stored as knots.
 * Used as an optional second calibration stage; monotone non-decreasing by construction.
 */
export function fitIsotonic(confidence: ArrayLike<number>, correct: ArrayLike<boolean>): { x: number[]; y: number[] } {
  const order = Array.from({ length: confidence.length }, (_, i) => i).sort((a, b) => confidence[a]! - confidence[b]!);
  const xs: number[] = [];
  const ys: number[] = [];
  const ws: number[] = [];
  for (const i of order) {
    xs.push(confidence[i]!);
    ys.push(correct[i] ? 1 : 0);
    ws.push(1);
    while (ys.length > 1 && ys[ys.length - 2]! > ys[ys.length - 1]!) {
      const w = ws.pop()! + ws[ws.length - 1]!;
      const y = (ys.pop()! * (w - ws[ws.length - 1]!) + ys[ys.length - 1]! * ws[ws.length - 1]!) / w;
      const x = xs.pop()!;
      xs[xs.length - 1] = x;
      ys[ys.length - 1] = y;
      ws[ws.length - 1] = w;
    }
  }
  return { x: xs, y: ys };
}
