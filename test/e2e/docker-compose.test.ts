import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from './support/paths';

// docker/compose.yaml names everything the daemon needs in a container. No Docker engine runs
// here (`docker compose config` included), so the file is parsed and checked against what the
// Dockerfile and the entrypoint expect.

const DOCKER_DIR = path.join(REPO_ROOT, 'docker');
const compose = parse(readFileSync(path.join(DOCKER_DIR, 'compose.yaml'), 'utf8')) as ComposeFile;
const agent = compose.services.agent;
const dockerfile = readFileSync(path.join(DOCKER_DIR, 'Dockerfile'), 'utf8');
const entrypoint = readFileSync(path.join(DOCKER_DIR, 'entrypoint.sh'), 'utf8');

interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  secrets?: Record<string, { file?: string }>;
}

interface ComposeService {
  build: { context: string; dockerfile: string };
  command?: string[];
  init?: boolean;
  network_mode?: string;
  cap_add?: string[];
  devices?: string[];
  environment?: string[];
  volumes?: string[];
  secrets?: string[];
  healthcheck?: { test: string[]; interval?: string; start_period?: string };
  stop_grace_period?: string;
}

/** A value the Dockerfile sets with ENV. */
function dockerfileEnv(name: string): string | undefined {
  return new RegExp(`\\b${name}=("[^"]*"|\\S+)`).exec(dockerfile)?.[1]?.replace(/^"|"$/g, '');
}

/** "source:target[:mode]" of a short-syntax volume. */
function volume(spec: string): { source: string; target: string; mode?: string } {
  const [source, target, mode] = spec.split(':');
  return { source, target, mode };
}

function seconds(duration: string | undefined): number {
  const match = /^(\d+)s$/.exec(duration ?? '');
  if (!match) throw new Error(`not a duration in seconds: ${duration}`);
  return Number(match[1]);
}

describe('docker/compose.yaml', () => {
  it('has one service, built from the repository root with docker/Dockerfile', () => {
    expect(Object.keys(compose.services)).toEqual(['agent']);
    expect(path.resolve(DOCKER_DIR, agent.build.context)).toBe(REPO_ROOT);
    expect(existsSync(path.join(REPO_ROOT, agent.build.dockerfile))).toBe(true);
  });

  it('uses the host network, NET_ADMIN and /dev/net/tun (the WireGuard tunnel)', () => {
    expect(agent.network_mode).toBe('host');
    expect(agent.cap_add).toEqual(['NET_ADMIN']);
    expect(agent.devices?.map((device) => device.split(':')[0])).toEqual(['/dev/net/tun']);
  });

  it('keeps the registration in a named volume at the state directory the image uses', () => {
    const stateDir = dockerfileEnv('MCP_WORKSTATION_STATE_DIR');
    expect(stateDir).toBe('/var/lib/mcp-workstation');
    const state = agent.volumes?.map(volume).find((v) => v.target === stateDir);
    expect(state?.source).toBe('state');
    expect(compose.volumes).toHaveProperty('state');
    expect(dockerfile).toMatch(new RegExp(`^VOLUME \\["${stateDir}"\\]`, 'm'));
  });

  it("mounts ~/.aws read-only into the daemon account's home", () => {
    const aws = agent.volumes?.map(volume).find((v) => v.source.endsWith('/.aws'));
    expect(aws).toEqual({ source: '${HOME}/.aws', target: `${dockerfileEnv('HOME')}/.aws`, mode: 'ro' });
  });

  it('gives the registration token as a file secret, at the path the entrypoint reads', () => {
    expect(agent.secrets).toEqual(['registration_token']);
    expect(compose.secrets?.registration_token.file).toMatch(/registration-token$/);
    // Compose mounts a secret at /run/secrets/<name>.
    expect(entrypoint).toContain('TOKEN_FILE=${MCP_WORKSTATION_TOKEN_FILE:-/run/secrets/registration_token}');
  });

  it('never puts a token in the environment or the command', () => {
    expect(agent.environment?.some((entry) => /TOKEN/.test(entry))).toBe(false);
    expect(JSON.stringify(agent.command ?? [])).not.toMatch(/token/i);
  });

  it('passes the gateway URL and AWS settings through, and runs the daemon as a non-root account', () => {
    expect(agent.environment).toEqual(expect.arrayContaining(['MCP_WORKSTATION_GATEWAY_URL', 'AWS_PROFILE', 'AWS_REGION']));
    // Passed through only when set on the host; the entrypoint's default is `node`.
    expect(agent.environment).toContain('MCP_WORKSTATION_RUN_AS');
    expect(entrypoint).toContain('RUN_AS=${MCP_WORKSTATION_RUN_AS-node}');
  });

  it('checks health with `mcp-workstation status`, mapping its exit codes to 0 or 1', () => {
    const [kind, command] = agent.healthcheck?.test ?? [];
    expect(kind).toBe('CMD-SHELL');
    expect(command).toMatch(/^mcp-workstation status --admin "\$\$MCP_WORKSTATION_ADMIN" \|\| exit 1$/);
    expect(dockerfileEnv('MCP_WORKSTATION_ADMIN')).toMatch(/^\/run\/mcp-workstation\//);
    expect(seconds(agent.healthcheck?.start_period)).toBeGreaterThanOrEqual(30);
  });

  it('reaps orphans with an init, and waits longer than the daemon grace period (10 s) to stop it', () => {
    expect(agent.init).toBe(true);
    expect(seconds(agent.stop_grace_period)).toBeGreaterThan(10);
  });
});
