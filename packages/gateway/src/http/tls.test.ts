import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import { WebSocket } from 'ws';
import { newAgentKey, registrationBody, startTestGateway, type TestGateway } from '../test-support/gateway-harness.js';
import { makeTempDir, removeDir } from '../test-support/temp-dir.js';

/** A throwaway self-signed certificate for 127.0.0.1, made with openssl for this test only. */
async function selfSignedCertificate(dir: string): Promise<{ certFile: string; keyFile: string; ca: Buffer }> {
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'ignore' });
  return { certFile, keyFile, ca: await fs.readFile(certFile) };
}

function postJson(url: string, token: string, body: unknown, ca: Buffer): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'POST', ca, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('TLS (--tls-cert, --tls-key)', () => {
  let dir: string;
  let certDir: string;
  let harness: TestGateway | undefined;

  beforeEach(async () => {
    dir = await makeTempDir();
    certDir = await makeTempDir();
  });
  afterEach(async () => {
    await harness?.gateway.close();
    await removeDir(dir);
    await removeDir(certDir);
  });

  it('serves registration over https and hands out a wss:// controlUrl that works', async () => {
    const { certFile, keyFile, ca } = await selfSignedCertificate(certDir);
    harness = await startTestGateway(dir, { tls: { certFile, keyFile } });
    expect(harness.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const key = newAgentKey();
    const answer = await postJson(`${harness.url}/v1/agents/register`, await harness.createToken(), registrationBody(key.publicKey), ca);
    expect(answer.status).toBe(201);
    expect(answer.json.controlUrl).toBe(`${harness.url.replace('https:', 'wss:')}/v1/agents/${answer.json.agentId}/control`);

    const ws = new WebSocket(answer.json.controlUrl, { ca, headers: { authorization: `Bearer ${answer.json.agentSecret}` } });
    try {
      const welcome = await new Promise<any>((resolve, reject) => {
        ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', agentVersion: '0.1.0', publicKey: key.publicKey, servers: [], tunnel: { address: answer.json.tunnel.address } })));
        ws.on('message', (data) => resolve(JSON.parse(data.toString())));
        ws.on('error', reject);
      });
      expect(welcome.type).toBe('welcome');
    } finally {
      ws.terminate();
    }
  });

  it('names every file it cannot read, the certificate first, whichever read fails first', async () => {
    await expect(startTestGateway(dir, { tls: { certFile: path.join(certDir, 'missing.pem'), keyFile: path.join(certDir, 'missing-key.pem') } })).rejects.toThrow(
      /^--tls-cert .*missing\.pem: cannot read it \(ENOENT\); give a PEM file\. --tls-key .*missing-key\.pem: cannot read it \(ENOENT\); give a PEM file$/,
    );
  });
});
