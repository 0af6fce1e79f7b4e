import { parseFlags } from '../cli/flags.js';
import { booleanFlag } from '../cli/values.js';
import { createLogger } from '../logging/logger.js';
import { runService } from '../service/run.js';
import { BRIDGE_SPEC, bridgeInvocation } from './bridge-args.js';
import { BRIDGE_HELP } from './help.js';

/** `mcp-workstation bridge …`: resolves once serving; the process then lives until a signal. */
export async function bridgeCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { values } = parseFlags(argv, BRIDGE_SPEC);
  if (booleanFlag(values, 'help')) {
    process.stdout.write(BRIDGE_HELP);
    return;
  }
  const invocation = bridgeInvocation(values, env);
  const logger = createLogger({ level: invocation.logLevel });
  for (const warning of invocation.warnings) logger.warn(warning);
  for (const notice of invocation.notices) logger.info(notice);
  await runService(invocation.service, logger, invocation.endpoints);
}
