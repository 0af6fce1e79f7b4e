import { Registry, collectDefaultMetrics } from 'prom-client';
import { registerEventLoopLag } from './event-loop-lag';

// prom-client's lag percentiles at a 1 s sampling interval read 1.0 s on an idle loop (Node's
// histogram records the whole interval); the replacement reports only the delay beyond it.
// The sampler ticks once a second, so these tests take a few seconds of real time.

function valueOf(text: string, name: string): number {
  const line = text.split('\n').find((each) => each.startsWith(`${name} `));
  if (!line) throw new Error(`${name} is not in the scrape:\n${text}`);
  return Number(line.split(' ')[1]);
}

/**
 * Scrapes every 2.5 s until `accept` takes one. A scrape resets the samples (as a Prometheus
 * scrape does) and Node's histogram records nothing at its first tick after a reset, so a
 * scrape needs more than two ticks after the previous one to hold a sample.
 */
async function scrapeUntil(registry: Registry, accept: (text: string) => boolean, what: string): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const text = await registry.metrics();
    if (accept(text)) return text;
    if (Date.now() > deadline) throw new Error(`no scrape within 15 s showed ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
  }
}

test("an idle loop reads a lag near 0, not the 1 s sampling interval; the names are prom-client's", async () => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'idle_', eventLoopMonitoringPrecision: 1000 });
  registerEventLoopLag(registry, 'idle_');
  const text = await scrapeUntil(registry, (scrape) => valueOf(scrape, 'idle_nodejs_eventloop_lag_max_seconds') > 0, 'a sample');
  for (const statistic of ['min', 'max', 'mean', 'p50', 'p90', 'p99']) {
    const value = valueOf(text, `idle_nodejs_eventloop_lag_${statistic}_seconds`);
    expect(value).toBeGreaterThanOrEqual(0);
    expect(value).toBeLessThan(0.5);
  }
  expect(text.match(/^idle_nodejs_eventloop_lag_p99_seconds /gm)).toHaveLength(1);
});
