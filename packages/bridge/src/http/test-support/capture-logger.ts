import type { Logger } from '@mcp-workstation/supervisor';

export interface LogRecord {
  level: 'error' | 'warn' | 'info' | 'debug';
  message: string;
  meta?: Record<string, unknown>;
}

/** A Logger that keeps every record, so tests can assert what was (and was not) logged. */
export function captureLogger(): Logger & { records: LogRecord[]; text(): string } {
  const records: LogRecord[] = [];
  const at = (level: LogRecord['level']) => (message: string, meta?: Record<string, unknown>) => {
    records.push(meta === undefined ? { level, message } : { level, message, meta });
  };
  return {
    records,
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    text: () => records.map((r) => `${r.level} ${r.message} ${JSON.stringify(r.meta ?? {})}`).join('\n'),
  };
}
