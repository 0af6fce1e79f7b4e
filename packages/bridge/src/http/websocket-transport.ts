import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import WebSocket, { type RawData } from 'ws';
import { ErrorCode, jsonRpcErrorBody } from './errors.js';
import { depthRefusal, validateMessages } from './json-rpc-validation.js';

/**
 * Server side of MCP over one WebSocket, shaped like the SDK's Transport. Written by hand
 * because the SDK only ships the client side (WebSocketClientTransport): one text frame
 * carries one JSON-RPC message (or a batch). A frame that is not JSON, or not JSON-RPC,
 * is answered with an error frame and the connection stays open.
 */
export class WebSocketServerTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private closed = false;

  /** `admit`, asked before each frame with the bytes still queued on the socket, may refuse it (limits.streamBufferBytes). */
  constructor(
    private readonly socket: WebSocket,
    private readonly admit: (queuedBytes: number) => boolean = () => true,
  ) {}

  async start(): Promise<void> {
    this.socket.on('message', (data: RawData) => this.receive(data));
    this.socket.on('error', (error: Error) => this.onerror?.(error));
    this.socket.on('close', () => this.finish());
    if (this.socket.readyState !== WebSocket.OPEN) this.finish();
  }

  send(message: JSONRPCMessage): Promise<void> {
    return this.sendText(JSON.stringify(message));
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) {
      this.socket.close(1000, 'session closed');
    }
    this.finish();
  }

  private receive(data: RawData): void {
    let value: unknown;
    try {
      value = JSON.parse(rawText(data));
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      this.reply(ErrorCode.ParseError, `Parse error: the frame is not valid JSON (${detail}); send one JSON-RPC message per text frame`);
      return;
    }
    const tooDeep = depthRefusal(value);
    if (tooDeep) {
      this.reply(ErrorCode.InvalidRequest, tooDeep.message, tooDeep.id);
      return;
    }
    const checked = validateMessages(value);
    if (!checked.ok) {
      this.reply(ErrorCode.InvalidRequest, checked.message);
      return;
    }
    for (const message of checked.messages) this.onmessage?.(message);
  }

  private reply(code: number, message: string, id?: string | number): void {
    this.sendText(jsonRpcErrorBody(code, message, id ?? null)).catch((error: Error) => this.onerror?.(error));
  }

  private sendText(text: string): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.socket.readyState !== WebSocket.OPEN) {
        reject(new Error('WebSocket is not open'));
        return;
      }
      if (!this.admit(this.socket.bufferedAmount)) {
        reject(new Error('the WebSocket was closed: its client stopped reading (limits.streamBufferBytes)'));
        return;
      }
      this.socket.send(text, (error) => (error ? reject(error) : resolve()));
    });
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.();
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
