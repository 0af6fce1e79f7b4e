import { BridgeOptionsError } from '../options-error.js';
import type { Upstream } from '../upstream/types.js';
import type { ServerEndpoints } from './server-endpoints.js';

/**
 * The servers a bridge serves now, by name, and which one is the default: what routing,
 * readiness, start() and close() read. It changes only synchronously (no await between a
 * check and its change), so a request routed in one turn of the event loop sees one table.
 *
 * Order: the order servers came in (createBridge's `upstreams`, then addServer); a replaced
 * server keeps its place. /readyz lists them in this order.
 *
 * The default server (the one the single-server paths /mcp, /sse, /message, /ws serve) is a
 * name, chosen once: BridgeOptions.defaultServer, else the first server the bridge ever had
 * (the first of `upstreams`, or the first one added to a bridge made without any). Adding
 * servers never moves it. Removing that server does not move it either: the single-server
 * paths then answer as for an unknown server (404 "unknown server: <name>") until a server of
 * that name is added again (a remove-then-add keeps /mcp on it) or setDefault names another.
 * A client of /mcp is never moved silently to a server with other tools.
 */
export class ServerTable {
  private readonly entries = new Map<string, ServerEndpoints>();
  private defaultName: string | undefined;

  /** `build` makes a server's endpoints; it is called only once a change is known to be allowed. */
  constructor(
    private readonly build: (upstream: Upstream) => ServerEndpoints,
    initial: readonly Upstream[],
    defaultServer: string | undefined,
  ) {
    for (const upstream of initial) this.entries.set(upstream.name, build(upstream));
    this.defaultName = defaultServer;
  }

  get(name: string): ServerEndpoints | undefined {
    return this.entries.get(name);
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  list(): ServerEndpoints[] {
    return [...this.entries.values()];
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  upstreams(): Upstream[] {
    return this.list().map((endpoints) => endpoints.upstream);
  }

  /** The name the single-server paths serve; undefined only while the bridge never had a server. */
  get defaultServer(): string | undefined {
    return this.defaultName;
  }

  /** Serves `upstream` under its name, which no served server may have; throws BridgeOptionsError otherwise. */
  add(upstream: Upstream): ServerEndpoints {
    const option = 'addServer(upstream)';
    this.checkNotServed(option, upstream);
    if (this.entries.has(upstream.name)) {
      throw new BridgeOptionsError(`${option}.name`, upstream.name, 'is the name of a server the bridge serves already', `a name no served server has (served: ${this.shownNames()}); replaceServer() swaps a served server for a new one`);
    }
    const added = this.build(upstream);
    this.entries.set(upstream.name, added);
    this.defaultName ??= upstream.name;
    return added;
  }

  /**
   * Serves `upstream` in the place of the served server of its name (same place in the list,
   * default or not as that one was) and returns both; throws BridgeOptionsError when no served
   * server has that name.
   */
  replace(upstream: Upstream): { added: ServerEndpoints; replaced: ServerEndpoints } {
    const option = 'replaceServer(upstream)';
    this.checkNotServed(option, upstream);
    const replaced = this.entries.get(upstream.name);
    if (replaced === undefined) {
      throw new BridgeOptionsError(`${option}.name`, upstream.name, 'is not the name of a server the bridge serves', `the name of a served server (${this.shownNames()}); addServer() adds a new one`);
    }
    const added = this.build(upstream);
    this.entries.set(upstream.name, added);
    return { added, replaced };
  }

  /** Takes the server of that name out and returns it; throws BridgeOptionsError when none has it. */
  remove(name: string): ServerEndpoints {
    const previous = this.entries.get(name);
    if (previous === undefined) {
      throw new BridgeOptionsError('removeServer(name)', name, 'is not the name of a server the bridge serves', `the name of a served server (${this.shownNames()})`);
    }
    this.entries.delete(name);
    return previous;
  }

  /** Which served server the single-server paths serve from now on; throws BridgeOptionsError for a name not served. */
  setDefault(name: string): void {
    if (!this.entries.has(name)) {
      throw new BridgeOptionsError('defaultServer', name, 'is not a served server', `the name of a served server: ${this.shownNames()}`);
    }
    this.defaultName = name;
  }

  /** One Upstream object serves one server: handing a served one again would close it under its own sessions. */
  private checkNotServed(option: string, upstream: Upstream): void {
    const serving = this.list().find((endpoints) => endpoints.upstream === upstream);
    if (serving) throw new BridgeOptionsError(option, upstream.name, `is the Upstream object server "${serving.context.name}" is served by already`, 'a new Upstream (createUpstream())');
  }

  private shownNames(): string {
    return this.names().map((name) => `"${name}"`).join(', ') || '(none)';
  }
}
