import type { AddressInfo } from 'node:net';
import { createBridge } from '../bridge.js';
import { InProcessUpstream } from './test-support/in-process-upstream.js';
import { startBridge, type RunningBridge } from './test-support/bridge-harness.js';
import { rawRequest } from './test-support/raw-http.js';

describe('health endpoints', () => {
  let running: RunningBridge;
  let alpha: InProcessUpstream;
  let beta: InProcessUpstream;

  beforeEach(async () => {
    alpha = new InProcessUpstream('alpha');
    beta = new InProcessUpstream('beta');
    beta.setReadiness({ ready: false, state: 'starting', reason: 'initializing the child' });
    running = await startBridge({ upstreams: [alpha, beta], healthEndpoints: ['/health', 'ping'], security: { apiKey: 'secret-key' } });
  });

  afterEach(async () => {
    await running.close();
  });

  it('/healthz answers 200 {"status":"ok"} while the process is up, without the API key', async () => {
    const res = await rawRequest(running.port, { path: '/healthz' });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz goes starting -> ready -> degraded from the upstreams readiness', async () => {
    const starting = await rawRequest(running.port, { path: '/readyz' });
    expect(starting.status).toBe(503);
    expect(starting.json()).toEqual({
      status: 'starting',
      servers: [
        { name: 'alpha', state: 'ready', ready: true, reason: 'in-process test server' },
        { name: 'beta', state: 'starting', ready: false, reason: 'initializing the child' },
      ],
    });

    beta.setReadiness({ ready: true, state: 'ready', reason: 'initialized' });
    const ready = await rawRequest(running.port, { path: '/readyz' });
    expect(ready.status).toBe(200);
    expect(ready.json().status).toBe('ready');

    alpha.setReadiness({ ready: false, state: 'backoff', reason: 'exited with code 1; restarting in 2 s' });
    const degraded = await rawRequest(running.port, { path: '/readyz' });
    expect(degraded.status).toBe(503);
    expect(degraded.json().status).toBe('degraded');
    expect(degraded.json().servers[0]).toEqual({ name: 'alpha', state: 'backoff', ready: false, reason: 'exited with code 1; restarting in 2 s' });
    expect(degraded.text).not.toContain('secret-key');
  });

  it('answers the extra health endpoints with a plain "ok"', async () => {
    for (const path of ['/health', '/ping']) {
      const res = await rawRequest(running.port, { path });
      expect(res.status).toBe(200);
      expect(res.text).toBe('ok');
    }
  });
});

describe('/healthz on an ingress that reports readiness (the tunnel listener, protocol.md §3)', () => {
  it('answers with the readiness report and 503 until every server is ready, and only for its own Host', async () => {
    const alpha = new InProcessUpstream('alpha');
    alpha.setReadiness({ ready: false, state: 'starting', reason: 'initializing' });
    const bridge = createBridge({ upstreams: [alpha] });
    const tunnel = bridge.ingress({ name: 'tunnel', allowedHosts: ['100.96.0.7:8000'], healthz: 'readiness' });
    await new Promise<void>((resolve) => tunnel.listen(0, '127.0.0.1', resolve));
    const port = (tunnel.address() as AddressInfo).port;
    try {
      const starting = await rawRequest(port, { path: '/healthz', headers: { host: '100.96.0.7:8000' } });
      expect(starting.status).toBe(503);
      expect(starting.json()).toMatchObject({ status: 'starting', servers: [{ name: 'alpha', state: 'starting' }] });

      alpha.setReadiness({ ready: true, state: 'ready', reason: 'ok' });
      const ready = await rawRequest(port, { path: '/healthz', headers: { host: '100.96.0.7:8000' } });
      expect(ready.status).toBe(200);
      expect(ready.json()).toMatchObject({ status: 'ready', servers: [{ name: 'alpha', state: 'ready' }] });

      const foreign = await rawRequest(port, { path: '/healthz', headers: { host: 'evil.example:8000' } });
      expect(foreign.status).toBe(403);
    } finally {
      await new Promise((resolve) => tunnel.close(resolve));
      await bridge.close();
    }
  });
});
