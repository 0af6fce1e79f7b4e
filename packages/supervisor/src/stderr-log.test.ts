import { STDERR_LOG_BURST, STDERR_LOG_WINDOW_MS, StderrLog } from './stderr-log';
import type { Logger } from './types';

// A child's stderr flood is logged up to a burst per window, then counted and reported once;
// every line still reaches the tail and the 'stderr' listeners. Fake timers drive the window.

interface Recorded {
  level: 'info' | 'warn';
  message: string;
  meta?: Record<string, unknown>;
}

function recordingLogger(records: Recorded[]): Logger {
  return {
    error: () => undefined,
    debug: () => undefined,
    info: (message, meta) => records.push({ level: 'info', message, meta }),
    warn: (message, meta) => records.push({ level: 'warn', message, meta }),
  };
}

function linesOf(count: number, from = 0): Buffer {
  return Buffer.from(Array.from({ length: count }, (_, i) => `line ${from + i}\n`).join(''));
}

beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
afterEach(() => jest.useRealTimers());

test('a flood: the burst is logged, the rest counted and reported once when the window ends; every line reaches the tail and the listeners', () => {
  const records: Recorded[] = [];
  const seen: string[] = [];
  const log = new StderrLog('flooder', 42, 5, recordingLogger(records), (line) => seen.push(line));
  log.push(linesOf(STDERR_LOG_BURST + 1500));

  expect(records.filter((r) => r.level === 'info')).toHaveLength(STDERR_LOG_BURST);
  expect(records[0]).toEqual({ level: 'info', message: 'line 0', meta: { server: 'flooder', stream: 'stderr', pid: 42 } });
  expect(records.some((r) => r.level === 'warn')).toBe(false);
  expect(seen).toHaveLength(STDERR_LOG_BURST + 1500);
  expect(log.tail()).toEqual([2495, 2496, 2497, 2498, 2499].map((n) => `line ${n}`));

  jest.advanceTimersByTime(STDERR_LOG_WINDOW_MS);
  const warnings = records.filter((r) => r.level === 'warn');
  expect(warnings).toHaveLength(1);
  expect(warnings[0].message).toMatch(/^1500 stderr lines of server "flooder" were not logged: it wrote more than 1000 in 10 s\./);
  expect(warnings[0].meta).toMatchObject({ suppressedLines: 1500 });

  // A new window logs again.
  log.push(linesOf(3, 10_000));
  expect(records.slice(-3).map((r) => r.message)).toEqual(['line 10000', 'line 10001', 'line 10002']);
});

test('lines within the burst are all logged, and nothing is reported', () => {
  const records: Recorded[] = [];
  const log = new StderrLog('quiet', null, 3, recordingLogger(records));
  log.push(linesOf(STDERR_LOG_BURST));
  jest.advanceTimersByTime(STDERR_LOG_WINDOW_MS * 2);
  log.end();
  expect(records).toHaveLength(STDERR_LOG_BURST);
  expect(records.every((r) => r.level === 'info')).toBe(true);
});

test('the end of stderr (the child exited) reports what was suppressed at once', () => {
  const records: Recorded[] = [];
  const log = new StderrLog('crashing', 7, 3, recordingLogger(records));
  log.push(linesOf(STDERR_LOG_BURST + 2));
  log.end();
  expect(records.at(-1)).toMatchObject({ level: 'warn', meta: { suppressedLines: 2 } });
  jest.advanceTimersByTime(STDERR_LOG_WINDOW_MS);
  expect(records.filter((r) => r.level === 'warn')).toHaveLength(1);
});
