import { statSync } from 'node:fs';
import { AgentStateStore, findPrerequisiteProblems, kernelWireGuardAvailable, type AgentState } from '@mcp-workstation/tunnel';
import type { DaemonConfig } from '../config/types.js';
import { probeGateway } from './gateway-probe.js';
import type { DoctorCheck } from './types.js';

/**
 * The tunnel's side: the state directory (private, ours), the registration, and when there is
 * one, WireGuard's tools and privileges, the gateway reachable, and the clock against it.
 */

/** A clock this far off starts to break TLS and token expiry. */
const SKEW_WARN_SECONDS = 30;
const SKEW_FAIL_SECONDS = 300;

export async function tunnelChecks(config: DaemonConfig, options: { daemonRunning: boolean }): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [stateDirCheck(config.stateDir)];
  // A state directory that cannot be used cannot hold a usable registration: said once, above.
  if (checks[0].state === 'fail') return checks;
  const registration = await registrationCheck(config.stateDir);
  checks.push(registration.check);
  if (registration.state === null) return checks;
  if (config.tunnel.enabled === false) {
    checks.push({ name: 'tunnel', state: 'info', detail: 'tunnel.enabled is false: the registration is not used' });
    return checks;
  }
  checks.push(...(await wireGuardChecks(config, options.daemonRunning)));
  checks.push(...(await gatewayChecks(registration.state.identity.gatewayUrl, config.tunnel.caFile)));
  return checks;
}

function stateDirCheck(dir: string): DoctorCheck {
  const name = 'state directory';
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { name, state: 'info', detail: `${dir} does not exist yet (register makes it, mode 0700)` };
    return { name, state: 'fail', detail: `${dir} cannot be read (${code})`, fix: 'run as the user that owns it, or choose another with --state-dir' };
  }
  if (!stats.isDirectory()) return { name, state: 'fail', detail: `${dir} is not a directory`, fix: 'remove it, or choose another with --state-dir' };
  if ((stats.mode & 0o077) !== 0) {
    return { name, state: 'fail', detail: `${dir} is open to other users (mode ${(stats.mode & 0o777).toString(8)}), and it holds the agent's secret and keys`, fix: `chmod 700 ${dir}` };
  }
  const uid = process.geteuid?.();
  if (uid !== undefined && uid !== 0 && stats.uid !== uid) {
    return { name, state: 'fail', detail: `${dir} belongs to uid ${stats.uid}, not to you (uid ${uid})`, fix: `run as its owner, or sudo chown -R ${uid} ${dir}` };
  }
  return { name, state: 'ok', detail: `${dir} (mode 0700)` };
}

async function registrationCheck(stateDir: string): Promise<{ check: DoctorCheck; state: AgentState | null }> {
  const name = 'registration';
  try {
    const state = await new AgentStateStore(stateDir).load();
    if (state === null) {
      return {
        state,
        check: { name, state: 'info', detail: `none in ${stateDir}: serving locally only`, fix: 'to reach a gateway: mcp-workstation register --gateway <url> --token-file <file>' },
      };
    }
    return { state, check: { name, state: 'ok', detail: `agent ${state.identity.agentId} with ${state.identity.gatewayUrl}` } };
  } catch (error) {
    return { state: null, check: { name, state: 'fail', detail: error instanceof Error ? error.message : String(error), fix: 'restore the state directory from a backup, or register again' } };
  }
}

async function wireGuardChecks(config: DaemonConfig, daemonRunning: boolean): Promise<DoctorCheck[]> {
  const kind = config.tunnel.wgBackend === 'auto' ? (process.platform === 'linux' && (await kernelWireGuardAvailable()) ? 'kernel' : 'wireguard-go') : config.tunnel.wgBackend;
  const problems = await findPrerequisiteProblems(kind, config.tunnel.wgInterface);
  const checks: DoctorCheck[] = problems.map((problem) => {
    // The running daemon's own interface is "busy" by design.
    const expected = problem.code === 'interface_busy' && daemonRunning;
    return { name: `WireGuard (${kind})`, state: expected ? 'info' : 'fail', detail: `${problem.message}${expected ? ' (the running daemon\'s, as expected)' : ''}`, fix: expected ? undefined : problem.fix };
  });
  if (checks.length === 0) checks.push({ name: `WireGuard (${kind})`, state: 'ok', detail: `tools, privileges and interface ${config.tunnel.wgInterface} are in order` });
  return checks;
}

async function gatewayChecks(gatewayUrl: string, caFile: string | null): Promise<DoctorCheck[]> {
  const probe = await probeGateway(gatewayUrl, caFile);
  if (probe.kind === 'unreachable') {
    return [{ name: 'gateway', state: 'fail', detail: `${gatewayUrl} cannot be reached: ${probe.reason}`, fix: probe.fix }];
  }
  const checks: DoctorCheck[] = [{ name: 'gateway', state: 'ok', detail: `${gatewayUrl} answers (HTTP ${probe.status})` }];
  if (probe.skewSeconds === null) {
    checks.push({ name: 'clock', state: 'info', detail: 'the gateway sent no Date header: the clock cannot be compared' });
    return checks;
  }
  const skew = Math.abs(probe.skewSeconds);
  const detail = `${skew < 1 ? 'within a second of' : `${Math.round(skew)} s ${probe.skewSeconds > 0 ? 'ahead of' : 'behind'}`} the gateway's`;
  const state = skew > SKEW_FAIL_SECONDS ? 'fail' : skew > SKEW_WARN_SECONDS ? 'warn' : 'ok';
  checks.push({ name: 'clock', state, detail, fix: state === 'ok' ? undefined : 'turn on time synchronisation (timedatectl set-ntp true; macOS: System Settings > Date & Time)' });
  return checks;
}
