import { parseFlags } from '../cli/flags.js';
import { booleanFlag } from '../cli/values.js';
import { createLogger } from '../logging/logger.js';
import { runService } from '../service/run.js';
import { planTunnel } from '../service/tunnel-link.js';
import { UP_HELP } from './help.js';
import { UP_SPEC, rejectStrayWords, splitAtDoubleDash, upInvocation } from './up-args.js';

/** `mcp-workstation up [flags] [-- <command> [args…]]`: resolves once serving. */
export async function upCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { flagArgs, serverArgv } = splitAtDoubleDash(argv);
  const { values, positionals } = parseFlags(flagArgs, UP_SPEC);
  if (booleanFlag(values, 'help')) {
    process.stdout.write(UP_HELP);
    return;
  }
  rejectStrayWords(positionals);
  const invocation = upInvocation(values, serverArgv, env);
  const logger = createLogger({ level: invocation.logLevel });
  for (const warning of invocation.warnings) logger.warn(warning);
  for (const notice of invocation.notices) logger.info(notice);
  const tunnel = await planTunnel(invocation.tunnel, invocation.service.servers.map((server) => server.name), logger);
  await runService(invocation.service, logger, invocation.endpoints, { tunnel });
}
