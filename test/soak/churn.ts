import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ListRootsRequestSchema } from '@modelcontextprotocol/sdk/types.js';

/**
 * The soak's load: `sessions` workers, each a loop of "open a session, run a handful of
 * operations, end it (DELETE) or abandon it (the daemon's idle timeout reaps it)". Operations:
 * echo and get-sum calls; a long-running call whose progress notifications must arrive; a call
 * cancelled by the client (notifications/cancelled), after which the same session must answer
 * again; tools/list; a client notification (roots list changed). A failure ends the session
 * and the worker opens a new one.
 *
 * A failure within `graceMs` after a disruption (a child killed, a reload) is expected: the
 * call was in flight on the child that died, or its per-session child went with it. Any other
 * failure is unexpected and fails the soak.
 */

export const OPERATIONS = ['open', 'echo', 'sum', 'progress', 'cancel', 'list', 'notify', 'close'] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface OperationStats {
  ok: number;
  /** Failed within the grace after a disruption. */
  expectedFailures: number;
  unexpectedFailures: number;
}

const CALL_TIMEOUT_MS = 45_000;

export class ChurnStats {
  readonly byOperation = new Map<Operation, OperationStats>(OPERATIONS.map((op) => [op, { ok: 0, expectedFailures: 0, unexpectedFailures: 0 }]));
  readonly unexpected: Array<{ at: string; operation: Operation; server: string; message: string }> = [];
  sessionsOpened = 0;
  sessionsAbandoned = 0;
  progressNotifications = 0;
  private lastDisruption = 0;

  constructor(private readonly graceMs: number) {}

  disrupted(): void {
    this.lastDisruption = Date.now();
  }

  ok(operation: Operation): void {
    (this.byOperation.get(operation) as OperationStats).ok += 1;
  }

  failed(operation: Operation, server: string, err: unknown, startedAt: number): void {
    const stats = this.byOperation.get(operation) as OperationStats;
    // Expected when a disruption came while it ran, or just before it started.
    if (this.lastDisruption >= startedAt - this.graceMs) {
      stats.expectedFailures += 1;
      return;
    }
    stats.unexpectedFailures += 1;
    if (this.unexpected.length < 50) this.unexpected.push({ at: new Date().toISOString(), operation, server, message: String((err as Error)?.message ?? err).slice(0, 300) });
  }

  totals(): OperationStats {
    const total = { ok: 0, expectedFailures: 0, unexpectedFailures: 0 };
    for (const stats of this.byOperation.values()) {
      total.ok += stats.ok;
      total.expectedFailures += stats.expectedFailures;
      total.unexpectedFailures += stats.unexpectedFailures;
    }
    return total;
  }
}

const random = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The text of the first text content of a tool result. */
function firstText(result: unknown): string | undefined {
  const content = (result as { content?: Array<{ type: string; text?: string }> }).content;
  return content?.find((item) => item.type === 'text')?.text;
}

/** `headers`: sent with every request of the session (the gateway's API key, for the tunnel path). */
export async function openSession(url: string, headers: Record<string, string> = {}): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
  const client = new Client({ name: 'mcp-workstation-soak', version: '1.0.0' }, { capabilities: { roots: { listChanged: true } } });
  client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: [{ uri: 'file:///tmp', name: 'tmp' }] }));
  // Transport-level errors (a GET stream cut by a child restart) surface through the calls.
  client.onerror = () => undefined;
  try {
    await client.connect(transport, { timeout: CALL_TIMEOUT_MS });
  } catch (err) {
    await client.close().catch(() => undefined);
    throw err;
  }
  return { client, transport };
}

/** One call that must succeed: a fresh session, echo, DELETE. */
export async function probe(url: string, headers: Record<string, string> = {}): Promise<void> {
  const { client, transport } = await openSession(url, headers);
  try {
    const result = await client.callTool({ name: 'echo', arguments: { message: 'probe' } }, undefined, { timeout: 20_000 });
    if (!firstText(result)?.includes('probe')) throw new Error(`echo answered ${JSON.stringify(result).slice(0, 200)}`);
    await transport.terminateSession();
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function runOperation(client: Client, operation: Operation, stats: ChurnStats): Promise<void> {
  const options = { timeout: CALL_TIMEOUT_MS };
  switch (operation) {
    case 'echo': {
      const message = `soak ${Math.random()}`;
      const text = firstText(await client.callTool({ name: 'echo', arguments: { message } }, undefined, options));
      if (!text?.includes(message)) throw new Error(`echo answered ${JSON.stringify(text)}`);
      return;
    }
    case 'sum': {
      const a = random(0, 1000);
      const b = random(0, 1000);
      const text = firstText(await client.callTool({ name: 'get-sum', arguments: { a, b } }, undefined, options));
      if (!text?.includes(String(a + b))) throw new Error(`get-sum(${a}, ${b}) answered ${JSON.stringify(text)}`);
      return;
    }
    case 'progress': {
      let progress = 0;
      await client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 1, steps: 4 } }, undefined, {
        ...options,
        onprogress: () => (progress += 1),
      });
      stats.progressNotifications += progress;
      if (progress === 0) throw new Error('a long-running call finished with no progress notification');
      return;
    }
    case 'cancel': {
      // The SDK sends notifications/cancelled when the signal aborts; the call rejects at once.
      const controller = new AbortController();
      const call = client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 30, steps: 3 } }, undefined, { ...options, signal: controller.signal });
      setTimeout(() => controller.abort('soak cancels'), random(50, 500));
      const outcome = await call.then(
        () => 'answered',
        (err: Error) => err,
      );
      if (outcome === 'answered') throw new Error('a call cancelled after at most 500 ms of 30 s was answered');
      if (!controller.signal.aborted) throw outcome;
      // The same session must serve again at once.
      const text = firstText(await client.callTool({ name: 'echo', arguments: { message: 'after cancel' } }, undefined, options));
      if (!text?.includes('after cancel')) throw new Error(`echo after a cancel answered ${JSON.stringify(text)}`);
      return;
    }
    case 'list': {
      const { tools } = await client.listTools(undefined, options);
      if (!tools.some((tool) => tool.name === 'echo')) throw new Error('tools/list did not list echo');
      return;
    }
    case 'notify':
      await client.sendRootsListChanged();
      return;
    default:
      throw new Error(`not an operation inside a session: ${operation}`);
  }
}

const WEIGHTS: Array<[Operation, number]> = [
  ['echo', 45],
  ['sum', 20],
  ['progress', 12],
  ['cancel', 10],
  ['list', 8],
  ['notify', 5],
];

function pickOperation(): Operation {
  let roll = Math.random() * 100;
  for (const [operation, weight] of WEIGHTS) {
    roll -= weight;
    if (roll < 0) return operation;
  }
  return 'echo';
}

export interface WorkerOptions {
  url: string;
  headers?: Record<string, string>;
  server: string;
  stats: ChurnStats;
  running: () => boolean;
  /** Share of sessions left without a DELETE, for the idle timeout to reap. */
  abandonShare: number;
}

/** One worker's loop until running() turns false; its last session is ended with a DELETE. */
export async function worker(options: WorkerOptions): Promise<void> {
  const { stats } = options;
  while (options.running()) {
    let startedAt = Date.now();
    let session: Awaited<ReturnType<typeof openSession>>;
    try {
      session = await openSession(options.url, options.headers);
      stats.sessionsOpened += 1;
      stats.ok('open');
    } catch (err) {
      stats.failed('open', options.server, err, startedAt);
      await pause(random(200, 1000));
      continue;
    }
    let healthy = true;
    const count = random(5, 40);
    for (let i = 0; i < count && healthy && options.running(); i += 1) {
      const operation = pickOperation();
      startedAt = Date.now();
      try {
        await runOperation(session.client, operation, stats);
        stats.ok(operation);
      } catch (err) {
        stats.failed(operation, options.server, err, startedAt);
        healthy = false;
      }
      await pause(random(100, 600));
    }
    const abandon = healthy && options.running() && Math.random() < options.abandonShare;
    if (abandon) {
      stats.sessionsAbandoned += 1;
    } else if (healthy) {
      startedAt = Date.now();
      try {
        await session.transport.terminateSession();
        stats.ok('close');
      } catch (err) {
        stats.failed('close', options.server, err, startedAt);
      }
    }
    await session.client.close().catch(() => undefined);
  }
}
