/**
 * The soak's verdict: a least-squares line through each series after the warm-up, and a
 * stated limit on its slope. Pure functions, unit-tested in slope.test.ts.
 */

export interface Point {
  /** Minutes since the load started. */
  minute: number;
  value: number;
}

export interface Fit {
  /** Units per minute. */
  slope: number;
  intercept: number;
  points: number;
}

/** Ordinary least squares; null with fewer than two distinct minutes. */
export function fitLine(points: readonly Point[]): Fit | null {
  const n = points.length;
  if (n < 2) return null;
  const meanX = points.reduce((sum, p) => sum + p.minute, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.value, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.minute - meanX) ** 2;
    sxy += (p.minute - meanX) * (p.value - meanY);
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  return { slope, intercept: meanY - slope * meanX, points: n };
}

export interface SeriesLimit {
  key: string;
  label: string;
  unit: string;
  /** Shown values are divided by this (bytes → MB). */
  scale: number;
  /** The largest slope allowed, in shown units per minute; null: shown, not judged. */
  maxSlopePerMinute: number | null;
}

export interface SeriesVerdict {
  key: string;
  label: string;
  unit: string;
  first: number | null;
  last: number | null;
  min: number | null;
  max: number | null;
  slopePerMinute: number | null;
  maxSlopePerMinute: number | null;
  /** pass / fail, or not judged: no limit, or a window after the warm-up too short for a slope to mean anything. */
  verdict: 'pass' | 'fail' | 'not judged';
}

/**
 * Judges each series over the samples taken at or after `warmupMinutes`. A slope is only
 * judged when that window spans at least `minJudgedMinutes` (a line through two minutes of
 * a one-minute smoke says nothing about a leak).
 */
export function judge(
  samples: ReadonlyArray<{ minute: number; values: Record<string, number | null> }>,
  limits: readonly SeriesLimit[],
  warmupMinutes: number,
  minJudgedMinutes: number,
): SeriesVerdict[] {
  return limits.map((limit) => {
    const all = samples
      .map((s) => ({ minute: s.minute, value: s.values[limit.key] }))
      .filter((p): p is Point => typeof p.value === 'number' && Number.isFinite(p.value))
      .map((p) => ({ minute: p.minute, value: p.value / limit.scale }));
    const window = all.filter((p) => p.minute >= warmupMinutes);
    const fit = fitLine(window);
    const span = window.length > 0 ? window[window.length - 1].minute - window[0].minute : 0;
    const judged = fit !== null && span >= minJudgedMinutes && limit.maxSlopePerMinute !== null;
    const values = all.map((p) => p.value);
    return {
      key: limit.key,
      label: limit.label,
      unit: limit.unit,
      first: all[0]?.value ?? null,
      last: all[all.length - 1]?.value ?? null,
      min: values.length ? Math.min(...values) : null,
      max: values.length ? Math.max(...values) : null,
      slopePerMinute: fit?.slope ?? null,
      maxSlopePerMinute: limit.maxSlopePerMinute,
      verdict: !judged ? 'not judged' : (fit as Fit).slope <= (limit.maxSlopePerMinute as number) ? 'pass' : 'fail',
    };
  });
}
