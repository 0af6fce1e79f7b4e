import { PassThrough } from 'node:stream';
import { createLogger, setLogLevel } from './logger';

// Records below the level are dropped before winston formats them (its own pipeline formats
// first and filters in the transports); what is at or above the level is written as before.

function captured(level: 'info' | 'debug' | 'none') {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const logger = createLogger({ level, format: 'json', stream });
  return { logger, text: () => text };
}

/** Metadata that counts how often anything reads it: formatting a record reads every field. */
function countingMeta(): { meta: Record<string, unknown>; reads: () => number } {
  let reads = 0;
  const meta = {};
  Object.defineProperty(meta, 'probe', {
    enumerable: true,
    get: () => {
      reads += 1;
      return 'value';
    },
  });
  return { meta, reads: () => reads };
}

describe('createLogger levels', () => {
  test('a debug record at info level is neither formatted nor written; info is, for the logger and its children', async () => {
    const { logger, text } = captured('info');
    const probe = countingMeta();
    logger.debug('hidden detail', probe.meta);
    logger.child({ server: 'aws' }).debug('hidden child detail', probe.meta);
    expect(probe.reads()).toBe(0);
    logger.child({ server: 'aws' }).info('shown', { n: 1 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(text()).toContain('"message":"shown"');
    expect(text()).toContain('"server":"aws"');
    expect(text()).not.toContain('hidden');
  });

  test('after setLogLevel(debug) debug records are written, by children made before the change too', async () => {
    const { logger, text } = captured('info');
    const child = logger.child({ server: 'aws' });
    setLogLevel(logger, 'debug');
    child.debug('now visible');
    logger.debug('root visible');
    setLogLevel(logger, 'none');
    logger.error('silenced');
    await new Promise((resolve) => setImmediate(resolve));
    expect(text()).toContain('now visible');
    expect(text()).toContain('root visible');
    expect(text()).not.toContain('silenced');
  });
});
