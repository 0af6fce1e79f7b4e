import { existsSync, statSync } from 'node:fs';
import { chmod, cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describeWithNetns } from '../support/netns';
import { TunnelTestbed, outputMark, waitForOutputAfter, type Registration } from './support/tunnel';
import { waitFor } from './support/wait';

// The gateway saying no: a wrong agentSecret (close 4401: the agent stops retrying) and a
// revocation (the tunnel goes, the secrets go, local serving stays).

/** The gateway's log line for a control connection it refused (an unknown agent or a wrong secret). */
const REFUSED = /refused a control connection for agent (agt_\w+)/g;

describeWithNetns('the tunnel when the gateway refuses the agent: wrong agentSecret, revoke', () => {
  let testbed: TunnelTestbed;
  let registration: Registration;

  beforeAll(async () => {
    testbed = await TunnelTestbed.create();
    await testbed.startGateway();
    registration = await testbed.registerAgent();
  }, 120_000);

  afterAll(async () => {
    await testbed?.destroy();
  }, 120_000);

  function refusals(agentId: string): number {
    return [...testbed.requireGateway().stderrText().matchAll(REFUSED)].filter((match) => match[1] === agentId).length;
  }

  it('stops retrying after a wrong agentSecret (4401), takes the tunnel down, keeps its state and serves locally', async () => {
    // A copy of the registration whose secret the gateway never issued.
    const copy = path.join(testbed.dir, 'wrong-secret');
    await cp(registration.stateDir, copy, { recursive: true });
    await chmod(copy, 0o700);
    const identityFile = path.join(copy, 'identity.json');
    const identity = JSON.parse(await readFile(identityFile, 'utf8')) as { agentSecret: string };
    await writeFile(identityFile, JSON.stringify({ ...identity, agentSecret: `mwsec_${'A'.repeat(43)}` }), { mode: 0o600 });
    await chmod(identityFile, 0o600);

    const agent = await testbed.startAgent({ stateDir: copy });
    await agent.waitForOutput(/credentials rejected: register again/, 30_000);
    // The gateway's own log of the refusal travels through another pipe: wait for it too.
    const refusedSoFar = await waitFor(() => refusals(registration.agentId) || undefined, { what: 'the gateway to log the refusal' });
    // The agent would retry within a second or two (backoff base 1 s): none may come.
    await expect(
      waitFor(() => refusals(registration.agentId) > refusedSoFar, { what: 'another control connection attempt', timeoutMs: 6_000 }),
    ).rejects.toThrow(/timed out/);
    expect(refusals(registration.agentId)).toBe(refusedSoFar);
    await waitFor(async () => !(await testbed.interfaceExists(testbed.agentNamespace, testbed.interfaceOf(agent))), {
      what: 'the WireGuard interface to be gone',
      timeoutMs: 15_000,
    });
    await agent.waitForOutput(/tunnel failed: credentials rejected: register again/);
    // The state stays, for an operator to look at; local serving goes on.
    expect(existsSync(identityFile)).toBe(true);
    expect(statSync(identityFile).mode & 0o777).toBe(0o600);
    const local = await testbed.localEcho('still here');
    expect(local).toMatchObject({ ok: true, text: 'Echo: still here' });
    expect(agent.running).toBe(true);
    await testbed.stopAgent(agent);
  }, 120_000);

  it('on `agents revoke`: logs "revoked: <reason>", takes the tunnel down, forgets its secrets, and still serves locally', async () => {
    const agent = await testbed.startAgent({ stateDir: registration.stateDir });
    await testbed.waitForEcho(registration.agentId, 'before the revocation');
    const mark = outputMark(agent);
    const revoke = await testbed.gatewayCli(['agents', 'revoke', registration.agentId, '--reason', 'laptop lost in e2e']);
    expect(revoke.code).toBe(0);
    expect(revoke.stdout).toContain(`revoked agent ${registration.agentId}`);
    await waitForOutputAfter(agent, mark, /revoked: laptop lost in e2e/);
    await waitFor(async () => !(await testbed.interfaceExists(testbed.agentNamespace, testbed.interfaceOf(agent))), {
      what: 'the WireGuard interface to be gone after the revocation',
      timeoutMs: 15_000,
    });
    // Its secret and keys are deleted; the note of why stays.
    await waitFor(() => !existsSync(path.join(registration.stateDir, 'identity.json')), { what: 'identity.json to be deleted', timeoutMs: 10_000 });
    expect(existsSync(path.join(registration.stateDir, 'keys.json'))).toBe(false);
    const note = await testbed.readStateFile(registration.stateDir, 'revoked.json');
    expect(note.reason).toBe('laptop lost in e2e');
    // The gateway forgot it, and local serving goes on.
    expect(await testbed.agentRow(registration.agentId)).toBeUndefined();
    const local = await testbed.localEcho('after the revocation');
    expect(local).toMatchObject({ ok: true, text: 'Echo: after the revocation' });
    expect(agent.running).toBe(true);
    // Restarted, it serves locally and says it was revoked instead of trying to connect.
    await testbed.stopAgent(agent);
    const restarted = await testbed.startAgent({ stateDir: registration.stateDir });
    await restarted.waitForOutput(/serving locally only: the gateway revoked this agent \(laptop lost in e2e\)/);
    expect(restarted.stderrText()).not.toContain('starting the tunnel');
  }, 120_000);
});
