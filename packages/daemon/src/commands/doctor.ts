import { askStatus, describeAdmin } from '../admin/admin-client.js';
import { parseFlags } from '../cli/flags.js';
import { booleanFlag, stringFlag } from '../cli/values.js';
import { parseAdminAddress } from '../config/admin-address.js';
import { checkConfig } from '../config/check-config.js';
import type { LoadedConfig } from '../config/types.js';
import { awsServerChecks } from '../doctor/aws-checks.js';
import { localUserChecks } from '../doctor/local-user-checks.js';
import { serverCommandChecks } from '../doctor/server-checks.js';
import { tunnelChecks } from '../doctor/tunnel-checks.js';
import type { DoctorCheck } from '../doctor/types.js';
import { EMBEDDED_NAME, EMBEDDED_PACKAGE, embeddedDefaultCommand } from '../service/embedded-default.js';
import { CONFIG_SPEC } from './config.js';
import { DOCTOR_HELP } from './help.js';
import { rejectStrayWords, splitAtDoubleDash } from './up-args.js';

/**
 * `mcp-workstation doctor [up flags] [-- <command>]`: every prerequisite of `up`, each with its
 * state and, when wrong, the fix. Exit 0 when nothing fails, 1 otherwise. It changes nothing.
 */
export async function doctorCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { flagArgs, serverArgv } = splitAtDoubleDash(argv);
  const { values, positionals } = parseFlags(flagArgs, { ...CONFIG_SPEC, command: 'doctor', flags: { ...CONFIG_SPEC.flags, json: { type: 'boolean' } } });
  if (booleanFlag(values, 'help')) {
    process.stdout.write(DOCTOR_HELP);
    return;
  }
  rejectStrayWords(positionals);
  const checks = await runChecks(env, {
    argvFlags: values,
    env,
    cwd: process.cwd(),
    configPath: stringFlag(values, 'config'),
    serverCommand: serverArgv,
    fallbackServer: { name: EMBEDDED_NAME, ...embeddedDefaultCommand(), description: `embedded ${EMBEDDED_PACKAGE}` },
  });
  process.stdout.write(booleanFlag(values, 'json') ? `${JSON.stringify(checks, null, 2)}\n` : formatChecks(checks));
  process.exitCode = checks.some((check) => check.state === 'fail') ? 1 : 0;
}

/** Warnings of `config check` that doctor checks itself, with more detail (the state directory, the servers' programs). */
const RECHECKED = /^(the state directory |servers\.[a-z0-9-]+\.command ')/;

async function runChecks(env: NodeJS.ProcessEnv, options: Parameters<typeof checkConfig>[0]): Promise<DoctorCheck[]> {
  const result = checkConfig(options);
  const checks: DoctorCheck[] = result.problems.map((problem) => ({ name: 'config', state: 'fail', detail: `${problem.key}: ${problem.reason}`, fix: problem.fix }));
  checks.push(...result.warnings.filter((warning) => !RECHECKED.test(warning)).map((warning): DoctorCheck => ({ name: 'config', state: 'warn', detail: warning })));
  if (result.loaded === null) return checks;
  checks.unshift({ name: 'config', state: result.ok ? 'ok' : 'fail', detail: describeConfig(result.loaded) });
  const aws = await awsServerChecks(result.loaded.config.servers, env);
  checks.push(...serverCommandChecks(result.loaded.config.servers, env).filter((check) => !aws.replaces.has(check.name)), ...aws.checks);
  const daemon = await daemonCheck(result.loaded);
  checks.push(daemon.check);
  checks.push(...(await localUserChecks(result.loaded.config, env)));
  checks.push(...(await tunnelChecks(result.loaded.config, { daemonRunning: daemon.running })));
  return checks;
}

function describeConfig(loaded: LoadedConfig): string {
  const servers = loaded.config.servers.map((server) => server.name).join(', ');
  return `${loaded.file ? loaded.file.path : 'no config file (defaults, environment, flags)'}; servers: ${servers}`;
}

async function daemonCheck(loaded: LoadedConfig): Promise<{ check: DoctorCheck; running: boolean }> {
  const address = parseAdminAddress(loaded.config.admin);
  const answer = await askStatus(address, 2_000);
  if (answer.kind === 'none') {
    return { running: false, check: { name: 'daemon', state: 'info', detail: `none answers at ${describeAdmin(address)} (${answer.reason})` } };
  }
  const { status } = answer;
  const detail = `pid ${status.pid} answers at ${describeAdmin(address)}: ${status.ready ? 'ready' : `not ready (${status.notReady.join('; ')})`}`;
  return { running: true, check: { name: 'daemon', state: status.ready ? 'ok' : 'warn', detail, fix: status.ready ? undefined : 'see `mcp-workstation status` and its logs' } };
}

const MARKS: Record<DoctorCheck['state'], string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', info: 'info' };

function formatChecks(checks: DoctorCheck[]): string {
  const lines = checks.map((check) => `${MARKS[check.state]}  ${check.name}: ${check.detail}${check.fix ? `\n      fix: ${check.fix}` : ''}`);
  const failed = checks.filter((check) => check.state === 'fail').length;
  lines.push('', failed === 0 ? 'Nothing fails.' : `${failed} check${failed === 1 ? '' : 's'} failed: see the fixes above.`);
  return `${lines.join('\n')}\n`;
}
