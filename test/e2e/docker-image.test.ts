import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { CLI_BIN, REPO_ROOT, assertBuilt } from './support/paths';

// docker/Dockerfile, checked by structure: `docker build` cannot run here (no engine). What
// can run on this machine does: the entrypoint's shell syntax, and the CLI started through a
// symlink as /usr/local/bin/mcp-workstation is in the image.

const execFileAsync = promisify(execFile);
const text = readFileSync(path.join(REPO_ROOT, 'docker', 'Dockerfile'), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
}

/** Instructions with their continuation lines joined; comments and blank lines dropped. */
function instructions(source: string): Instruction[] {
  const logical = source.replace(/\\\n(\s*#.*\n)*/g, ' ').split('\n');
  return logical
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword, ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

/** The instructions of each stage, by stage name. */
function stages(all: Instruction[]): Map<string, Instruction[]> {
  const byStage = new Map<string, Instruction[]>();
  let current: Instruction[] | undefined;
  for (const instruction of all) {
    if (instruction.keyword === 'FROM') {
      current = [instruction];
      byStage.set(/\bAS\s+(\S+)$/i.exec(instruction.args)?.[1] ?? `stage${byStage.size}`, current);
    } else current?.push(instruction);
  }
  return byStage;
}

const all = instructions(text);
const byStage = stages(all);
const build = byStage.get('build') ?? [];
const runtime = byStage.get('runtime') ?? [];
const runs = (stage: Instruction[]): string => stage.filter((i) => i.keyword === 'RUN').map((i) => i.args).join('\n');

/** .dockerignore patterns as Docker reads them (Go filepath.Match, plus ** for any depth). */
function dockerignore(): RegExp[] {
  const lines = readFileSync(path.join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n').map((line) => line.trim());
  const patterns = lines.filter((line) => line !== '' && !line.startsWith('#'));
  if (patterns.some((pattern) => pattern.startsWith('!'))) throw new Error('exceptions (!) are not understood by this check');
  return patterns.map((pattern) => {
    const source = pattern
      .replace(/^\/+/, '')
      .split('/')
      .map((part) => (part === '**' ? '(?:.*/)?' : `${part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}/`))
      .join('');
    return new RegExp(`^${source.replace(/\/$/, '')}$`);
  });
}

/** A path is left out of the build context when it, or any directory above it, matches. */
function excluded(relative: string, patterns: RegExp[]): boolean {
  const parts = relative.split('/');
  return parts.some((_part, index) => patterns.some((pattern) => pattern.test(parts.slice(0, index + 1).join('/'))));
}

describe('docker/Dockerfile', () => {
  it('has a build stage on node:24-bookworm and a runtime stage on node:24-bookworm-slim (Node 24, the active LTS)', () => {
    expect(all[0]).toEqual({ keyword: 'ARG', args: 'NODE_VERSION=24' });
    expect([...byStage.keys()]).toEqual(['build', 'runtime']);
    expect(build[0].args).toBe('node:${NODE_VERSION}-bookworm AS build');
    expect(runtime[0].args).toBe('node:${NODE_VERSION}-bookworm-slim AS runtime');
  });

  it('builds with npm ci, npm run build and npm prune --omit=dev', () => {
    const script = runs(build);
    const order = ['npm ci', 'npm run build', 'npm prune --omit=dev'].map((command) => script.indexOf(command));
    expect(order.every((index) => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('copies every workspace manifest (and bin shim) before npm ci, so the install layer is complete', () => {
    const npmCi = build.findIndex((i) => i.keyword === 'RUN' && i.args.includes('npm ci'));
    const copied = build.slice(0, npmCi).filter((i) => i.keyword === 'COPY').map((i) => i.args.split(/\s+/)[0]);
    for (const name of readdirSync(path.join(REPO_ROOT, 'packages'))) {
      expect(copied).toContain(`packages/${name}/package.json`);
      if (existsSync(path.join(REPO_ROOT, 'packages', name, 'bin'))) expect(copied).toContain(`packages/${name}/bin/`);
    }
    expect(copied).toEqual(expect.arrayContaining(['package.json']));
    expect(build.some((i) => i.keyword === 'COPY' && i.args.startsWith('package.json package-lock.json'))).toBe(true);
  });

  it('installs only wireguard-tools, wireguard-go and iproute2 in the runtime, without recommends, and drops the apt lists', () => {
    const script = runs(runtime);
    expect(script).toMatch(/apt-get install -y --no-install-recommends wireguard-tools wireguard-go iproute2 /);
    expect(script).toContain('rm -rf /var/lib/apt/lists/*');
    expect(runtime.some((i) => i.keyword === 'COPY' && i.args.startsWith('--from=build /app '))).toBe(true);
  });

  it('runs the entrypoint, which switches to a non-root account; USER is set on purpose', () => {
    expect(runtime.find((i) => i.keyword === 'ENTRYPOINT')?.args).toBe('["/usr/local/bin/mcp-workstation-entrypoint"]');
    expect(runtime.some((i) => i.keyword === 'COPY' && i.args === '--chmod=0755 docker/entrypoint.sh /usr/local/bin/mcp-workstation-entrypoint')).toBe(true);
    expect(runtime.filter((i) => i.keyword === 'USER').map((i) => i.args)).toEqual(['root']);
    const entrypoint = readFileSync(path.join(REPO_ROOT, 'docker', 'entrypoint.sh'), 'utf8');
    expect(entrypoint).toContain('RUN_AS=${MCP_WORKSTATION_RUN_AS-node}');
    expect(runs(runtime)).toContain('-o node -g node /var/lib/mcp-workstation');
  });

  it('checks health with `mcp-workstation status`, mapping its exit codes to 0 or 1', () => {
    const healthcheck = runtime.find((i) => i.keyword === 'HEALTHCHECK')?.args ?? '';
    expect(healthcheck).toMatch(/--start-period=\d+s/);
    expect(healthcheck).toMatch(/CMD mcp-workstation status --admin "\$MCP_WORKSTATION_ADMIN" \|\| exit 1$/);
  });

  it('copies only files that exist and that .dockerignore leaves in the context', () => {
    const patterns = dockerignore();
    const sources = all
      .filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(/\s+/).filter((word) => !word.startsWith('--')).slice(0, -1));
    expect(sources.length).toBeGreaterThan(5);
    for (const source of sources) {
      expect(existsSync(path.join(REPO_ROOT, source))).toBe(true);
      expect([source, excluded(source.replace(/\/$/, ''), patterns)]).toEqual([source, false]);
    }
  });
});

describe('.dockerignore', () => {
  const patterns = dockerignore();

  it('keeps secrets, build output and dependencies out of the build context', () => {
    for (const file of ['docker/registration-token', 'registration_token', 'docker/.env', 'x/service.env', 'certs/key.pem', '.git/config', 'node_modules/a/index.js', 'packages/daemon/dist/cli.js', 'packages/daemon/node_modules/x.js']) {
      expect([file, excluded(file, patterns)]).toEqual([file, true]);
    }
  });

  it('keeps the sources the build compiles (no pattern is too broad)', () => {
    for (const file of ['packages/tunnel/src/registration/token-source.ts', 'packages/daemon/src/install/env-file.ts', 'scripts/service/mcp-workstation.user.service', 'docker/entrypoint.sh', 'package-lock.json']) {
      expect([file, excluded(file, patterns)]).toEqual([file, false]);
    }
  });
});

describe('what runs on this machine', () => {
  it('the entrypoint is POSIX shell', () => {
    const result = spawnSync('sh', ['-n', path.join(REPO_ROOT, 'docker', 'entrypoint.sh')], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
  });

  it('the CLI runs through a symlink, as /usr/local/bin/mcp-workstation does in the image', async () => {
    assertBuilt();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'image-bin-'));
    try {
      symlinkSync(CLI_BIN, path.join(dir, 'mcp-workstation'));
      const { stdout } = await execFileAsync(path.join(dir, 'mcp-workstation'), ['--version'], { timeout: 30_000 });
      expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
