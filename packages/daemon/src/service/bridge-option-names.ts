import { BridgeOptionsError } from '@mcp-workstation/bridge';
import { EX_CONFIG } from '../config/config-error.js';
import { UserError } from '../errors.js';

/**
 * The bridge checks its options when it is built and names the option it refuses
 * ("security.allowedHosts[1]"). A person never wrote that name: they wrote a config key, a
 * variable or a flag. This turns the bridge's error into one that names what they wrote.
 */

export type OptionNaming = 'config' | 'bridge-flags';

interface Spelling {
  /** How `up` (and the config file) spells it. */
  config: string;
  /** How `bridge` (supergateway's flags) spells it. */
  bridgeFlag: string;
}

const SPELLINGS: Record<string, Spelling> = {
  'security.allowedHosts': { config: 'security.allowedHosts (--allowed-hosts, MCP_WORKSTATION_ALLOWED_HOSTS)', bridgeFlag: '--allowedHosts' },
  'ingress.allowedHosts': { config: 'security.allowedHosts (--allowed-hosts, MCP_WORKSTATION_ALLOWED_HOSTS)', bridgeFlag: '--allowedHosts' },
  'security.allowedOrigins': { config: 'security.allowedOrigins (--allowed-origins, MCP_WORKSTATION_ALLOWED_ORIGINS)', bridgeFlag: '--allowedOrigins' },
  'security.corsOrigins': { config: 'security.corsOrigins (--cors-origins, MCP_WORKSTATION_CORS_ORIGINS)', bridgeFlag: '--cors' },
  'security.apiKey': { config: 'the API key (security.apiKeyFile, MCP_WORKSTATION_API_KEY or --api-key)', bridgeFlag: 'the API key (--apiKeyFile, MCP_WORKSTATION_API_KEY or --apiKey)' },
  'limits.maxBodyBytes': { config: 'limits.maxBodyBytes (--max-body-bytes)', bridgeFlag: '--maxBodyBytes' },
  'limits.maxSessions': { config: 'limits.maxSessions (--max-sessions)', bridgeFlag: '--maxSessions' },
  'limits.sessionIdleMs': { config: 'limits.sessionIdleMs (--session-timeout)', bridgeFlag: '--sessionTimeout' },
  baseUrl: { config: 'baseUrl', bridgeFlag: '--baseUrl' },
  healthEndpoints: { config: 'healthEndpoints', bridgeFlag: '--healthEndpoint' },
  'paths.streamableHttp': { config: 'paths.streamableHttp', bridgeFlag: '--streamableHttpPath' },
  'paths.sse': { config: 'paths.sse', bridgeFlag: '--ssePath' },
  'paths.message': { config: 'paths.message', bridgeFlag: '--messagePath' },
  'paths.ws': { config: 'paths.ws', bridgeFlag: '--messagePath' },
};

/** "security.allowedHosts[1]" -> "security.allowedHosts". */
function optionBase(option: string): string {
  return option.replace(/\[\d+\]/g, '');
}

export function spellOption(option: string, naming: OptionNaming): string {
  const spelling = SPELLINGS[optionBase(option)];
  if (!spelling) return option;
  return naming === 'config' ? spelling.config : spelling.bridgeFlag;
}

/** A UserError naming the key or flag (exit 78 for a configuration, 2 for a command line); anything else is passed through. */
export function asOptionUserError(error: unknown, naming: OptionNaming): unknown {
  if (!(error instanceof BridgeOptionsError)) return error;
  const index = /\[(\d+)\]/.exec(error.option)?.[1];
  const which = index === undefined ? '' : ` (entry ${Number(index) + 1})`;
  const value = error.value === undefined ? '' : ` ${JSON.stringify(error.value)}`;
  const message = `${spellOption(error.option, naming)}${which}${value}: ${error.problem}. Allowed: ${error.allowed}.`;
  return new UserError(naming === 'config' ? `invalid configuration: ${message}` : message, naming === 'config' ? EX_CONFIG : 2);
}
