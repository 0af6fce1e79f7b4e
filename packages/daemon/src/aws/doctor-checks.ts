import { accessSync, constants, statSync } from 'node:fs';
import { findOnPath } from '@mcp-workstation/supervisor';
import { awsPaths, type AwsPaths } from './aws-paths.js';
import { DEFAULT_PROFILE, profileNames, readProfile, refreshCommand } from './aws-profiles.js';
import { expirySignalInText } from './credential-signals.js';
import { runBounded, type CommandRunner } from './run-bounded.js';
import { awsServerFacts, type AwsServerFacts } from './server-facts.js';
import type { NamedServer } from './warnings.js';

/**
 * `doctor` for a server that runs the AWS proxy: each check says what it found and, when it
 * is not ok, the fix. Checks look at what the *service* will see (its PATH, the child's
 * environment, the user it runs as), which is where a setup that works in a shell breaks.
 */

/** The daemon's doctor states, plus skip (its detail starts "skipped:"; shown as info where skip is not a state). */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip' | 'info';

/** The shape of the daemon's doctor lines (name, state, detail, fix), with a stable id. */
export interface DoctorCheck {
  id: 'uvx' | 'aws-cli' | 'caller-identity' | 'profile' | 'credentials-owner' | 'docker';
  name: string;
  state: CheckStatus;
  detail: string;
  fix?: string;
}

export interface AwsDoctorInput {
  server: NamedServer;
  /** The PATH the service will have (recorded at service install; for a foreground run, the shell's). */
  servicePath: string;
  /** The daemon's environment (HOME, AWS_*); the server's env is applied over it here. */
  env?: NodeJS.ProcessEnv;
  /** The PATH of the shell running doctor, to say "your shell finds it, the service will not". Default process.env.PATH. */
  shellPath?: string;
  /** Bound on `aws sts get-caller-identity`. Default 15 s. */
  timeoutMs?: number;
  /** The uid the daemon runs as. Default this process's. */
  uid?: number;
  run?: CommandRunner;
}

export const MINIMUM_AWS_CLI = [2, 32, 0] as const;
export const DEFAULT_STS_TIMEOUT_MS = 15_000;
const VERSION_TIMEOUT_MS = 10_000;

const OFFLINE = /Could not connect to the endpoint URL|Connect timeout on endpoint URL|getaddrinfo|Name or service not known|Temporary failure in name resolution|nodename nor servname|EAI_AGAIN|ENOTFOUND|Network is unreachable/i;
const PROFILE_NOT_FOUND = /config profile \(([^)]*)\) could not be found/i;
const UV_INSTALL = 'curl -LsSf https://astral.sh/uv/install.sh | sh';
const CLI_INSTALL = 'https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html';

/** Every AWS check for `server`, in the order a person would fix them; null when the server does not run the AWS proxy. */
export async function awsDoctorChecks(input: AwsDoctorInput): Promise<DoctorCheck[] | null> {
  const facts = awsServerFacts(input.server);
  if (!facts) return null;
  const context = doctorContext(input, facts);
  const cli = await checkAwsCli(context);
  return [
    checkUvx(context),
    cli.check,
    await checkCallerIdentity(context, cli.executable),
    checkProfile(context),
    checkCredentialsOwner(context),
    dockerNotNeeded(),
  ];
}

interface DoctorContext {
  input: AwsDoctorInput;
  facts: AwsServerFacts;
  childEnv: NodeJS.ProcessEnv;
  childPath: string;
  paths: AwsPaths;
  profile: string;
  run: CommandRunner;
}

function doctorContext(input: AwsDoctorInput, facts: AwsServerFacts): DoctorContext {
  const base = input.env ?? process.env;
  const childEnv: NodeJS.ProcessEnv = { ...base };
  for (const [name, value] of Object.entries(input.server.env ?? {})) {
    if (value === null || value === undefined) delete childEnv[name];
    else childEnv[name] = value;
  }
  const serverPath = input.server.env?.PATH;
  const childPath = typeof serverPath === 'string' ? serverPath : input.servicePath;
  childEnv.PATH = childPath;
  return {
    input,
    facts,
    childEnv,
    childPath,
    paths: awsPaths(childEnv),
    profile: facts.profile ?? childEnv.AWS_PROFILE ?? DEFAULT_PROFILE,
    run: input.run ?? runBounded,
  };
}

export function checkUvx({ input, childPath }: DoctorContext): DoctorCheck {
  const name = 'uvx on the PATH the service will have';
  const command = input.server.command;
  const found = findOnPath(command, childPath);
  if (found) return { id: 'uvx', name, state: 'ok', detail: `${command} is ${found}` };
  const inShell = command.includes('/') ? null : findOnPath(command, shellPathOf(input));
  const where = inShell ? ` This shell finds it at ${inShell}, but the service's PATH (${childPath || '(empty)'}) does not include ${inShell.slice(0, inShell.lastIndexOf('/'))}.` : '';
  return {
    id: 'uvx',
    name,
    state: 'fail',
    detail: `${command} is not on the PATH the service will have (${childPath || '(empty)'}): the server would fail with "spawn ${command} ENOENT".${where}`,
    fix: inShell
      ? `set servers.${input.server.name}.command to ${inShell}, or add its directory to servers.${input.server.name}.env.PATH (or reinstall the service from this shell, which records its PATH).`
      : `install uv (${UV_INSTALL}), then make uvx reachable: set servers.${input.server.name}.command to its absolute path (\`command -v uvx\`).`,
  };
}

interface CliCheck {
  check: DoctorCheck;
  /** The aws executable to run, when one was found. */
  executable: string | null;
}

export async function checkAwsCli({ input, childPath, childEnv, run }: DoctorContext): Promise<CliCheck> {
  const name = 'AWS CLI 2.32.0 or later';
  // The proxy itself does not run the CLI; people do (aws login), so the shell's PATH counts too.
  const executable = findOnPath('aws', childPath) ?? findOnPath('aws', shellPathOf(input));
  if (!executable) {
    return { executable, check: { id: 'aws-cli', name, state: 'fail', detail: 'the AWS CLI (aws) is not installed, or not on the PATH.', fix: `install AWS CLI v2 (2.32.0 or later, for \`aws login\`): ${CLI_INSTALL}` } };
  }
  const result = await run([executable, '--version'], { env: childEnv, timeoutMs: VERSION_TIMEOUT_MS });
  const version = parseAwsCliVersion(`${result.stdout}\n${result.stderr}`);
  if (!version) {
    return { executable, check: { id: 'aws-cli', name, state: 'fail', detail: `${executable} --version did not print an aws-cli version (${firstLine(result.stderr || result.stdout) || 'no output'}).`, fix: `reinstall AWS CLI v2: ${CLI_INSTALL}` } };
  }
  const text = version.join('.');
  if (compareVersions(version, MINIMUM_AWS_CLI) < 0) {
    return { executable, check: { id: 'aws-cli', name, state: 'fail', detail: `${executable} is aws-cli/${text}; \`aws login\` needs 2.32.0 or later.`, fix: `update the AWS CLI to 2.32.0 or later: ${CLI_INSTALL}` } };
  }
  return { executable, check: { id: 'aws-cli', name, state: 'ok', detail: `${executable} is aws-cli/${text}` } };
}

export async function checkCallerIdentity(context: DoctorContext, executable: string | null): Promise<DoctorCheck> {
  const { profile, childEnv, run, input } = context;
  const name = `aws sts get-caller-identity --profile ${profile}`;
  if (!executable) return { id: 'caller-identity', name, state: 'skip', detail: 'skipped: the AWS CLI is not installed (see above).' };
  const timeoutMs = input.timeoutMs ?? DEFAULT_STS_TIMEOUT_MS;
  const result = await run([executable, 'sts', 'get-caller-identity', '--profile', profile, '--output', 'json'], { env: { ...childEnv, AWS_PAGER: '' }, timeoutMs });
  if (result.timedOut) return { id: 'caller-identity', name, state: 'skip', detail: `skipped: no answer within ${timeoutMs / 1000} s (offline, or a very slow network?). Run it again when online.` };
  const output = `${result.stderr}\n${result.stdout}`;
  if (result.code === 0) return { id: 'caller-identity', name, state: 'ok', detail: describeIdentity(result.stdout) };
  if (OFFLINE.test(output)) return { id: 'caller-identity', name, state: 'skip', detail: `skipped: this machine looks offline (${firstLine(matchingLine(output, OFFLINE))}). Run doctor again when online.` };
  const refresh = refreshCommand(profile, readProfile(context.paths, profile)).join(' ');
  if (expirySignalInText(output)) {
    return { id: 'caller-identity', name, state: 'fail', detail: `the credentials of profile ${profile} have expired (${firstLine(matchingLine(output, /expired|LoginRefreshRequired|reauthenticate/i))}).`, fix: `run \`${refresh}\` as the user the daemon runs as.` };
  }
  if (PROFILE_NOT_FOUND.test(output)) {
    return { id: 'caller-identity', name, state: 'fail', detail: `the AWS CLI cannot find profile ${profile}.`, fix: profileFix(profile) };
  }
  return { id: 'caller-identity', name, state: 'fail', detail: `it failed: ${firstLine(lastLine(result.stderr) || result.stdout) || `exit code ${result.code}`}`, fix: `run \`aws sts get-caller-identity --profile ${profile}\` in your shell to see the whole error; \`${refresh}\` fixes most of them.` };
}

export function checkProfile({ paths, profile, childEnv }: DoctorContext): DoctorCheck {
  const name = `AWS profile ${profile} exists`;
  const found = readProfile(paths, profile);
  if (found) {
    const where = [found.inConfig ? paths.configFile : null, found.inCredentials ? paths.credentialsFile : null].filter(Boolean).join(' and ');
    return { id: 'profile', name, state: 'ok', detail: `in ${where} (credentials from: ${found.source})` };
  }
  if (profile === DEFAULT_PROFILE && childEnv.AWS_ACCESS_KEY_ID) {
    return { id: 'profile', name, state: 'ok', detail: 'no default profile, but the server gets credentials from AWS_ACCESS_KEY_ID in its environment.' };
  }
  const others = profileNames(paths);
  return {
    id: 'profile',
    name,
    state: 'fail',
    detail: `profile ${profile} is in neither ${paths.configFile} nor ${paths.credentialsFile}${others.length ? ` (they define: ${others.join(', ')})` : ''}.`,
    fix: profileFix(profile),
  };
}

export function checkCredentialsOwner({ paths, input, childEnv }: DoctorContext): DoctorCheck {
  const name = 'the daemon runs as the user who owns the AWS credentials';
  const uid = input.uid ?? process.getuid?.();
  let owner: number;
  try {
    owner = statSync(paths.awsDir).uid;
  } catch {
    if (childEnv.AWS_ACCESS_KEY_ID) return { id: 'credentials-owner', name, state: 'ok', detail: `no ${paths.awsDir}, but the server gets credentials from its environment.` };
    return {
      id: 'credentials-owner',
      name,
      state: 'fail',
      detail: `${paths.awsDir} does not exist for the user the daemon runs as (HOME=${paths.home}): the proxy would find no credentials.`,
      fix: 'run the daemon as the user who ran `aws login` (mcp-workstation service install as that user), or run `aws login` as this user.',
    };
  }
  if (!readable(paths.awsDir) || ![paths.configFile, paths.credentialsFile].every((file) => !exists(file) || readable(file))) {
    return { id: 'credentials-owner', name, state: 'fail', detail: `${paths.awsDir} (or a file in it) is not readable by the daemon's user.`, fix: `run the daemon as the owner of ${paths.awsDir} (uid ${owner}), or fix its permissions: chmod u+rwx ${paths.awsDir}.` };
  }
  if (uid !== undefined && owner !== uid) {
    return {
      id: 'credentials-owner',
      name,
      state: 'warn',
      detail: `${paths.awsDir} belongs to uid ${owner}, but the daemon runs as uid ${uid}: \`aws login\` as its owner refreshes credentials this daemon may not see, and files it writes may become unreadable to the owner.`,
      fix: `install and run the service as the user with uid ${owner} (a user service), not as ${uid === 0 ? 'root' : `uid ${uid}`}.`,
    };
  }
  return { id: 'credentials-owner', name, state: 'ok', detail: `${paths.awsDir} is readable and owned by the daemon's user${uid === undefined ? '' : ` (uid ${uid})`}.` };
}

export function dockerNotNeeded(): DoctorCheck {
  return {
    id: 'docker',
    name: 'Docker',
    state: 'info',
    detail: 'not needed: mcp-workstation runs the tunnel itself, and the proxy runs as an ordinary process with your credentials (no tunnel-agent container).',
  };
}

/** [2, 32, 1] from `aws-cli/2.32.1 Python/3.13.7 Linux/6 exe/x86_64`. */
export function parseAwsCliVersion(text: string): [number, number, number] | null {
  const match = /aws-cli\/(\d+)\.(\d+)\.(\d+)/.exec(text);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : null;
}

function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

function shellPathOf(input: AwsDoctorInput): string {
  return input.shellPath ?? process.env.PATH ?? '';
}

function profileFix(profile: string): string {
  return `create it with \`aws login --profile ${profile}\` (or \`aws configure sso --profile ${profile}\` for IAM Identity Center), or name an existing profile with mcp-workstation init aws --profile <name>.`;
}

function describeIdentity(stdout: string): string {
  try {
    const identity = JSON.parse(stdout) as { Account?: string; Arn?: string };
    return `signed in: account ${identity.Account ?? '?'} as ${identity.Arn ?? '?'}`;
  } catch {
    return 'signed in.';
  }
}

function firstLine(text: string): string {
  return text.trim().split(/\r?\n/)[0] ?? '';
}

function lastLine(text: string): string {
  return text.trim().split(/\r?\n/).at(-1) ?? '';
}

function matchingLine(text: string, pattern: RegExp): string {
  return text.split(/\r?\n/).find((line) => pattern.test(line)) ?? text;
}

function exists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch {
    return false;
  }
}

function readable(file: string): boolean {
  try {
    accessSync(file, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}
