// The control channel's public face, for packages/tunnel/src/index.ts to re-export.
export { ControlChannel, DEFAULT_CONTROL_TIMING, STOP_REASONS } from './control-channel.js';
export { ControlChannelError } from './control-error.js';
export type {
  ControlChannelEvents,
  ControlChannelOptions,
  ControlChannelState,
  ControlLogger,
  ControlPhase,
  ControlTiming,
  HelloContent,
  StatusContent,
  StopCause,
  TunnelUpdate,
} from './types.js';
