import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanUp, connectClient, postMcp, rawRequest, resultText, runCli, startDaemon } from './support';
import type { Daemon } from './support';

// Only the daemon's user (and root) may use its loopback listener: a process of another local
// user is refused with 403 naming the fix, unless it sends the daemon's API key, made at first
// start in the state directory. The other user here is uid 65534 (nobody), via setpriv; the
// tests run as root, which is also the daemon's user.

const OTHER_UID = 65534;
const INITIALIZE = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'other-user', version: '1' } } };

let stateDir: string;
beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'mcpw-local-users-'));
});
afterEach(async () => {
  await cleanUp();
  rmSync(stateDir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  text: string;
}

/** One HTTP request made by a Node process running as `uid` (setpriv), with a deadline. */
function requestAs(uid: number, url: string, init: { method?: string; headers?: Record<string, string>; body?: string }): Promise<Answer> {
  // fetch may not send Upgrade: a WebSocket handshake goes through node:http (a refusal arrives as its 'response').
  const script = `
    const init = JSON.parse(process.env.INIT);
    const report = (status, text) => console.log(JSON.stringify({ status, text, uid: process.getuid() }));
    const fail = (error) => { console.error(String(error)); process.exit(1); };
    if (init.headers && init.headers.upgrade) {
      const req = require('node:http').request(process.env.URL, { headers: init.headers, timeout: 10000 });
      req.on('response', (res) => { let text = ''; res.setEncoding('utf8').on('data', (c) => (text += c)).on('end', () => report(res.statusCode, text)); });
      req.on('upgrade', (res, socket) => { socket.destroy(); report(101, ''); });
      req.on('error', fail);
      req.end();
    } else {
      fetch(process.env.URL, { ...init, signal: AbortSignal.timeout(10000) }).then(async (res) => report(res.status, await res.text())).catch(fail);
    }`;
  return new Promise((resolve, reject) => {
    execFile(
      'setpriv',
      ['--reuid', String(uid), '--regid', String(uid), '--clear-groups', process.execPath, '-e', script],
      { env: { PATH: process.env.PATH, URL: url, INIT: JSON.stringify(init) }, timeout: 15_000 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`the request as uid ${uid} failed: ${error.message}\n${stderr}`));
        const answer = JSON.parse(stdout) as Answer & { uid: number };
        if (answer.uid !== uid) return reject(new Error(`the client ran as uid ${answer.uid}, not ${uid}`));
        resolve(answer);
      },
    );
  });
}

function initializeAs(uid: number, daemon: Daemon, headers: Record<string, string> = {}): Promise<Answer> {
  return requestAs(uid, daemon.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(INITIALIZE),
  });
}

describe('the loopback listener and other local users', () => {
  it("refuses another user's client with 403 naming the fix; the daemon's user and the API key pass", async () => {
    const daemon = await startDaemon(['up', '--port', '0', '--state-dir', stateDir]);
    const keyFile = join(stateDir, 'api-key');
    const refused = await initializeAs(OTHER_UID, daemon);
    expect(refused.status).toBe(403);
    const error = (JSON.parse(refused.text) as { id: unknown; error: { code: number; message: string } });
    expect(error).toMatchObject({ id: null, error: { code: -32000 } });
    expect(error.error.message).toContain(`uid ${OTHER_UID}`);
    expect(error.error.message).toContain('run the client as root');
    expect(error.error.message).toContain(keyFile);

    // The key: made at first start, said at start how to use, private, and it lets the other user in.
    await daemon.waitForOutput(/another user's client must send \\?"Authorization: Bearer \$\(cat [^)]*api-key\)/);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const key = readFileSync(keyFile, 'utf8').trim();
    const wrongKey = await initializeAs(OTHER_UID, daemon, { authorization: 'Bearer not-the-key' });
    expect(wrongKey.status).toBe(403);
    expect(wrongKey.text).toContain('not this daemon');
    const withKey = await initializeAs(OTHER_UID, daemon, { authorization: `Bearer ${key}` });
    expect(withKey.status).toBe(200);
    expect(withKey.text).toContain('"protocolVersion"');

    // Health probes carry no secrets and stay open, as they do without the API key.
    expect((await requestAs(OTHER_UID, `${daemon.origin}/healthz`, {})).status).toBe(200);
    expect((await requestAs(OTHER_UID, `${daemon.origin}/readyz`, {})).status).not.toBe(403);
    // Other transports are behind the same gate.
    expect((await requestAs(OTHER_UID, `${daemon.origin}/sse`, { headers: { accept: 'text/event-stream' } })).status).toBe(403);
    const upgrade = { headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-protocol': 'mcp' } };
    const wsRefused = await requestAs(OTHER_UID, `${daemon.origin}/ws`, upgrade);
    expect(wsRefused.status).toBe(403);
    expect(wsRefused.text).toContain(`uid ${OTHER_UID}`);
    expect((await requestAs(OTHER_UID, `${daemon.origin}/ws`, { headers: { ...upgrade.headers, authorization: `Bearer ${key}` } })).status).toBe(101);

    // The daemon's own user: no key, no set-up.
    expect((await postMcp(daemon.endpoint, INITIALIZE)).status).toBe(200);
    const client = await connectClient('streamableHttp', daemon.endpoint);
    expect(resultText(await client.client.callTool({ name: 'echo', arguments: { message: 'mine' } }))).toBe('Echo: mine');
  });

  it('keeps the key across restarts, and `bridge` has the gate too', async () => {
    const first = await startDaemon(['up', '--port', '0', '--state-dir', stateDir]);
    await first.waitForOutput(/made this daemon's API key/);
    const key = readFileSync(join(stateDir, 'api-key'), 'utf8').trim();
    await first.stop();
    const again = await startDaemon(['up', '--port', '0', '--state-dir', stateDir]);
    expect(readFileSync(join(stateDir, 'api-key'), 'utf8').trim()).toBe(key);
    expect((await initializeAs(OTHER_UID, again, { authorization: `Bearer ${key}` })).status).toBe(200);

    const bridge = await startDaemon(['bridge', '--stdio', 'node -e "process.stdin.resume()"', '--outputTransport', 'streamableHttp', '--port', '0'], {
      env: { ...process.env, XDG_STATE_HOME: stateDir },
    });
    const refused = await initializeAs(OTHER_UID, bridge);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain(`uid ${OTHER_UID}`);
  });

  it('with a configured API key, that key is the one that lets another user in', async () => {
    const daemon = await startDaemon(['up', '--port', '0', '--state-dir', stateDir], { env: { ...process.env, MCP_WORKSTATION_API_KEY: 'configured-k3y' } });
    expect((await initializeAs(OTHER_UID, daemon)).status).toBe(403);
    expect((await initializeAs(OTHER_UID, daemon, { authorization: 'Bearer configured-k3y' })).status).toBe(200);
    expect((await rawRequest(daemon.endpoint, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: 'Bearer configured-k3y' }, body: JSON.stringify(INITIALIZE) })).status).toBe(200);
  });

  it('`doctor` says who may use the listener, and how another user gets in', async () => {
    const result = await runCli(['doctor', '--state-dir', stateDir, '--admin', '127.0.0.1:1']);
    expect(result.stdout).toMatch(/ok +local users: only root may use the MCP listener from this machine .*api-key/);
    const wide = await runCli(['doctor', '--state-dir', stateDir, '--admin', '127.0.0.1:1', '--host', '0.0.0.0', '--allowed-hosts', 'mcp.internal']);
    expect(wide.stdout).toMatch(/warn +local users: listen.host is 0.0.0.0/);
  });
});
