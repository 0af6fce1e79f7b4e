import { interfaceNameProblem } from './interface-name';
import { assertPrerequisites, findPrerequisiteProblems, PrerequisiteError, type HostFacts } from './prerequisites';

/** A machine where everything is in place; each test takes one thing away. */
function facts(overrides: Partial<HostFacts> = {}): HostFacts {
  return {
    platform: 'linux',
    effectiveUid: 0,
    effectiveCapabilities: '0000000000000000',
    findExecutable: (command) => `/usr/bin/${command}`,
    fileExists: (path) => path === '/dev/net/tun',
    uapiSocketIsLive: async () => false,
    ...overrides,
  };
}

const codes = async (kind: 'kernel' | 'wireguard-go', name: string, host: HostFacts): Promise<string[]> =>
  (await findPrerequisiteProblems(kind, name, host)).map((problem) => problem.code);

describe('findPrerequisiteProblems', () => {
  it('finds nothing wrong on a prepared machine', async () => {
    expect(await codes('wireguard-go', 'mcpw0', facts())).toEqual([]);
    expect(await codes('kernel', 'mcpw0', facts())).toEqual([]);
  });

  it('asks a user without root or CAP_NET_ADMIN for either, with the commands', async () => {
    const [problem] = await findPrerequisiteProblems('wireguard-go', 'mcpw0', facts({ effectiveUid: 1000 }));
    expect(problem?.code).toBe('not_privileged');
    expect(problem?.message).toBe('creating a WireGuard interface needs root or the CAP_NET_ADMIN capability');
    expect(problem?.fix).toContain('setcap cap_net_admin+ep');
    expect(problem?.fix).toContain('AmbientCapabilities=CAP_NET_ADMIN');
  });

  it('accepts CAP_NET_ADMIN (bit 12 of CapEff) instead of root', async () => {
    expect(await codes('wireguard-go', 'mcpw0', facts({ effectiveUid: 1000, effectiveCapabilities: '0000000000001000' }))).toEqual([]);
    expect(await codes('wireguard-go', 'mcpw0', facts({ effectiveUid: 1000, effectiveCapabilities: '0000000000000800' }))).toEqual(['not_privileged']);
    expect(await codes('wireguard-go', 'mcpw0', facts({ effectiveUid: 1000, effectiveCapabilities: null }))).toEqual(['not_privileged']);
  });

  it('names each missing tool the backend runs, with the install line', async () => {
    const none = facts({ findExecutable: () => null });
    const goProblems = await findPrerequisiteProblems('wireguard-go', 'mcpw0', none);
    expect(goProblems.map((problem) => problem.message)).toEqual([
      expect.stringMatching(/^`ip` \(package iproute2\) was not found on PATH/),
      expect.stringMatching(/^`wireguard-go` \(package wireguard-go\) was not found on PATH/),
    ]);
    expect(goProblems[0]?.fix).toContain('sudo apt-get install wireguard-tools wireguard-go iproute2');
    const kernelProblems = await findPrerequisiteProblems('kernel', 'mcpw0', none);
    expect(kernelProblems.map((problem) => problem.message)).toEqual([
      expect.stringMatching(/^`ip`/),
      expect.stringMatching(/^`wg` \(package wireguard-tools\)/),
    ]);
  });

  it('gives macOS users brew and sudo', async () => {
    const mac = facts({ platform: 'darwin', effectiveUid: 501, findExecutable: (command) => (command === 'ip' ? `/usr/bin/ip` : null) });
    const problems = await findPrerequisiteProblems('wireguard-go', 'utun7', mac);
    expect(problems.map((problem) => problem.code)).toEqual(['not_privileged', 'missing_tool']);
    expect(problems[0]?.fix).toContain('sudo');
    expect(problems[1]?.fix).toBe('brew install wireguard-tools wireguard-go');
  });

  it('reports a missing /dev/net/tun for wireguard-go only', async () => {
    const noTun = facts({ fileExists: () => false });
    const problems = await findPrerequisiteProblems('wireguard-go', 'mcpw0', noTun);
    expect(problems.map((problem) => problem.code)).toEqual(['no_tun_device']);
    expect(problems[0]?.fix).toContain('modprobe tun');
    expect(await codes('kernel', 'mcpw0', noTun)).toEqual([]);
  });

  it('reports a name that an interface of this namespace already has', async () => {
    const busy = facts({ fileExists: (path) => path === '/dev/net/tun' || path === '/sys/class/net/mcpw0' });
    const [problem] = await findPrerequisiteProblems('wireguard-go', 'mcpw0', busy);
    expect(problem).toEqual({
      code: 'interface_busy',
      message: 'an interface named mcpw0 already exists',
      fix: 'choose another name with --wg-interface <name>, or remove the old one: `sudo ip link del mcpw0`',
    });
  });

  it('reports a name that a wireguard-go of any namespace serves', async () => {
    const [problem] = await findPrerequisiteProblems('wireguard-go', 'mcpw0', facts({ uapiSocketIsLive: async (name) => name === 'mcpw0' }));
    expect(problem?.code).toBe('interface_busy');
    expect(problem?.message).toContain('/var/run/wireguard/mcpw0.sock answers');
  });

  it('reports an invalid name instead of checking whether it is busy', async () => {
    expect(await codes('wireguard-go', '--help', facts())).toEqual(['invalid_interface_name']);
  });

  it('refuses other platforms in one sentence', async () => {
    expect(await codes('wireguard-go', 'mcpw0', facts({ platform: 'win32' }))).toEqual(['unsupported_platform']);
    expect(await codes('kernel', 'utun7', facts({ platform: 'darwin' }))).toEqual(['unsupported_platform']);
  });
});

describe('assertPrerequisites', () => {
  it('throws every problem with its fix in one error', async () => {
    const error = await assertPrerequisites('wireguard-go', 'mcpw0', facts({ effectiveUid: 1000, fileExists: () => false })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PrerequisiteError);
    expect((error as PrerequisiteError).problems.map((problem) => problem.code)).toEqual(['not_privileged', 'no_tun_device']);
    expect((error as Error).message).toMatch(/^WireGuard cannot start on this machine:\n- creating a WireGuard interface needs root.*\n  fix: run the agent as root/);
  });

  it('resolves when nothing is missing', async () => {
    await expect(assertPrerequisites('kernel', 'mcpw0', facts())).resolves.toBeUndefined();
  });
});

describe('interfaceNameProblem', () => {
  it.each(['wg0', 'mcpw0', 'mcpw-agent.1', 'a23456789012345'])('accepts %j on Linux', (name) => {
    expect(interfaceNameProblem(name, 'linux')).toBeNull();
  });

  it.each([
    ['', 'is empty'],
    ['a234567890123456', 'is 16 characters long; Linux allows at most 15'],
    ['--help', 'must start with a letter or digit'],
    ['wg/0', 'may only contain'],
    ['wg 0', 'may only contain'],
    ['wg:0', 'may only contain'],
  ])('rejects %j on Linux (%s)', (name, why) => {
    expect(interfaceNameProblem(name, 'linux')).toContain(why);
  });

  it('wants utun<number> on macOS', () => {
    expect(interfaceNameProblem('utun7', 'darwin')).toBeNull();
    expect(interfaceNameProblem('wg0', 'darwin')).toContain('use utun followed by a number');
  });
});
