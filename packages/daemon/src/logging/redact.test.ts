import { PassThrough } from 'node:stream';
import { SupervisedServer } from '@mcp-workstation/supervisor';
import { logRequest } from '../service/foreground';
import { createLogger } from './logger';
import { KnownSecrets, REDACTED, redactValue } from './redact';

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

describe('secrets through every log path', () => {
  // What the daemon handles: a registration token, an agent secret (the reference gateway's
  // prefixes, and an opaque one from another gateway), a WireGuard private key (base64, and hex
  // as wireguard-go's UAPI writes it), a PEM key, and the Authorization headers of callers.
  const registrationToken = `mwreg_${'R'.repeat(20)}tok3nValue_0123456789`;
  const agentSecret = `mwsec_${'S'.repeat(20)}secr3tValue-0123456789`;
  const opaqueAgentSecret = 'Zk9xVbQ2mL7pW3nR8tY1uI4oP6aS5dF0';
  const privateKey = Buffer.alloc(32, 7).toString('base64');
  const privateKeyHex = Buffer.from(privateKey, 'base64').toString('hex');
  const bearer = 'eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.bearerSig';
  const basic = Buffer.from('alice:hunter2hunter2').toString('base64');
  const pem = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIPEMsecretPEMbody0123456789abcdef\n-----END PRIVATE KEY-----';
  const ALL = [registrationToken, agentSecret, opaqueAgentSecret, privateKey, privateKeyHex, bearer, basic, 'PEMsecretPEMbody'];

  /** Lines as a log reader sees them, and the text a careless program would print. */
  const leakyLines = [
    `registering with token=${registrationToken}`,
    `welcome {"agentId":"agt_1","agentSecret":"${agentSecret}"}`,
    `[Interface]\nPrivateKey = ${privateKey}`,
    `set=1\nprivate_key=${privateKeyHex}\nlisten_port=51820`,
    `GET /control Authorization: Bearer ${bearer}`,
    `proxy said authorization: Basic ${basic}`,
    `the key file holds ${pem}`,
    `the gateway sent ${opaqueAgentSecret} back`,
  ];

  function capture(known: KnownSecrets) {
    const stream = new PassThrough();
    const chunks: string[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
    const logger = createLogger({ level: 'debug', format: 'json', stream, knownSecrets: known });
    return { logger, text: () => chunks.join('') };
  }

  it('hides each of them in messages, metadata, child stderr and request lines, and keeps the rest readable', async () => {
    const known = new KnownSecrets();
    // The daemon registers what it holds (planTunnel: agent secret, private keys in both forms).
    known.add(opaqueAgentSecret, privateKey, privateKeyHex);
    const { logger, text } = capture(known);

    // 1. The logger itself: messages and metadata, at every level and in child loggers.
    for (const line of leakyLines) logger.info(line);
    logger.child({ component: 'tunnel' }).warn('hello refused', { headers: { Authorization: `Bearer ${bearer}` }, registrationToken, agentSecret, privateKey, detail: { nested: { agentSecret } } });
    logger.error(new Error(`control channel: 4401 for ${agentSecret}`).message);

    // 2. A real child's stderr, through the supervisor, tagged with the server's name.
    const child = new SupervisedServer({
      name: 'leaky',
      command: { command: process.execPath, args: ['-e', `for (const line of ${JSON.stringify(leakyLines)}) console.error(line); console.error('stderr done'); setInterval(() => {}, 1000);`] },
      restart: { enabled: false },
      logger: logger.child({ server: 'leaky' }),
    });
    await child.start();
    await waitUntil(() => text().includes('stderr done'));
    await child.stop();

    // 3. Request lines (foreground and debug): the method is whatever a client sent.
    logRequest(logger, { server: 'leaky', method: `tools/call token=${registrationToken}`, durationMs: 3, outcome: 'error', errorCode: -32602 });

    await new Promise<void>((resolve) => setImmediate(resolve));
    const output = text();
    for (const secret of ALL) expect(output).not.toContain(secret);
    expect(output).toContain(REDACTED);
    expect(output).toContain('stderr done');
    expect(output).toContain('"server":"leaky"');
    expect(output).toContain('listen_port=51820');
    expect(output).toContain('tools/call token=');
  });

  it('keeps what only looks like a secret name: file locations and short words', async () => {
    const { logger, text } = capture(new KnownSecrets());
    logger.info('gateway answered 401 invalid_token: missing', { tokenFile: '/run/secrets/registration_token', apiKeyFile: '/etc/mcpw/key' });
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(text()).toContain('invalid_token: missing');
    expect(text()).toContain('"tokenFile":"/run/secrets/registration_token"');
    expect(text()).toContain('"apiKeyFile":"/etc/mcpw/key"');
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the child stderr to be logged');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
