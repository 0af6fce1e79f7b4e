import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, postMcp, waitFor } from '../e2e/support';
import type { Daemon } from '../e2e/support';
import { TunnelTestbed } from '../e2e/support/tunnel';
import type { Registration } from '../e2e/support/tunnel';
import { describeWithNetns } from '../support/netns';
import { KEY_NAMES, PER_REQUEST_CAPABILITIES } from './expectations';
import type { Expectation } from './expectations';
import { holdToExpectation, withConformanceNode } from './harness';
import { startHeaderProxy } from './header-proxy';
import type { HeaderProxy } from './header-proxy';
import { SUITES, conformanceCli, runSuite, stopConformanceRuns } from './suites';
import type { SuiteId } from './suites';

// The official MCP conformance suites through the whole tunnel: the conformance CLI → a
// header-adding proxy on loopback (header-proxy.ts: the gateway wants an API key, the CLI
// cannot send one) → the reference gateway's public endpoint (namespace G) → WireGuard →
// `mcp-workstation up` (namespace A, shared session mode, its default) → the bridge →
// test/fixtures/conformance-server.js over stdio. The same suites and expectations as
// conformance.test.ts in shared mode, minus the one check only a loopback server can pass.
//
// Needs root and network namespaces (describeWithNetns: under CI their absence fails the run)
// and a Node >= 22 for the CLIs (withConformanceNode: the same rule).

/**
 * dns-rebinding-protection is a test for a server on localhost: it sends an initialize with
 * Host and Origin evil.example.com and wants 4xx (the gateway gives 403: passes), then one
 * with the Host and Origin of the URL it was given, http://127.0.0.1:<port> (here the
 * proxy's), and wants 2xx. The gateway is a public server behind an API key: it lets in a
 * browser Origin only when the operator listed it (--allowed-origin; requests without Origin,
 * as MCP clients send them, always pass), so it answers 403 "Origin … is not allowed here".
 * On loopback, where that Origin is the server's own, the bridge accepts it
 * (conformance.test.ts passes the scenario).
 */
const GATEWAY_HOP =
  'the gateway lets in only the browser Origins its operator listed (--allowed-origin), so the "valid localhost Origin" ' +
  'http://127.0.0.1:<port> the scenario sends gets 403 there; a localhost server accepts its own Origin (the bridge does, ' +
  'conformance.test.ts), a public gateway behind an API key has no such Origin (the foreign-Origin check passes)';

const EXPECTED: Record<SuiteId, Expectation> = {
  '2025-11-25': { passed: 43, failed: 1, allowedToFail: { 'dns-rebinding-protection': GATEWAY_HOP } },
  '2026-07-28': {
    passed: 115,
    failed: 3,
    allowedToFail: {
      'dns-rebinding-protection': GATEWAY_HOP,
      'input-required-result-basic-elicitation': KEY_NAMES,
      'input-required-result-capability-check': PER_REQUEST_CAPABILITIES,
    },
  },
};

const SUITE_IDS: SuiteId[] = ['2025-11-25', '2026-07-28'];

describeWithNetns('the official MCP conformance suites through the gateway and the tunnel', () => {
  withConformanceNode((node) => {
    let testbed: TunnelTestbed | undefined;
    let registration: Registration;
    let agent: Daemon;
    let proxy: HeaderProxy | undefined;
    /** The gateway's public URL for the agent's server, as the proxy serves it. */
    let proxiedUrl: string;
    let publicUrl: string;
    let workDir: string | undefined;

    beforeAll(async () => {
      testbed = await TunnelTestbed.create();
      await testbed.startGateway();
      registration = await testbed.registerAgent();
      agent = await testbed.startAgent({ stateDir: registration.stateDir, serverArgv: [process.execPath, join(FIXTURES, 'conformance-server.js')] });
      publicUrl = testbed.publicUrl(registration.agentId);
      proxy = await startHeaderProxy(new URL(publicUrl).origin, `Bearer ${testbed.apiKey}`);
      proxiedUrl = proxy.urlFor(publicUrl);
      // Through the proxy, the gateway and the tunnel, once the handshake is done and the child is up.
      const tb = testbed;
      await waitFor(
        async () => {
          const client = await tb.connect(registration.agentId);
          await client.close();
          return true;
        },
        { what: `an MCP client to connect through the gateway to agent ${registration.agentId}\n${agent.output()}`, timeoutMs: 60_000, intervalMs: 500 },
      );
    }, 120_000);

    afterEach(() => {
      stopConformanceRuns();
      if (workDir) rmSync(workDir, { recursive: true, force: true });
      workDir = undefined;
    });

    afterAll(async () => {
      await proxy?.close();
      await testbed?.destroy();
    }, 120_000);

    test('the gateway refuses a request without the API key, and the proxy adds it (why the proxy is there)', async () => {
      const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'proxy-check', version: '1' } } };
      const bare = await postMcp(publicUrl, initialize);
      expect(bare.status).toBe(401);
      const before = proxy!.forwarded;
      const proxied = await postMcp(proxiedUrl, initialize);
      expect(proxied.status).toBe(200);
      expect(proxied.messages[0]).toMatchObject({ id: 1, result: { serverInfo: { name: 'mcp-workstation-conformance-fixture' } } });
      expect(proxy!.forwarded).toBe(before + 1);
    });

    test.each(SUITE_IDS)('%s suite through the gateway and the tunnel', async (suiteId) => {
      const suite = SUITES[suiteId];
      const expected = EXPECTED[suiteId];
      conformanceCli(suite);
      workDir = mkdtempSync(join(tmpdir(), 'mcpw-tunnel-conformance-'));
      const before = proxy!.forwarded;

      const run = await runSuite({ node, suite, url: proxiedUrl, workDir });

      expect(proxy!.forwarded).toBeGreaterThan(before); // the CLIs went through the proxy, not around it
      const label = `${suiteId} (${suite.packageName} = @modelcontextprotocol/conformance@${suite.version}) through the gateway and the tunnel, agent in shared session mode`;
      holdToExpectation(label, `${suiteId}-tunnel`, run, expected, __filename);
    }, 600_000);
  });
});
