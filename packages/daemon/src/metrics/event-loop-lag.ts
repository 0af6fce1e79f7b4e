import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Gauge, type Registry } from 'prom-client';

/**
 * The event-loop lag gauges (prom-client's names: nodejs_eventloop_lag_{min,max,mean,stddev,
 * p50,p90,p99}_seconds), sampled once a second and reported as the delay BEYOND that second.
 *
 * Why by hand: prom-client reports Node's monitorEventLoopDelay histogram as it is, and Node
 * records the whole time between two samples, so with a 1 s resolution (chosen for an idle
 * daemon's CPU: daemon-metrics.ts) an idle loop read 1.0 s at every percentile, which looks
 * like a stalled daemon on any dashboard. Here the resolution is subtracted (a sample is
 * never below it), so an idle loop reads about 0 and a 300 ms stall reads 0.3 s.
 */
export const LAG_RESOLUTION_MS = 1000;

type Statistic = 'min' | 'max' | 'mean' | 'stddev' | 'p50' | 'p90' | 'p99';

const HELP: Record<Statistic, string> = {
  min: 'The minimum event loop delay beyond the 1 s sampling interval, since the last scrape.',
  max: 'The maximum event loop delay beyond the 1 s sampling interval, since the last scrape.',
  mean: 'The mean event loop delay beyond the 1 s sampling interval, since the last scrape.',
  stddev: 'The standard deviation of the event loop delays, since the last scrape.',
  p50: 'The 50th percentile of the event loop delay beyond the 1 s sampling interval, since the last scrape.',
  p90: 'The 90th percentile of the event loop delay beyond the 1 s sampling interval, since the last scrape.',
  p99: 'The 99th percentile of the event loop delay beyond the 1 s sampling interval, since the last scrape.',
};

/** Registers the gauges in `registry` (replacing prom-client's default ones of the same names). */
export function registerEventLoopLag(registry: Registry, prefix: string): void {
  const histogram = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  histogram.enable();
  const beyond = (nanoseconds: number) => (histogram.count === 0 ? 0 : Math.max(0, nanoseconds / 1e6 - LAG_RESOLUTION_MS) / 1000);
  const read: Record<Statistic, () => number> = {
    min: () => beyond(histogram.min),
    max: () => beyond(histogram.max),
    mean: () => beyond(histogram.mean),
    stddev: () => (histogram.count === 0 ? 0 : histogram.stddev / 1e9),
    p50: () => beyond(histogram.percentile(50)),
    p90: () => beyond(histogram.percentile(90)),
    p99: () => beyond(histogram.percentile(99)),
  };
  const statistics = Object.keys(read) as Statistic[];
  // One scrape reads every gauge in registration order: the first takes the samples since the
  // previous scrape (as prom-client's did) and resets the histogram; the others read that.
  let snapshot = Object.fromEntries(statistics.map((statistic) => [statistic, 0])) as Record<Statistic, number>;
  for (const [index, statistic] of statistics.entries()) {
    const name = `${prefix}nodejs_eventloop_lag_${statistic}_seconds`;
    registry.removeSingleMetric(name);
    new Gauge({
      name,
      help: HELP[statistic],
      registers: [registry],
      collect() {
        if (index === 0) {
          snapshot = Object.fromEntries(statistics.map((each) => [each, read[each]()])) as Record<Statistic, number>;
          histogram.reset();
        }
        this.set(snapshot[statistic]);
      },
    });
  }
}
