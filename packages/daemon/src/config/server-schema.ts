import { DEFAULT_RESTART, DEFAULT_START_TIMEOUT_MS } from './defaults.js';
import { registerFormats } from './formats.js';

/**
 * One entry of `servers`, in convict's form. Each server is loaded through its own convict
 * instance of this schema: convict does not apply defaults inside a map or a list, and a
 * server's keys come only from the file (or `up -- <command>`), never from the environment.
 */

registerFormats();

/** 1 to 63 of a-z, 0-9 and '-', starting with a letter or digit: it tags logs and forms /servers/<name>/mcp. */
export const SERVER_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

export const SERVER_NAME_RULE = "1 to 63 lowercase letters, digits or '-', starting with a letter or digit";

export const SERVER_SCHEMA = {
  command: {
    doc: 'The program that starts the MCP server on stdio: a name looked up on PATH (the PATH the daemon sees, which for a service is short), or a path.',
    format: 'command',
    default: '',
  },
  args: {
    doc: "The program's arguments, one string each (no shell: quotes and $VARS are not interpreted).",
    format: 'argument-list',
    default: [] as string[],
  },
  env: {
    doc: "Variables set for this server on top of the daemon's own environment; null removes one. Keep secrets out of a config file others can read.",
    format: 'environment-map',
    default: {} as Record<string, string | null>,
  },
  cwd: {
    doc: "Working directory of the server. Unset: the daemon's own. A relative path starts from the config file's folder.",
    format: 'path',
    default: null,
    nullable: true,
    isPath: true,
  },
  shell: {
    doc: 'Run command (with args appended) through /bin/sh -c, for a command line that needs a shell. Off by default.',
    format: 'switch',
    default: false,
  },
  sessionMode: {
    doc: 'How MCP sessions meet the server. shared: one child for every session. stateless: one child, no session ids. per-session: a child for each session.',
    format: 'session-mode',
    default: 'shared',
  },
  startTimeoutMs: {
    doc: "How long the server may take to answer its first initialize. Generous because uvx and npx download the server on first run.",
    format: 'positive-milliseconds',
    default: DEFAULT_START_TIMEOUT_MS,
  },
  restart: {
    enabled: {
      doc: 'Restart the server when it exits (per-session children never restart: their session ends with them).',
      format: 'switch',
      default: DEFAULT_RESTART.enabled,
    },
    initialDelayMs: {
      doc: 'First wait before a restart; it doubles with each exit, with jitter.',
      format: 'positive-milliseconds',
      default: DEFAULT_RESTART.initialDelayMs,
    },
    maxDelayMs: {
      doc: 'Longest wait between restarts while the server is not failed.',
      format: 'positive-milliseconds',
      default: DEFAULT_RESTART.maxDelayMs,
    },
    failedAfterExits: {
      doc: 'This many exits within restart.failedWindowMs make the server failed (reported, and retried slowly).',
      format: 'positive-count',
      default: DEFAULT_RESTART.failedAfterExits,
    },
    failedWindowMs: {
      doc: 'The window in which restart.failedAfterExits exits count.',
      format: 'positive-milliseconds',
      default: DEFAULT_RESTART.failedWindowMs,
    },
    failedRetryDelayMs: {
      doc: 'While failed, the server is still retried this often: it never gives up silently.',
      format: 'positive-milliseconds',
      default: DEFAULT_RESTART.failedRetryDelayMs,
    },
  },
};
