import type { Upstream } from '../../upstream/types.js';
import { isPlainObject } from './era.js';
import { headerDeclarations, type HeaderDeclaration } from './param-headers.js';
import { callUpstream } from './upstream-call.js';

/** Pages the bridge reads when it fetches the tool list itself (a runaway cursor stops here). */
const MAX_PAGES = 64;
const FETCH_TIMEOUT_MS = 30_000;

/**
 * The `x-mcp-header` declarations of the child's tools, by tool name, needed to validate a
 * tools/call's Mcp-Param-* headers. Learned from every tools/list result the bridge relays
 * (a client mirrors headers from exactly those definitions) and, for a tool not seen yet,
 * by reading the child's tool list once. When a definition changed, the spec's own recovery
 * applies: the client re-lists (which refreshes this index) and retries.
 */
export class ToolHeaderIndex {
  private readonly tools = new Map<string, HeaderDeclaration[]>();
  private fetching: Promise<void> | undefined;

  constructor(private readonly upstream: Upstream) {}

  /** Record the tools of one tools/list result page. */
  learn(result: unknown): void {
    const tools = isPlainObject(result) && Array.isArray(result.tools) ? result.tools : [];
    for (const tool of tools) {
      if (isPlainObject(tool) && typeof tool.name === 'string') this.tools.set(tool.name, headerDeclarations(tool.inputSchema));
    }
  }

  /** The declarations of a tool; reads the child's list when the tool is unknown. Undefined: the child has no such tool. */
  async declarationsOf(toolName: string): Promise<HeaderDeclaration[] | undefined> {
    if (!this.tools.has(toolName)) await this.refresh();
    return this.tools.get(toolName);
  }

  private refresh(): Promise<void> {
    this.fetching ??= this.readAllPages().finally(() => (this.fetching = undefined));
    return this.fetching;
  }

  private async readAllPages(): Promise<void> {
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const answer = await callUpstream(this.upstream, 'tools/list', cursor === undefined ? {} : { cursor }, FETCH_TIMEOUT_MS);
      if (!('result' in answer)) throw new Error(`tools/list failed: ${answer.error.message}`);
      this.learn(answer.result);
      const next = answer.result.nextCursor;
      if (typeof next !== 'string' || next === cursor) return;
      cursor = next;
    }
  }
}
