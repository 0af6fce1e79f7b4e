import { parseFlags } from '../cli/flags.js';
import { booleanFlag } from '../cli/values.js';
import { EX_CONFIG } from '../config/config-error.js';
import { describeSource } from '../config/sources.js';
import { UsageError, UserError } from '../errors.js';
import { RecentErrors } from '../health/recent-errors.js';
import { createLogger, type DaemonLogger } from '../logging/logger.js';
import { StartupNotices } from '../logging/startup-notices.js';
import { KnownSecrets } from '../logging/redact.js';
import { LoginOffer } from '../service/login-offer.js';
import { runService } from '../service/run.js';
import { planTunnel, type TunnelPlan } from '../service/tunnel-link.js';
import { UP_HELP } from './help.js';
import { UP_SPEC, rejectStrayWords, splitAtDoubleDash, upInvocation, type UpInvocation } from './up-args.js';

/** `mcp-workstation up [flags] [-- <command> [args…]]`: resolves once serving. */
export async function upCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { flagArgs, serverArgv } = splitAtDoubleDash(argv);
  const { values, positionals } = parseFlags(flagArgs, UP_SPEC);
  if (booleanFlag(values, 'help')) {
    process.stdout.write(UP_HELP);
    return;
  }
  rejectStrayWords(positionals);
  const context = { env, cwd: process.cwd() };
  const invocation = upInvocation(values, serverArgv, context);
  const loginOffer = invocation.interactiveFlag ? interactiveLoginOffer() : undefined;
  const foreground = invocation.foregroundFlag || loginOffer !== undefined || process.stderr.isTTY === true;
  const knownSecrets = new KnownSecrets();
  knownSecrets.add(...invocation.secrets);
  const recentErrors = new RecentErrors();
  const logger = createLogger({
    level: invocation.logLevel,
    format: invocation.logFormat,
    knownSecrets,
    extraTransports: [recentErrors.transport()],
  });
  for (const warning of invocation.warnings) logger.warn(warning);
  // Where to connect is said first; what is said before the service listens waits for it.
  const startup = new StartupNotices(logger);
  const tunnel = await tunnelPlan(invocation, startup.logger, knownSecrets);
  await runService(invocation.service, logger, invocation.endpoints, {
    tunnel: tunnel.plan,
    tunnelOffReason: tunnel.offReason,
    admin: invocation.admin,
    shutdownGraceMs: invocation.shutdownGraceMs,
    notices: invocation.notices,
    startup,
    foreground,
    recentErrors,
    loginOffer: loginOffer?.(logger),
    reload: {
      initial: invocation.reloadable,
      // The same flags and command, the environment as the process has it, the file as it is now.
      load: () => {
        const next = upInvocation(values, serverArgv, context);
        knownSecrets.add(...next.secrets);
        return next.reloadable;
      },
    },
  });
}

/**
 * --interactive asks questions on the terminal, so it needs one: refused (before anything
 * starts) when stdin is not a terminal, as under a service manager or with input piped in.
 */
function interactiveLoginOffer(): (logger: DaemonLogger) => LoginOffer {
  if (process.stdin.isTTY !== true) {
    throw new UsageError(
      '--interactive asks on the terminal before running `aws login`, but standard input is not a terminal. ' +
        'Fix: run `mcp-workstation up --interactive` in a terminal, or drop --interactive (as a service, renew with `mcp-workstation login aws`).',
    );
  }
  return (logger) => new LoginOffer({ terminal: { input: process.stdin, output: process.stderr }, logger });
}

/** tunnel.enabled: false never, auto when registered, true requires a registration. */
async function tunnelPlan(invocation: UpInvocation, logger: DaemonLogger, knownSecrets: KnownSecrets): Promise<{ plan: TunnelPlan | null; offReason: string }> {
  const settings = invocation.tunnel;
  const source = invocation.loaded.sources.get('tunnel.enabled');
  if (settings.enabled === false) return { plan: null, offReason: `the tunnel is off (tunnel.enabled is false, ${source ? describeSource(source) : 'config'})` };
  const plan = await planTunnel(settings, invocation.service.servers.map((server) => server.name), logger, (secrets) => knownSecrets.add(...secrets));
  if (plan === null && settings.enabled === true) {
    throw new UserError(
      `tunnel.enabled is true (${source ? describeSource(source) : 'config'}) but ${settings.stateDir} holds no usable registration. ` +
        `Fix: register first (mcp-workstation register --gateway <url> --token-file <file> --state-dir ${settings.stateDir}), or set tunnel.enabled to auto.`,
      EX_CONFIG,
    );
  }
  return { plan, offReason: 'not registered: serving locally only (run `mcp-workstation register` to reach a gateway)' };
}
