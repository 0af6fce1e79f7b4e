import { fitLine, judge, type SeriesLimit } from './slope';

// The soak's verdict (test/soak/slope.ts): the line through the samples after the warm-up.

const MB = 1024 * 1024;
const LIMIT: SeriesLimit = { key: 'rss', label: 'RSS', unit: 'MB', scale: MB, maxSlopePerMinute: 1 };

function samples(minutes: number, valueAt: (minute: number) => number) {
  return Array.from({ length: minutes + 1 }, (_, minute) => ({ minute, values: { rss: valueAt(minute) * MB } }));
}

describe('fitLine', () => {
  it('finds the slope and intercept of points on a line', () => {
    const fit = fitLine([0, 1, 2, 3].map((minute) => ({ minute, value: 5 + 2 * minute })));
    expect(fit?.slope).toBeCloseTo(2);
    expect(fit?.intercept).toBeCloseTo(5);
  });

  it('has no line through fewer than two distinct minutes', () => {
    expect(fitLine([{ minute: 1, value: 3 }])).toBeNull();
    expect(fitLine([{ minute: 1, value: 3 }, { minute: 1, value: 4 }])).toBeNull();
  });
});

describe('judge', () => {
  it('fails a series that grows faster than its limit after the warm-up', () => {
    const [verdict] = judge(samples(60, (minute) => 100 + 1.5 * minute), [LIMIT], 5, 10);
    expect(verdict.verdict).toBe('fail');
    expect(verdict.slopePerMinute).toBeCloseTo(1.5);
  });

  it('passes a flat series, whatever the warm-up did', () => {
    const [verdict] = judge(samples(60, (minute) => (minute < 5 ? 50 + 20 * minute : 150 + (minute % 2))), [LIMIT], 5, 10);
    expect(verdict.verdict).toBe('pass');
    expect(Math.abs(verdict.slopePerMinute as number)).toBeLessThan(0.1);
  });

  it('does not judge a window shorter than the minimum, nor a series without a limit', () => {
    expect(judge(samples(8, (minute) => 100 + 10 * minute), [LIMIT], 5, 10)[0].verdict).toBe('not judged');
    expect(judge(samples(60, (minute) => 100 + 10 * minute), [{ ...LIMIT, maxSlopePerMinute: null }], 5, 10)[0].verdict).toBe('not judged');
  });

  it('ignores missing values (a scrape that failed)', () => {
    const series = samples(30, (minute) => 100 + 0.2 * minute).map((s, i) => (i % 3 === 0 ? { ...s, values: { rss: null } } : s));
    const [verdict] = judge(series, [LIMIT], 5, 10);
    expect(verdict.verdict).toBe('pass');
    expect(verdict.slopePerMinute).toBeCloseTo(0.2);
  });
});
