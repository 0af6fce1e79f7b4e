import { AgentStateStore, RegistrationError, StateError, TOKEN_ENV_VAR, defaultTokenSources, readRegistrationToken, register } from '@mcp-workstation/tunnel';
import type { AgentState, RegistrationToken } from '@mcp-workstation/tunnel';
import { parseFlags } from '../cli/flags.js';
import { booleanFlag } from '../cli/values.js';
import { UserError } from '../errors.js';
import { createLogger, type DaemonLogger } from '../logging/logger.js';
import { REGISTER_HELP } from './help.js';
import { REGISTER_SPEC, registerInvocation, type RegisterInvocation } from './register-args.js';

/**
 * `mcp-workstation register --gateway <url> --token-file <file>`: registers this machine with a
 * gateway once (protocol.md §1) and saves its identity in the state directory. What it prints on
 * stdout is the result (agentId, tunnel address, where the state is); progress and warnings go
 * to stderr. The token and the agentSecret are never printed.
 */
export async function registerCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { values } = parseFlags(argv, REGISTER_SPEC);
  if (booleanFlag(values, 'help')) {
    process.stdout.write(REGISTER_HELP);
    return;
  }
  const invocation = registerInvocation(values, env);
  const logger = createLogger({ level: invocation.logLevel });
  const { token, source } = await registrationToken(invocation, env, logger);
  await warnAboutReplacedIdentity(invocation.stateDir, logger);
  logger.info(`using the registration token from ${source}`);
  const state = await registerOrExplain(invocation, token, logger);
  process.stdout.write(summary(state, invocation));
}

async function registrationToken(invocation: RegisterInvocation, env: NodeJS.ProcessEnv, logger: DaemonLogger): Promise<RegistrationToken> {
  if (invocation.tokenInArgv !== undefined) {
    logger.warn(
      `--token puts the registration token on the command line, where any local user can read it with \`ps\`. ` +
        `Prefer --token-file <file>, the ${TOKEN_ENV_VAR} environment variable, or stdin.`,
    );
    return { token: invocation.tokenInArgv.trim(), source: '--token' };
  }
  try {
    return await readRegistrationToken({ sources: defaultTokenSources(invocation.tokenFile), env, logger });
  } catch (error) {
    throw asUserError(error);
  }
}

/** Registering again gives a new identity and forgets the old one (protocol.md §1): say so. */
async function warnAboutReplacedIdentity(stateDir: string, logger: DaemonLogger): Promise<void> {
  const previous = await new AgentStateStore(stateDir).load().catch(() => null);
  if (previous) {
    logger.warn(
      `${stateDir} holds the registration of agent ${previous.identity.agentId} with ${previous.identity.gatewayUrl}; ` +
        'registering replaces it (its secret and keys are deleted; a daemon still running with it must be restarted)',
    );
  }
}

async function registerOrExplain(invocation: RegisterInvocation, token: string, logger: DaemonLogger): Promise<AgentState> {
  try {
    return await register({
      gatewayUrl: invocation.gatewayUrl,
      token,
      servers: invocation.servers,
      name: invocation.name,
      stateDir: invocation.stateDir,
      caFile: invocation.caFile,
      allowHttp: invocation.allowHttp,
      logger,
    });
  } catch (error) {
    throw asUserError(error);
  }
}

/** Registration and state errors already say what happened and the fix: one sentence, no stack. */
function asUserError(error: unknown): unknown {
  if (error instanceof RegistrationError || error instanceof StateError) return new UserError(error.message);
  return error;
}

function summary(state: AgentState, invocation: RegisterInvocation): string {
  const stateDirFlag = invocation.stateDirGiven ? ` --state-dir ${invocation.stateDir}` : '';
  return [
    `registered with ${state.identity.gatewayUrl} as agent ${state.identity.agentId}${state.identity.name ? ` ("${state.identity.name}")` : ''}`,
    `  agentId:        ${state.identity.agentId}`,
    `  tunnel address: ${state.tunnel.address}`,
    `  state saved in: ${invocation.stateDir} (keep it private: it holds the agent's secret and WireGuard key)`,
    'The registration token is used up now; delete it.',
    `Next: mcp-workstation up${stateDirFlag} -- <command> [args…]`,
    '',
  ].join('\n');
}
