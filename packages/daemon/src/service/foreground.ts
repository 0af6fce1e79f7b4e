import type { RequestRecord } from '@mcp-workstation/bridge';
import type { ReadinessWatch } from '../health/readiness-watch.js';
import type { DaemonLogger } from '../logging/logger.js';

/**
 * What `up --foreground` (the default on a terminal) adds for a person watching: every
 * component's state as it changes, one line each, and (at debug level) one line per MCP
 * request with its method, server, outcome and duration.
 */

export function logComponentChanges(watch: ReadinessWatch, logger: DaemonLogger): void {
  watch.on('component', ({ component, previous }) => {
    const transition = previous === null ? component.state : `${previous} -> ${component.state}`;
    const line = `${component.name}: ${transition} (${component.reason})`;
    if (component.state === 'failed') logger.error(line, { component: component.name, state: component.state });
    else if (component.state === 'degraded') logger.warn(line, { component: component.name, state: component.state });
    else logger.info(line, { component: component.name, state: component.state });
  });
}

/** "tools/call on aws: ok in 12 ms", with the fields as metadata for JSON logs. */
export function logRequest(logger: DaemonLogger, record: RequestRecord): void {
  const code = record.errorCode === undefined ? '' : ` (code ${record.errorCode})`;
  logger.debug(`${record.method} on ${record.server}: ${record.outcome}${code} in ${record.durationMs} ms`, {
    server: record.server,
    method: record.method,
    outcome: record.outcome,
    durationMs: record.durationMs,
    ...(record.errorCode === undefined ? {} : { errorCode: record.errorCode }),
  });
}
