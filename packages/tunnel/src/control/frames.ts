import type { RawData } from 'ws';
import {
  parseAgentFrame,
  parseGatewayFrame,
  type AgentFrame,
  type ByeFrame,
  type FrameReading,
  type GatewayFrame,
  type HelloFrame,
  type RotatedFrame,
  type StatusFrame,
} from '@mcp-workstation/protocol';
import type { HelloContent, StatusContent } from './types.js';

export function helloFrame(agentVersion: string, content: HelloContent): HelloFrame {
  return { type: 'hello', agentVersion, publicKey: content.publicKey, servers: content.servers, tunnel: content.tunnel };
}

export function statusFrame(content: StatusContent): StatusFrame {
  return { type: 'status', servers: content.servers, tunnel: content.tunnel };
}

export function rotatedFrame(publicKey: string): RotatedFrame {
  return { type: 'rotated', publicKey };
}

export function byeFrame(reason: string): ByeFrame {
  return { type: 'bye', reason };
}

/**
 * The text of an agent frame, checked against the protocol's own schema first: a provider bug
 * (a bad server name, a key that is not a key) becomes an error naming the field here instead of
 * a frame the gateway rejects. Sending the parsed value also drops fields the protocol does not
 * have, so nothing a provider attached by mistake leaves the machine.
 */
export function encodeAgentFrame(frame: AgentFrame): string {
  const checked = parseAgentFrame(JSON.stringify(frame));
  if (checked.ok !== true) {
    const why = checked.ok === false ? checked.reason : `unknown type ${checked.type}`;
    throw new TypeError(`the agent built a ${frame.type} frame the protocol does not allow: ${why}`);
  }
  return JSON.stringify(checked.value);
}

/** A frame as received: control frames are text (protocol.md §2), so a binary one is malformed. */
export function readGatewayFrame(data: RawData, isBinary: boolean): FrameReading<GatewayFrame> {
  if (isBinary) return { ok: false, reason: 'a binary frame: control frames are text frames' };
  return parseGatewayFrame(rawText(data));
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
