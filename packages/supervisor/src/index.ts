// Public face of @mcp-workstation/supervisor: starting, watching, restarting and stopping
// stdio server processes, framing their stdout into JSON-RPC messages.
export type {
  ProcessState,
  Logger,
  ServerCommand,
  RestartPolicy,
  SupervisedServerOptions,
  ExitInfo,
  ServerStatus,
  ChannelEvents,
  MessageChannel,
} from './types.js';
export { SupervisedServer } from './supervised-server.js';
export { splitCommandLine } from './command-line.js';
export { findOnPath } from './find-on-path.js';
