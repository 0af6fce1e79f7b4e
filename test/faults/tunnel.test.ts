import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describeWithNetns } from '../support/netns';
import { resultText, type ConnectedClient } from '../e2e/support/clients';
import type { Daemon } from '../e2e/support/daemon';
import { TunnelTestbed, outputMark, waitForOutputAfter, type Registration } from '../e2e/support/tunnel';
import { waitFor, withDeadline } from '../e2e/support/wait';

// The fault suite, part 4: the tunnel's faults, in network namespaces made by the test
// (test/e2e/support/tunnel.ts). test/e2e/tunnel-recovery.test.ts already shows that fresh
// clients get through again after a gateway restart and after wireguard-go is killed; these
// cases hold a session open across each fault (the session lives in the agent's bridge, so it
// must outlive the gateway and the tunnel) and cut the network itself for 30 s.

const run = promisify(execFile);

describeWithNetns('tunnel faults: sessions recover by themselves', () => {
  let testbed: TunnelTestbed;
  let registration: Registration;
  let agent: Daemon;
  let client: ConnectedClient;

  beforeAll(async () => {
    testbed = await TunnelTestbed.create();
    await testbed.startGateway();
    registration = await testbed.registerAgent();
    agent = await testbed.startAgent({ stateDir: registration.stateDir });
    await testbed.waitForEcho(registration.agentId, 'the tunnel is up');
    client = await testbed.connect(registration.agentId);
  }, 120_000);

  afterAll(async () => {
    await testbed?.destroy();
  }, 120_000);

  async function echo(message: string, timeout = 10_000): Promise<string> {
    return resultText(await client.client.callTool({ name: 'echo', arguments: { message } }, undefined, { timeout }));
  }

  /** The session opened in beforeAll answers again (retried while the path heals). */
  function sameSessionAnswers(what: string, timeoutMs = 90_000): Promise<string> {
    return waitFor(async () => (await echo(what)) === `Echo: ${what}` && what, { what: `the session opened before the fault to answer (${what})`, timeoutMs, intervalMs: 500 });
  }

  it('a session opened before a gateway restart goes on after it', async () => {
    expect(await echo('before the restart')).toBe('Echo: before the restart');
    await testbed.stopGateway('SIGTERM');
    await testbed.startGateway();
    await sameSessionAnswers('after the gateway restarted');
  }, 150_000);

  it("a session goes on after the agent's wireguard-go is killed", async () => {
    expect(await echo('before the kill')).toBe('Echo: before the kill');
    const interfaceName = testbed.interfaceOf(agent);
    const [before] = testbed.wireguardGoPids(interfaceName);
    expect(before).toBeDefined();
    const mark = outputMark(agent);
    process.kill(before!, 'SIGKILL');
    await waitForOutputAfter(agent, mark, /up again after: wireguard-go killed by SIGKILL/, 30_000);
    await sameSessionAnswers('after wireguard-go was killed');
  }, 120_000);

  it('the network cut for 30 s: a call made meanwhile settles once it is back, and the same session answers by itself', async () => {
    expect(await echo('before the cut')).toBe('Echo: before the cut');
    const link = ['-n', testbed.gatewayNamespace, 'link', 'set', testbed.net.vethB];
    await run('ip', [...link, 'down']);
    const cutAt = Date.now();
    let during: Promise<{ outcome: string; atMs: number }>;
    try {
      // A call made while the network is cut: nothing can answer it until the cut ends.
      during = echo('during the cut', 180_000).then(
        (text) => ({ outcome: `answered: ${text}`, atMs: Date.now() - cutAt }),
        (err: Error) => ({ outcome: `failed: ${err.message}`, atMs: Date.now() - cutAt }),
      );
      // The cut lasts 30 s: that is the fault, not a wait for a condition.
      await new Promise((resolve) => setTimeout(resolve, 30_000));
    } finally {
      await run('ip', [...link, 'up']);
    }
    await sameSessionAnswers('after the cut', 120_000);
    // The call made during the cut settles (answered late or failed), within a deadline after the cut.
    const settled = await withDeadline(during, 90_000, 'the call made during the cut to settle after it');
    // Seen here: it waits out the cut and fails a few seconds after, with -32000 naming the agent
    // ("could not be reached (ECONNRESET)"); answered late would be as good.
    expect(settled.outcome).toMatch(new RegExp(`^answered: Echo: during the cut$|^failed: .*agent ${registration.agentId}\\b`));
    // And a fresh client too.
    await testbed.waitForEcho(registration.agentId, 'a new session after the cut', 60_000);
  }, 300_000);
});
