import * as path from 'node:path';
import { z } from 'zod';
import { WireGuardKey } from '@mcp-workstation/protocol';
import { generateKeyPair, publicKeyFromPrivate, writeJsonAtomic } from '@mcp-workstation/wireguard';
import { readStateFile } from './state-file.js';

const GatewayKeySchema = z.object({ privateKey: WireGuardKey });

export interface GatewayKeyPair {
  privateKey: string;
  publicKey: string;
}

/**
 * The gateway's own WireGuard key, made on the first `serve` and kept in
 * `<state>/gateway-key.json` (0600): agents pin its public key at registration, so it must
 * survive restarts.
 */
export async function loadOrCreateGatewayKey(stateDir: string): Promise<GatewayKeyPair> {
  const file = path.join(stateDir, 'gateway-key.json');
  const saved = await readStateFile(file, GatewayKeySchema);
  const privateKey = saved?.privateKey ?? generateKeyPair().privateKey;
  if (!saved) await writeJsonAtomic(file, { privateKey });
  return { privateKey, publicKey: publicKeyFromPrivate(privateKey) };
}
