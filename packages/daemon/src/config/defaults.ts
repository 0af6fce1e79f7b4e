import { DEFAULT_RESTART_POLICY } from '@mcp-workstation/supervisor';
import type { ServerRestartPolicy } from './types.js';

/** Defaults shared with the packages that use them, so the config never drifts from them. */

/** Same as the bridge's own default (bridge/src/upstream/shared-upstream.ts), which it does not export. */
export const DEFAULT_RESTART_WAIT_MS = 30_000;

/** uvx and npx download the server on first run: give a first start two minutes. */
export const DEFAULT_START_TIMEOUT_MS = 120_000;

export const DEFAULT_RESTART: ServerRestartPolicy = { ...DEFAULT_RESTART_POLICY };

/** The name of the one server of `up -- <command>` when --name is not given. */
export const ONE_OFF_SERVER_NAME = 'default';
