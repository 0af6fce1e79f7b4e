import { z } from 'zod';
import { Cidr, ServerName, UtcTime, WireGuardKey } from './primitives.js';
import { TunnelBlockSchema } from './registration.js';
import { parseJson, parseWith, type Parsed } from './parse-result.js';

/** protocol.md §2: server states as the agent reports them. */
export const ServerStateSchema = z.enum(['starting', 'ready', 'backoff', 'failed', 'stopped']);

const CredentialsSchema = z.object({
  state: z.enum(['ok', 'expired', 'unknown']),
  since: UtcTime.nullable(),
});

const ServerStatusSchema = z.object({
  name: ServerName,
  state: ServerStateSchema,
  restarts: z.number().int().min(0),
  lastError: z.string().nullable(),
  credentials: CredentialsSchema.optional(),
});

// Agent → gateway.
export const HelloFrameSchema = z.object({
  type: z.literal('hello'),
  agentVersion: z.string().min(1),
  publicKey: WireGuardKey,
  servers: z.array(z.object({ name: ServerName, state: ServerStateSchema })),
  tunnel: z.object({ address: Cidr }),
});
export const StatusFrameSchema = z.object({
  type: z.literal('status'),
  servers: z.array(ServerStatusSchema),
  tunnel: z.object({
    lastHandshakeAt: UtcTime.nullable(),
    rxBytes: z.number().int().min(0),
    txBytes: z.number().int().min(0),
  }),
});
export const RotatedFrameSchema = z.object({ type: z.literal('rotated'), publicKey: WireGuardKey });
export const ByeFrameSchema = z.object({ type: z.literal('bye'), reason: z.string() });

// Gateway → agent.
export const WelcomeFrameSchema = z.object({ type: z.literal('welcome'), agentPublicKey: WireGuardKey, tunnel: TunnelBlockSchema });
export const ConfigFrameSchema = z.object({ type: z.literal('config'), agentPublicKey: WireGuardKey, tunnel: TunnelBlockSchema });
export const RotateFrameSchema = z.object({ type: z.literal('rotate') });
export const RevokeFrameSchema = z.object({ type: z.literal('revoke'), reason: z.string() });

export type HelloFrame = z.infer<typeof HelloFrameSchema>;
export type StatusFrame = z.infer<typeof StatusFrameSchema>;
export type RotatedFrame = z.infer<typeof RotatedFrameSchema>;
export type ByeFrame = z.infer<typeof ByeFrameSchema>;
export type WelcomeFrame = z.infer<typeof WelcomeFrameSchema>;
export type ConfigFrame = z.infer<typeof ConfigFrameSchema>;
export type RotateFrame = z.infer<typeof RotateFrameSchema>;
export type RevokeFrame = z.infer<typeof RevokeFrameSchema>;
export type ServerState = z.infer<typeof ServerStateSchema>;

export type AgentFrame = HelloFrame | StatusFrame | RotatedFrame | ByeFrame;
export type GatewayFrame = WelcomeFrame | ConfigFrame | RotateFrame | RevokeFrame;

const AGENT_FRAMES = { hello: HelloFrameSchema, status: StatusFrameSchema, rotated: RotatedFrameSchema, bye: ByeFrameSchema };
const GATEWAY_FRAMES = { welcome: WelcomeFrameSchema, config: ConfigFrameSchema, rotate: RotateFrameSchema, revoke: RevokeFrameSchema };

/**
 * A control frame as read off the WebSocket: a known frame, an unknown type (to be logged and
 * ignored, protocol.md §2), or a malformed one with the reason.
 */
export type FrameReading<T> = Parsed<T> | { ok: 'unknown'; type: string };

export const parseAgentFrame = (text: string): FrameReading<AgentFrame> => readFrame(text, AGENT_FRAMES);
export const parseGatewayFrame = (text: string): FrameReading<GatewayFrame> => readFrame(text, GATEWAY_FRAMES);

function readFrame<T>(text: string, schemas: Record<string, z.ZodType>): FrameReading<T> {
  const json = parseJson(text);
  if (!json.ok) return json;
  const value = json.value as { type?: unknown } | null;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, reason: 'a frame must be a JSON object' };
  if (typeof value.type !== 'string') return { ok: false, reason: 'type: a frame needs a string "type"' };
  const schema = schemas[value.type];
  if (!schema) return { ok: 'unknown', type: value.type.slice(0, 64) };
  return parseWith(schema as z.ZodType<T>, value);
}

/** protocol.md §2: close codes from the gateway. */
export const CloseCode = {
  /** The agentSecret is not accepted: stop retrying, take the tunnel down, keep state. */
  credentialsRejected: 4401,
  /** Revoked: tear down, delete secrets and keys, stop reconnecting. */
  revoked: 4403,
  /** A newer connection of the same agent replaced this one. */
  replaced: 4409,
} as const;

/** protocol.md §2: HTTP refusals of the upgrade that count as close code 4401. */
export const UPGRADE_REFUSALS_AS_4401 = [401, 403, 404] as const;
