import { z } from 'zod';
import { AgentName, Cidr, Endpoint, Port, ServerName, WireGuardKey } from './primitives.js';
import { parseWith, type Parsed } from './parse-result.js';

/** protocol.md §1: what the gateway hands the agent for its WireGuard side; also in `welcome` and `config`. */
export const PeerBlockSchema = z.object({
  publicKey: WireGuardKey,
  endpoint: Endpoint,
  allowedIps: z.array(Cidr).min(1, 'must name at least one of the gateway tunnel addresses'),
  persistentKeepalive: z.number().int().min(0).max(65535).optional(),
});

export const TunnelBlockSchema = z.object({
  address: Cidr,
  mtu: z.number().int().min(1280).max(9000),
  listenPort: Port,
  peer: PeerBlockSchema,
});

export const ServerRefSchema = z.object({ name: ServerName });

export const RegisterRequestSchema = z
  .object({
    name: AgentName.optional(),
    publicKey: WireGuardKey,
    agentVersion: z.string().regex(/^\d+\.\d+\.\d+([-+].*)?$/, 'must be a semantic version such as 0.1.0'),
    platform: z.string().min(1).max(64),
    servers: z.array(ServerRefSchema),
  })
  .refine((body) => new Set(body.servers.map((s) => s.name)).size === body.servers.length, {
    message: 'server names must be unique',
    path: ['servers'],
  });

export const RegisterResponseSchema = z.object({
  agentId: z.string().min(1).max(64),
  agentSecret: z.string().min(32),
  tunnel: TunnelBlockSchema,
  controlUrl: z.string().regex(/^wss?:\/\//, 'must be a ws:// or wss:// URL'),
});

/** protocol.md §0: every HTTP error body. */
export const ErrorBodySchema = z.object({
  error: z.object({ code: z.string().regex(/^[a-z][a-z0-9_]*$/), message: z.string() }),
});

export type PeerBlock = z.infer<typeof PeerBlockSchema>;
export type TunnelBlock = z.infer<typeof TunnelBlockSchema>;
export type RegisterRequest = z.infer<typeof RegisterRequestSchema>;
export type RegisterResponse = z.infer<typeof RegisterResponseSchema>;
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** The error codes protocol.md names for registration, with their HTTP statuses. */
export const REGISTRATION_ERRORS = {
  invalid_token: 401,
  token_used: 409,
  invalid_request: 400,
  key_in_use: 409,
  rate_limited: 429,
  unavailable: 503,
  unsupported_media_type: 415,
} as const;
export type RegistrationErrorCode = keyof typeof REGISTRATION_ERRORS;

export const parseRegisterRequest = (input: unknown): Parsed<RegisterRequest> => parseWith(RegisterRequestSchema, input);
export const parseRegisterResponse = (input: unknown): Parsed<RegisterResponse> => parseWith(RegisterResponseSchema, input);
export const parseTunnelBlock = (input: unknown): Parsed<TunnelBlock> => parseWith(TunnelBlockSchema, input);
export const parseErrorBody = (input: unknown): Parsed<ErrorBody> => parseWith(ErrorBodySchema, input);

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

/** Whether the agent may retry a registration answer (429, 5xx); any other 4xx is final (protocol.md §1). */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}
