import * as path from 'node:path';
import { AgentStateStore, SYSTEM_STATE_DIR } from '@mcp-workstation/tunnel';
import type { CommandSpec, FlagValue } from '../cli/flags.js';
import { booleanFlag, listFlag, stringFlag } from '../cli/values.js';
import { configFlagSpecs } from '../config/environment-and-flags.js';
import { loadConfig } from '../config/load-config.js';
import { DAEMON_SCHEMA } from '../config/schema.js';
import { schemaLeaves } from '../config/schema-walk.js';
import type { LoadedConfig } from '../config/types.js';
import { UsageError } from '../errors.js';
import type { InstallServiceOptions, ServiceTargetOptions } from '../install/index.js';
import type { NotifySettings } from '../install/types.js';

/**
 * The flags of `service install|uninstall|status` and `logs`, turned into the installer's
 * options. What the service will run is what this shell would run: the same config file, state
 * directory and flags, recorded in the unit as `up` flags; the variables named with --env are
 * read from this shell into the 0600 environment file, never into the unit.
 */

export const SERVICE_SPEC: CommandSpec = {
  command: 'service',
  flags: {
    help: { type: 'boolean', short: 'h' },
    ...configFlagSpecs(),
    system: { type: 'boolean' },
    dryRun: { type: 'boolean' },
    force: { type: 'boolean' },
    env: { type: 'string', multiple: true },
  },
};

export const LOGS_SPEC: CommandSpec = {
  command: 'logs',
  flags: { help: { type: 'boolean', short: 'h' }, system: { type: 'boolean' }, lines: { type: 'string' }, noFollow: { type: 'boolean' } },
};

/** The daemon reports readiness through systemd-notify, a helper process: systemd must accept messages from it. */
export const SERVICE_NOTIFY: NotifySettings = { access: 'all', watchdogSec: 30 };

export interface ServiceContext {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** The CLI entry the service runs (packages/daemon/bin/mcp-workstation.js, or the installed bin). */
  cliPath: string;
}

export function targetOptions(values: Record<string, FlagValue>, context: ServiceContext): ServiceTargetOptions {
  return { scope: booleanFlag(values, 'system') ? 'system' : 'user', env: context.env };
}

/** The configuration the service will read (the file this shell would use), checked now: a service must not start with a broken one. */
export function serviceConfig(values: Record<string, FlagValue>, context: ServiceContext): LoadedConfig {
  return loadConfig({ argvFlags: values, env: context.env, cwd: context.cwd, configPath: stringFlag(values, 'config') });
}

export async function installOptions(values: Record<string, FlagValue>, context: ServiceContext): Promise<InstallServiceOptions> {
  const loaded = serviceConfig(values, context);
  const { config } = loaded;
  const envNames = listFlag(values, 'env');
  const badName = envNames.find((name) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name));
  if (badName !== undefined) throw new UsageError(`--env '${badName}' is not a variable name: give the name only (--env AWS_PROFILE); its value is read from this shell.`);
  return {
    ...targetOptions(values, context),
    cliPath: context.cliPath,
    configPath: loaded.file ? path.resolve(loaded.file.path) : undefined,
    stateDir: stateDirOf(loaded, booleanFlag(values, 'system')),
    extraUpArgs: passedOnFlags(loaded),
    serverEnvNames: envNames,
    serverCommands: config.servers.filter((server) => !server.shell).map((server) => server.command),
    needsNetAdmin: config.tunnel.enabled === true || (config.tunnel.enabled === 'auto' && (await isRegistered(stateDirOf(loaded, booleanFlag(values, 'system'))))),
    notify: SERVICE_NOTIFY,
    dryRun: booleanFlag(values, 'dryRun'),
    force: booleanFlag(values, 'force'),
  };
}

/**
 * `--admin /run/x.sock --port 9000` given to `service install` are given to the service's `up`
 * too, as the configuration resolved them (a relative path made absolute: a service does not
 * start in this directory).
 */
function passedOnFlags(loaded: LoadedConfig): string[] {
  const args: string[] = [];
  for (const leaf of schemaLeaves(DAEMON_SCHEMA)) {
    if (leaf.arg === undefined || leaf.key === 'stateDir' || loaded.sources.get(leaf.key)?.kind !== 'flag') continue;
    const value = leaf.key.split('.').reduce<unknown>((node, name) => (node as Record<string, unknown>)[name], loaded.config);
    if (value === null || value === undefined || value === false) continue;
    args.push(value === true ? `--${leaf.arg}` : `--${leaf.arg}=${Array.isArray(value) ? value.join(',') : String(value)}`);
  }
  return args;
}

/** A system service keeps its state in /var/lib/mcp-workstation unless told otherwise (root's home is nobody's). */
function stateDirOf(loaded: LoadedConfig, system: boolean): string {
  if (system && loaded.sources.get('stateDir')?.kind === 'default') return SYSTEM_STATE_DIR;
  return loaded.config.stateDir;
}

async function isRegistered(stateDir: string): Promise<boolean> {
  try {
    return (await new AgentStateStore(stateDir).load()) !== null;
  } catch {
    // A damaged state directory: `up` will say so; the service may still need the capability.
    return true;
  }
}
