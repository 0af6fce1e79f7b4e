import { PassThrough } from 'node:stream';
import { createLogger } from './logger';
import { REDACTED, redactValue } from './redact';

describe('redaction', () => {
  it('masks secret-named fields at any depth and bearer tokens inside strings', () => {
    const input = {
      headers: { Authorization: 'Bearer abc.def', 'x-api-key': 'k1', accept: 'application/json' },
      config: { apiKey: 'k2', privateKey: 'p', nested: { clientSecret: 's', token: 't' } },
      note: 'sent bearer xyz123 to the server',
      count: 3,
    };
    expect(redactValue(input)).toEqual({
      headers: { Authorization: REDACTED, 'x-api-key': REDACTED, accept: 'application/json' },
      config: { apiKey: REDACTED, privateKey: REDACTED, nested: { clientSecret: REDACTED, token: REDACTED } },
      note: `sent bearer ${REDACTED} to the server`,
      count: 3,
    });
    expect(input.headers.Authorization).toBe('Bearer abc.def'); // the caller's object is untouched
  });

  it('keeps secrets out of the JSON lines the logger writes', async () => {
    const stream = new PassThrough();
    const chunks: string[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
    const logger = createLogger({ level: 'debug', format: 'json', stream });
    logger.info('calling with Authorization: Bearer s3cr3t-token', { apiKey: 'k', server: 'aws' });
    logger.child({ server: 'x' }).debug('child record', { password: 'pw' });
    await new Promise<void>((resolve) => setImmediate(resolve));
    const records = chunks.join('').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({ level: 'info', message: `calling with Authorization: Bearer ${REDACTED}`, apiKey: REDACTED, server: 'aws' });
    expect(records[1]).toMatchObject({ level: 'debug', server: 'x', password: REDACTED });
    expect(chunks.join('')).not.toMatch(/s3cr3t|"pw"/);
  });

  it('is silent at level none', async () => {
    const stream = new PassThrough();
    const chunks: string[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
    const logger = createLogger({ level: 'none', format: 'json', stream });
    logger.error('nothing');
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(chunks).toEqual([]);
  });
});
