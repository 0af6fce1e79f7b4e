import { generateKeyPair } from '@mcp-workstation/wireguard';
import { startGateway, type RunningGateway } from '../gateway.js';
import type { GatewayOptions } from '../config.js';
import { TokenStore } from '../store/token-store.js';
import { NoopWireGuard } from '../wireguard/noop-wireguard.js';
import { collectingLogger } from './logs.js';

export interface TestGateway {
  gateway: RunningGateway;
  url: string;
  stateDir: string;
  /** The injected no-op WireGuard side: its `peers` are what the gateway installed. */
  wireguard: NoopWireGuard;
  logs: string[];
  createToken(ttlMs?: number): Promise<string>;
}

/**
 * A real gateway on 127.0.0.1 (an OS-chosen port) with the state in `stateDir` and the no-op
 * WireGuard side, which is what lets these tests run without root or wireguard-go.
 */
export async function startTestGateway(stateDir: string, options: Partial<GatewayOptions> = {}): Promise<TestGateway> {
  const { logger, lines } = collectingLogger();
  const wireguard = (options.wireguard as NoopWireGuard | undefined) ?? new NoopWireGuard();
  const gateway = await startGateway({ listen: '127.0.0.1:0', wgEndpoint: 'gw.test:51820', logger, ...options, stateDir, wireguard });
  return {
    gateway,
    url: gateway.url,
    stateDir,
    wireguard,
    logs: lines,
    createToken: async (ttlMs = 3_600_000) => (await new TokenStore(stateDir).create(ttlMs)).token,
  };
}

export function newAgentKey(): { privateKey: string; publicKey: string } {
  return generateKeyPair();
}

export function registrationBody(publicKey: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'alice-laptop', publicKey, agentVersion: '0.1.0', platform: 'linux-x64', servers: [{ name: 'aws' }], ...extra };
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export async function register(url: string, token: string | null, body: unknown, contentType = 'application/json'): Promise<HttpAnswer> {
  const headers: Record<string, string> = { 'content-type': contentType };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${url}/v1/agents/register`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Registers one agent with a fresh token and key; fails the test on anything but 201. */
export async function registerAgent(harness: TestGateway, extra: Record<string, unknown> = {}) {
  const key = newAgentKey();
  const answer = await register(harness.url, await harness.createToken(), registrationBody(key.publicKey, extra));
  if (answer.status !== 201) throw new Error(`registration failed: ${answer.status} ${answer.text}`);
  return { key, registration: answer.json as { agentId: string; agentSecret: string; controlUrl: string; tunnel: any } };
}
