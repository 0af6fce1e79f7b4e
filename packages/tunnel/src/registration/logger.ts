/** The part of a logger registration uses; winston and the tunnel's TunnelLogger satisfy it. */
export interface RegistrationLogger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
}

export const silentLogger: RegistrationLogger = { info: () => undefined, warn: () => undefined };
