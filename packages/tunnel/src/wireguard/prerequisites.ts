import { existsSync, readFileSync } from 'node:fs';
import { findExecutable } from './find-executable.js';
import { interfaceNameProblem } from './interface-name.js';
import type { BackendKind } from './types.js';
import { uapiSocketIsLive, uapiSocketPath } from '@mcp-workstation/wireguard';

export type PrerequisiteCode = 'unsupported_platform' | 'not_privileged' | 'missing_tool' | 'no_tun_device' | 'invalid_interface_name' | 'interface_busy';

/** One thing missing on this machine, with what to do about it. */
export interface PrerequisiteProblem {
  code: PrerequisiteCode;
  message: string;
  fix: string;
}

export class PrerequisiteError extends Error {
  constructor(readonly problems: readonly PrerequisiteProblem[]) {
    super(`WireGuard cannot start on this machine:\n${problems.map((p) => `- ${p.message}\n  fix: ${p.fix}`).join('\n')}`);
    this.name = 'PrerequisiteError';
  }
}

/** What the checks read from the machine; tests substitute facts of other machines. */
export interface HostFacts {
  platform: NodeJS.Platform;
  effectiveUid: number | null;
  /** /proc/self/status CapEff (hex), Linux only. */
  effectiveCapabilities: string | null;
  findExecutable(command: string): string | null;
  fileExists(path: string): boolean;
  /** A wireguard-go of any network namespace answers on this interface name's socket. */
  uapiSocketIsLive(interfaceName: string): Promise<boolean>;
}

export function currentHostFacts(): HostFacts {
  return {
    platform: process.platform,
    effectiveUid: process.geteuid?.() ?? null,
    effectiveCapabilities: readEffectiveCapabilities(),
    findExecutable: (command) => findExecutable(command),
    fileExists: (path) => existsSync(path),
    uapiSocketIsLive: (name) => uapiSocketIsLive(uapiSocketPath(name)),
  };
}

/** The tools each backend runs. wireguard-go is configured over its socket, so it needs no `wg`. */
const TOOLS: Record<BackendKind, readonly string[]> = { kernel: ['ip', 'wg'], 'wireguard-go': ['ip', 'wireguard-go'] };

const CAP_NET_ADMIN = 12n;

/** Every problem at once, so a user fixes them in one round. */
export async function findPrerequisiteProblems(kind: BackendKind, interfaceName: string, facts: HostFacts = currentHostFacts()): Promise<PrerequisiteProblem[]> {
  if (facts.platform !== 'linux' && facts.platform !== 'darwin') {
    return [{ code: 'unsupported_platform', message: `WireGuard backends run on Linux and macOS, not ${facts.platform}`, fix: 'run the agent on Linux or macOS' }];
  }
  const problems: PrerequisiteProblem[] = [];
  const add = (problem: PrerequisiteProblem | null): void => {
    if (problem) problems.push(problem);
  };
  add(privilegeProblem(facts));
  for (const tool of TOOLS[kind]) add(toolProblem(tool, facts));
  if (kind === 'kernel' && facts.platform !== 'linux') {
    problems.push({ code: 'unsupported_platform', message: 'the kernel backend exists on Linux only', fix: 'use the wireguard-go backend (or auto)' });
  }
  if (kind === 'wireguard-go' && facts.platform === 'linux' && !facts.fileExists('/dev/net/tun')) {
    problems.push({
      code: 'no_tun_device',
      message: '/dev/net/tun is missing, so wireguard-go cannot create its interface',
      fix: 'load the module with `sudo modprobe tun`; in a container, start it with `--device /dev/net/tun --cap-add NET_ADMIN`',
    });
  }
  const nameProblem = interfaceNameProblem(interfaceName, facts.platform);
  if (nameProblem) add({ code: 'invalid_interface_name', message: nameProblem, fix: 'choose another name with --wg-interface <name>' });
  else add(await busyInterfaceProblem(interfaceName, facts));
  return problems;
}

export async function assertPrerequisites(kind: BackendKind, interfaceName: string, facts?: HostFacts): Promise<void> {
  const problems = await findPrerequisiteProblems(kind, interfaceName, facts);
  if (problems.length > 0) throw new PrerequisiteError(problems);
}

function privilegeProblem(facts: HostFacts): PrerequisiteProblem | null {
  if (facts.effectiveUid === 0) return null;
  if (facts.platform === 'darwin') {
    return { code: 'not_privileged', message: 'creating a tunnel interface needs root', fix: 'run the agent with sudo, or install it as a launchd daemon' };
  }
  if (hasCapability(facts.effectiveCapabilities, CAP_NET_ADMIN)) return null;
  return {
    code: 'not_privileged',
    message: 'creating a WireGuard interface needs root or the CAP_NET_ADMIN capability',
    fix: 'run the agent as root (sudo, or a system service), or grant the capability: `sudo setcap cap_net_admin+ep "$(readlink -f "$(command -v node)")"`; as a systemd service, set AmbientCapabilities=CAP_NET_ADMIN',
  };
}

function hasCapability(capabilitiesHex: string | null, bit: bigint): boolean {
  if (!capabilitiesHex || !/^[0-9a-fA-F]+$/.test(capabilitiesHex)) return false;
  return ((BigInt(`0x${capabilitiesHex}`) >> bit) & 1n) === 1n;
}

function toolProblem(tool: string, facts: HostFacts): PrerequisiteProblem | null {
  if (facts.findExecutable(tool)) return null;
  const packageName = tool === 'wg' ? 'wireguard-tools' : tool === 'ip' ? 'iproute2' : 'wireguard-go';
  const fix =
    facts.platform === 'darwin'
      ? `brew install wireguard-tools wireguard-go${tool === 'ip' ? ' iproute2mac' : ''}`
      : 'sudo apt-get install wireguard-tools wireguard-go iproute2 (Fedora: sudo dnf install wireguard-tools wireguard-go iproute)';
  return { code: 'missing_tool', message: `\`${tool}\` (package ${packageName}) was not found on PATH (${process.env.PATH ?? ''})`, fix };
}

async function busyInterfaceProblem(name: string, facts: HostFacts): Promise<PrerequisiteProblem | null> {
  if (facts.platform === 'linux' && facts.fileExists(`/sys/class/net/${name}`)) {
    return {
      code: 'interface_busy',
      message: `an interface named ${name} already exists`,
      fix: `choose another name with --wg-interface <name>, or remove the old one: \`sudo ip link del ${name}\``,
    };
  }
  // The socket directory is shared by every network namespace: a name in use elsewhere is busy too.
  if (await facts.uapiSocketIsLive(name)) {
    return {
      code: 'interface_busy',
      message: `a wireguard-go process already serves an interface named ${name} (${uapiSocketPath(name)} answers)`,
      fix: `choose another name with --wg-interface <name>, or stop that wireguard-go process (find it with \`pgrep -af wireguard-go\`)`,
    };
  }
  return null;
}

function readEffectiveCapabilities(): string | null {
  try {
    return /^CapEff:\s*([0-9a-fA-F]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? null;
  } catch {
    return null;
  }
}
