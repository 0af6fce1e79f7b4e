import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

/**
 * One MCP session as a real client makes it: the SDK's Client over its
 * StreamableHTTPClientTransport (initialize, notifications/initialized, the GET stream when
 * the server keeps sessions, DELETE at the end). Against a stateless server the same calls
 * simply carry no session id.
 */

/** A call that takes longer than this counts as an error (and the phase moves on). */
export const REQUEST_TIMEOUT_MS = 15_000;

export const ECHO_TEXT = 'hello from the mcp-workstation benchmark';

export class LoadSession {
  /**
   * Transport-level errors outside any request (a 404/405 on the optional GET stream from a
   * stateless server, for example). Counted for the record, not as failed operations.
   */
  transportErrors = 0;

  private constructor(
    private readonly client: Client,
    private readonly transport: StreamableHTTPClientTransport,
  ) {}

  /** `accept`: the Accept header of every POST instead of the SDK's (a client stating its preference). */
  static async open(url: string, accept?: string): Promise<LoadSession> {
    const transport = new StreamableHTTPClientTransport(new URL(url), accept === undefined ? {} : { fetch: withPostAccept(accept) });
    const client = new Client({ name: 'mcp-workstation-bench', version: '1.0.0' }, { capabilities: {} });
    const session = new LoadSession(client, transport);
    client.onerror = () => (session.transportErrors += 1);
    try {
      await client.connect(transport, { timeout: REQUEST_TIMEOUT_MS });
    } catch (err) {
      await client.close().catch(() => undefined);
      throw err;
    }
    return session;
  }

  /** echo, and a check that the text came back unchanged. */
  async echo(): Promise<void> {
    const result = await this.client.callTool({ name: 'echo', arguments: { text: ECHO_TEXT } }, undefined, { timeout: REQUEST_TIMEOUT_MS });
    const text = firstText(result);
    if (text !== ECHO_TEXT) throw new Error(`echo answered ${JSON.stringify(text?.slice(0, 80))}`);
  }

  /** bytes, and a check of the size that came back. */
  async bytes(size: number): Promise<void> {
    const result = await this.client.callTool({ name: 'bytes', arguments: { size } }, undefined, { timeout: REQUEST_TIMEOUT_MS });
    const length = firstText(result)?.length;
    if (length !== size) throw new Error(`bytes(${size}) answered ${length} bytes`);
  }

  async listTools(): Promise<void> {
    const { tools } = await this.client.listTools(undefined, { timeout: REQUEST_TIMEOUT_MS });
    if (!tools.some((tool) => tool.name === 'echo')) throw new Error('tools/list did not list echo');
  }

  /** DELETE the session (a no-op without a session id), then close the client. */
  async close(): Promise<void> {
    try {
      await this.transport.terminateSession();
    } finally {
      await this.client.close();
    }
  }
}

/** fetch, with the Accept header of POSTs replaced (the SDK sets its own and has no option for it). */
function withPostAccept(accept: string): typeof fetch {
  return (input, init) => {
    if (init?.method !== 'POST') return fetch(input, init);
    const headers = new Headers(init.headers);
    headers.set('accept', accept);
    return fetch(input, { ...init, headers });
  };
}

function firstText(result: unknown): string | undefined {
  const content = (result as { content?: Array<{ type: string; text?: string }> }).content;
  return content?.find((block) => block.type === 'text')?.text;
}
