import { readdirSync } from 'node:fs';
import { request } from 'node:http';
import { readProcess, snapshotTree } from '../bench/proc-tree.js';

/**
 * One sample of the daemon: its process tree from /proc (RSS of the daemon alone and of the
 * whole tree, the children), its open fds (/proc/<pid>/fd) and, from its own /metrics on
 * the admin socket, the JS heap and the event-loop lag that prom-client reports.
 */

export interface Sample {
  /** Minutes since the load started. */
  minute: number;
  at: string;
  values: Record<string, number | null>;
}

export function countFds(pid: number): number | null {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return null;
  }
}

/** One process's RSS and open fds; nulls when it is gone. */
export function sampleProcess(pid: number | undefined): { rss: number | null; fds: number | null } {
  if (pid === undefined) return { rss: null, fds: null };
  return { rss: readProcess(pid)?.rssBytes ?? null, fds: countFds(pid) };
}

/** GET a path of an HTTP server listening on a unix socket. */
export function getOverSocket(socketPath: string, urlPath: string, timeoutMs = 10_000): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: urlPath, method: 'GET', headers: { host: 'localhost' } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer from ${socketPath}${urlPath} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** The value of an unlabelled series (or the sum over its labels) in Prometheus text. */
export function metricValue(text: string, name: string): number | null {
  let found = false;
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (!Number.isFinite(value)) continue;
    found = true;
    sum += value;
  }
  return found ? sum : null;
}

const PREFIX = 'mcp_workstation_';

export async function sampleDaemon(pid: number, adminSocket: string, minute: number, childFilter: (cmdline: string) => boolean, cmdline: (pid: number) => string): Promise<Sample> {
  const tree = snapshotTree(pid);
  const children = tree.processes.filter((p) => p.pid !== pid && p.state !== 'Z' && p.state !== 'X' && childFilter(cmdline(p.pid)));
  let metrics = '';
  try {
    const answer = await getOverSocket(adminSocket, '/metrics');
    if (answer.status === 200) metrics = answer.text;
  } catch {
    // A missed scrape leaves the metric series empty for this minute; /proc figures still count.
  }
  const read = (name: string) => (metrics ? metricValue(metrics, PREFIX + name) : null);
  // The daemon reports the delay beyond its 1 s sampling interval (packages/daemon/src/metrics/
  // event-loop-lag.ts); results recorded before 2026-12-06 had the interval subtracted here.
  const lag = (name: string) => read(name);
  // From outside: the round trip of /healthz on the admin socket, which the daemon's loop answers.
  const healthStart = process.hrtime.bigint();
  const healthz = await getOverSocket(adminSocket, '/healthz').then(
    (answer) => (answer.status === 200 ? Number(process.hrtime.bigint() - healthStart) / 1e9 : null),
    () => null,
  );
  return {
    minute,
    at: new Date().toISOString(),
    values: {
      daemonRss: tree.rootRssBytes,
      // The mean RSS of a server child, from the children themselves: the tree also holds the
      // agent's wireguard-go when the tunnel is up.
      childRss: children.length > 0 ? children.reduce((sum, child) => sum + child.rssBytes, 0) / children.length : null,
      treeRss: tree.rssBytes,
      heapUsed: read('nodejs_heap_size_used_bytes'),
      fds: countFds(pid),
      children: children.length,
      processes: tree.count,
      lagP99: lag('nodejs_eventloop_lag_p99_seconds'),
      lagMax: lag('nodejs_eventloop_lag_max_seconds'),
      healthz,
      sessions: read('sessions'),
      inFlight: read('requests_in_flight'),
    },
  };
}
