import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WireGuardGoBackend } from './backend-wireguard-go';
import { PrerequisiteError } from './prerequisites';
import { recordingRunner, sampleConfig } from './test-support/fixtures';
import type { BackendStatus } from './types';

// The paths that need no root: failures before and during start, and calls out of order.
// Bringing it up for real, live applies, restarts after SIGKILL and down() are covered by
// test/e2e/wireguard-backend.test.ts in network namespaces.

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'wg-backend-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function failingWireGuardGo(): string {
  const file = path.join(dir, 'wireguard-go');
  writeFileSync(file, '#!/bin/sh\necho "ERROR: Failed to create TUN device: no such file or directory" >&2\nexit 1\n');
  chmodSync(file, 0o755);
  return file;
}

describe('WireGuardGoBackend', () => {
  it('reports a failed start with wireguard-go’s own words, and down() after it is safe', async () => {
    const run = recordingRunner();
    const backend = new WireGuardGoBackend({ wireguardGoPath: failingWireGuardGo(), runCommand: run, checkPrerequisites: async () => undefined });
    const statuses: BackendStatus[] = [];
    backend.onStatus((status) => statuses.push(status));

    await expect(backend.up(sampleConfig({ interfaceName: 'mcpwunit0' }))).rejects.toThrow(
      /wireguard-go exited with code 1 while starting; its last output:\nERROR: Failed to create TUN device/,
    );
    expect(statuses.map((status) => status.state)).toEqual(['starting', 'failed']);
    expect(statuses[1]?.reason).toContain('Failed to create TUN device');
    expect(run.commands).toEqual([]); // no `ip` ran for an interface that never existed

    await backend.down();
    await backend.down();
    expect(backend.status()).toEqual({ kind: 'wireguard-go', state: 'down', reason: 'stopped' });
  });

  it('stops at the prerequisites, before starting anything', async () => {
    const problem = { code: 'not_privileged' as const, message: 'needs root', fix: 'sudo' };
    const backend = new WireGuardGoBackend({
      wireguardGoPath: path.join(dir, 'never-started'),
      checkPrerequisites: async () => {
        throw new PrerequisiteError([problem]);
      },
    });
    await expect(backend.up(sampleConfig())).rejects.toBeInstanceOf(PrerequisiteError);
    expect(backend.status().state).toBe('failed');
    expect(backend.status().reason).toContain('needs root');
  });

  it('refuses a config it cannot use before doing anything', async () => {
    const backend = new WireGuardGoBackend({ checkPrerequisites: async () => undefined });
    const config = sampleConfig();
    config.peer.endpoint = 'gateway.example.com:51820';
    await expect(backend.up(config)).rejects.toThrow(/peer.endpoint "gateway.example.com:51820" is not an address:port/);
    expect(backend.status().state).toBe('down');
  });

  it('asks for up() first when used out of order', async () => {
    const backend = new WireGuardGoBackend();
    await expect(backend.apply(sampleConfig())).rejects.toThrow('cannot apply a config: the WireGuard interface is not up (call up() first)');
    await expect(backend.statistics()).rejects.toThrow('cannot read statistics: the WireGuard interface is not up');
    await expect(backend.listen({ port: 8000, allowedSources: [], onConnection: () => undefined })).rejects.toThrow('cannot listen: the WireGuard interface is not up');
  });

  it('lets a status listener unsubscribe', async () => {
    const backend = new WireGuardGoBackend({ checkPrerequisites: async () => undefined, wireguardGoPath: failingWireGuardGo() });
    const statuses: BackendStatus[] = [];
    const unsubscribe = backend.onStatus((status) => statuses.push(status));
    unsubscribe();
    await backend.up(sampleConfig({ interfaceName: 'mcpwunit1' })).catch(() => undefined);
    expect(statuses).toEqual([]);
  });
});
