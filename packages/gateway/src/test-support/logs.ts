import type { GatewayLogger } from '../log/logger.js';

/** A logger that keeps every record as one line, so tests can look for (or rule out) what was logged. */
export function collectingLogger(): { logger: GatewayLogger; lines: string[] } {
  const lines: string[] = [];
  const record = (level: string) => (message: string, meta?: Record<string, unknown>) => {
    lines.push(`${level} ${message}${meta ? ` ${JSON.stringify(meta)}` : ''}`);
  };
  return { logger: { error: record('error'), warn: record('warn'), info: record('info'), debug: record('debug') }, lines };
}
