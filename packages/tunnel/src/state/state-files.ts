import { z } from 'zod';
import { RegisterResponseSchema, TunnelBlockSchema, WireGuardKey, AgentName, parseWith, type Parsed } from '@mcp-workstation/protocol';

/**
 * The files of the state directory and their validation. One concern per file so that the
 * secrets (identity.json: agentSecret; keys.json: private keys) are separate from what is not
 * secret (tunnel.json). Every file carries the agentId of the registration that wrote it, which
 * is how a registration interrupted between two files is recognised instead of mixing two
 * identities. `format` leaves room for a later layout; unknown fields are ignored.
 */
export const StateFiles = {
  identity: 'identity.json',
  keys: 'keys.json',
  tunnel: 'tunnel.json',
  revoked: 'revoked.json',
} as const;

const FORMAT = 1;
const Format = z.literal(FORMAT);
const AgentId = RegisterResponseSchema.shape.agentId;

const IdentityFileSchema = z.object({
  format: Format,
  agentId: AgentId,
  agentSecret: RegisterResponseSchema.shape.agentSecret,
  name: AgentName.optional(),
  gatewayUrl: z.url(),
  controlUrl: RegisterResponseSchema.shape.controlUrl,
  registeredAt: z.iso.datetime(),
});

const PrivateKeySchema = z.object({ privateKey: WireGuardKey });

const KeysFileSchema = z.object({
  format: Format,
  agentId: AgentId,
  current: PrivateKeySchema,
  /** A key made for a rotation that the gateway has not confirmed yet (protocol.md §2 Keys). */
  pending: PrivateKeySchema.nullable(),
});

const TunnelFileSchema = z.object({ format: Format, agentId: AgentId, tunnel: TunnelBlockSchema });

const RevokedFileSchema = z.object({
  format: Format,
  agentId: AgentId.nullable(),
  gatewayUrl: z.string().nullable(),
  reason: z.string(),
  revokedAt: z.iso.datetime(),
});

export type IdentityFile = z.infer<typeof IdentityFileSchema>;
export type KeysFile = z.infer<typeof KeysFileSchema>;
export type TunnelFile = z.infer<typeof TunnelFileSchema>;
export type RevokedFile = z.infer<typeof RevokedFileSchema>;

function parser<T>(schema: z.ZodType<T>): (input: unknown) => Parsed<T> {
  return (input) => parseWith(schema, input);
}

export const parseIdentityFile = parser(IdentityFileSchema);
export const parseKeysFile = parser(KeysFileSchema);
export const parseTunnelFile = parser(TunnelFileSchema);
export const parseRevokedFile = parser(RevokedFileSchema);
export const STATE_FORMAT = FORMAT;
