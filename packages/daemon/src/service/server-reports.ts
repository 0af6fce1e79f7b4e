import type { TunnelServerReport } from '@mcp-workstation/tunnel';
import type { AwsCredentialsStatus } from '../aws/index.js';
import type { RunningService } from '../wiring.js';

/** A status frame is capped (1 MiB); a server's last error is a sentence, not a log. */
const MAX_LAST_ERROR_CHARS = 1_000;

/** What the tunnel's `hello` and `status` say about each server: the bridge's state, the supervisor's counters, an AWS server's credentials. */
export function serverReports(service: Pick<RunningService, 'servers' | 'statuses'>): TunnelServerReport[] {
  return service.servers.list().map(({ upstream, aws }) => {
    const status = service.statuses.latestOf(upstream.name);
    const lastError = status?.lastError ?? null;
    return {
      name: upstream.name,
      state: upstream.readiness().state,
      restarts: status?.restarts ?? 0,
      lastError: lastError !== null && lastError.length > MAX_LAST_ERROR_CHARS ? `${lastError.slice(0, MAX_LAST_ERROR_CHARS)}…` : lastError,
      ...(aws ? { credentials: credentialsReport(aws.status()) } : {}),
    };
  });
}

/** Only the state and when it began (protocol.md §2): the gateway needs no profile or host name. */
function credentialsReport(status: AwsCredentialsStatus): NonNullable<TunnelServerReport['credentials']> {
  return { state: status.state, since: status.since };
}
