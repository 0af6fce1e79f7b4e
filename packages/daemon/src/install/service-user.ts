import * as os from 'node:os';
import { ServiceInstallError } from './install-error.js';
import { runCommand, type CommandRunner } from './run-command.js';
import type { ServicePlatform, ServiceUser } from './types.js';

/**
 * Who the service runs as. `sudo mcp-workstation service install --system` runs as root, but
 * the service is the person's own agent (their PATH, their ~/.aws): sudo names them in
 * SUDO_USER. Anyone else is the current user.
 */
export async function resolveServiceUser(options: {
  platform: ServicePlatform;
  env: NodeJS.ProcessEnv;
  effectiveUid: number;
  /** An explicit account (a `--user` flag); default: SUDO_USER under sudo, else the current user. */
  name?: string;
  run?: CommandRunner;
}): Promise<ServiceUser> {
  const sudoUser = options.effectiveUid === 0 && options.env.SUDO_USER && options.env.SUDO_USER !== 'root' ? options.env.SUDO_USER : undefined;
  const name = options.name ?? sudoUser;
  if (name === undefined) return currentUser(options.run);
  return lookupUser(name, options.platform, options.run ?? runCommand);
}

async function currentUser(run: CommandRunner = runCommand): Promise<ServiceUser> {
  const info = os.userInfo();
  return { name: info.username, uid: info.uid, gid: info.gid, home: info.homedir, group: await groupName(info.username, run) };
}

/** Another account's ids and home, through the tools every system has (`id`; getent or dscl). */
export async function lookupUser(name: string, platform: ServicePlatform, run: CommandRunner = runCommand): Promise<ServiceUser> {
  const uid = await idOutput(['id', '-u', name], run);
  const gid = await idOutput(['id', '-g', name], run);
  return { name, uid: Number(uid), gid: Number(gid), group: await groupName(name, run), home: await homeOf(name, platform, run) };
}

async function idOutput(argv: string[], run: CommandRunner): Promise<string> {
  const result = await run(argv, process.env);
  const value = result.stdout.trim();
  if (result.code !== 0 || !/^\d+$/.test(value)) {
    throw new ServiceInstallError(`there is no user '${argv[2]}' on this machine (\`${argv.join(' ')}\` failed)`, 'name an existing account for the service to run as');
  }
  return value;
}

async function groupName(user: string, run: CommandRunner): Promise<string> {
  const result = await run(['id', '-gn', user], process.env);
  const group = result.stdout.trim();
  if (result.code !== 0 || group === '') throw new ServiceInstallError(`cannot find the primary group of '${user}' (\`id -gn ${user}\` failed)`, 'check the account with `id`');
  return group;
}

async function homeOf(name: string, platform: ServicePlatform, run: CommandRunner): Promise<string> {
  const argv = platform === 'darwin' ? ['dscl', '.', '-read', `/Users/${name}`, 'NFSHomeDirectory'] : ['getent', 'passwd', name];
  const result = await run(argv, process.env);
  const home = platform === 'darwin' ? result.stdout.replace(/^NFSHomeDirectory:\s*/, '').trim() : (result.stdout.trim().split(':')[5] ?? '');
  if (result.code !== 0 || !home.startsWith('/')) {
    throw new ServiceInstallError(`cannot find the home directory of '${name}' (\`${argv.join(' ')}\` failed)`, 'check the account, or install the service as that user');
  }
  return home;
}
