import * as path from 'node:path';
import { Writable } from 'node:stream';
import { StatusFrameSchema } from '@mcp-workstation/protocol';
import { AWS_FIXTURES, cleanUpHomes, makeTempHome } from '../aws/test-support/aws-fixtures.js';
import { createLogger } from '../logging/logger.js';
import { startService, type RunningService } from '../wiring.js';
import { serverReports } from './server-reports.js';

// The servers as the tunnel reports them to the gateway: an AWS server carries its
// credentials state, any other none. Real children: the fixture uvx and a plain node server.

let service: RunningService | null = null;

afterEach(async () => {
  await service?.close();
  service = null;
  cleanUpHomes();
});

const quietLogger = () => createLogger({ level: 'error', format: 'json', stream: new Writable({ write: (_chunk, _encoding, done) => done() }) });

test('an AWS server reports {state, since} of its credentials, valid in a status frame; other servers report none', async () => {
  const home = makeTempHome();
  service = await startService(
    {
      host: '127.0.0.1',
      port: 0,
      bridge: {},
      servers: [
        { name: 'aws', mode: 'shared', command: { command: path.join(AWS_FIXTURES, 'uvx'), args: ['mcp-proxy-for-aws==1.6.1', 'https://aws-mcp.us-east-1.api.aws/mcp', '--metadata', 'AWS_REGION=us-east-1'], env: { HOME: home.home, FIXTURE_AWS_STATE_FILE: home.stateFile } } },
        { name: 'plain', mode: 'shared', command: { command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'] } },
      ],
    },
    quietLogger(),
  );
  const before = serverReports(service);
  expect(before.find((report) => report.name === 'aws')?.credentials).toEqual({ state: 'unknown', since: expect.stringMatching(/Z$/) });
  expect(before.find((report) => report.name === 'plain')).not.toHaveProperty('credentials');

  service.servers.get('aws')?.aws?.state.markExpired('ExpiredTokenException');
  const after = serverReports(service);
  expect(after.find((report) => report.name === 'aws')?.credentials).toEqual({ state: 'expired', since: expect.any(String) });
  expect(StatusFrameSchema.safeParse({ type: 'status', servers: after, tunnel: { lastHandshakeAt: null, rxBytes: 0, txBytes: 0 } }).success).toBe(true);
});
