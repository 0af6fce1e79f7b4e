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
export { findOnPath, isExecutableFile } from './find-on-path.js';
export { DEFAULT_RESTART_POLICY } from './backoff.js';
export { DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_STDERR_TAIL_LINES, DEFAULT_STOP_GRACE_MS } from './settings.js';
export { checkServerCommand } from './launch-plan.js';
export { MAX_MESSAGE_DEPTH, nestedDeeperThan } from './json-depth.js';
