import type { TunnelHealth } from '@mcp-workstation/tunnel';
import type { DaemonLogger } from '../logging/logger';
import { TunnelHealthLog } from './tunnel-health-log';

function recordingLogger(): { logger: DaemonLogger; lines: string[] } {
  const lines: string[] = [];
  const record = (level: string) => (message: string) => void lines.push(`${level} ${message}`);
  const logger = { error: record('error'), warn: record('warn'), info: record('info'), debug: record('debug') } as unknown as DaemonLogger;
  return { logger, lines };
}

function health(overrides: Partial<TunnelHealth> & { handshakeReason?: string }): TunnelHealth {
  const ready = { state: 'ready' as const, reason: overrides.handshakeReason ?? 'latest handshake 3 s ago' };
  return {
    state: 'ready',
    reason: ready.reason,
    registered: true,
    agentId: 'agt_0123',
    wireguard: { ...ready, lastHandshakeAt: null, rxBytes: 0, txBytes: 0 },
    control: { state: 'ready', reason: 'connected to the gateway' },
    listener: { state: 'ready', reason: 'listening on 100.96.0.7:8000', address: '100.96.0.7:8000' },
    ...overrides,
  };
}

describe('the tunnel health log', () => {
  it('logs a change once, not every reading whose numbers moved', () => {
    const { logger, lines } = recordingLogger();
    const log = new TunnelHealthLog(logger);
    log.observe(health({ handshakeReason: 'latest handshake 3 s ago' }));
    log.observe(health({ handshakeReason: 'latest handshake 8 s ago' }));
    log.observe(health({ handshakeReason: 'latest handshake 13 s ago' }));
    expect(lines).toEqual(['info tunnel ready: agent agt_0123 connected to the gateway, serving at 100.96.0.7:8000 through the tunnel']);
  });

  it('logs failures as errors and degradation as warnings, with the reason', () => {
    const { logger, lines } = recordingLogger();
    const log = new TunnelHealthLog(logger);
    const rejected = { state: 'failed' as const, reason: 'credentials rejected: register again' };
    log.observe(health({ state: 'degraded', reason: 'cannot reach the gateway; next attempt in 1.0 s', control: { state: 'degraded', reason: 'cannot reach the gateway; next attempt in 1.0 s' } }));
    log.observe(health({ state: 'degraded', reason: 'cannot reach the gateway; next attempt in 2.7 s', control: { state: 'degraded', reason: 'cannot reach the gateway; next attempt in 2.7 s' } }));
    log.observe(health({ ...rejected, control: rejected }));
    expect(lines).toEqual([
      'warn tunnel degraded: cannot reach the gateway; next attempt in 1.0 s',
      'error tunnel failed: credentials rejected: register again',
    ]);
  });
});
