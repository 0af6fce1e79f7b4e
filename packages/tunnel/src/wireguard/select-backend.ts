import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { KernelBackend } from './backend-kernel.js';
import type { KernelBackendOptions, WireGuardGoBackendOptions } from './backend-options.js';
import { WireGuardGoBackend } from './backend-wireguard-go.js';
import { runCommand } from '@mcp-workstation/wireguard';
import type { WireGuardBackend } from './types.js';

/** How a user names a backend in config or on the command line. */
export type BackendChoice = 'auto' | 'kernel' | 'wireguard-go';

export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'kernel', 'wireguard-go'];

export function parseBackendChoice(value: string): BackendChoice {
  if ((BACKEND_CHOICES as readonly string[]).includes(value)) return value as BackendChoice;
  throw new Error(`unknown WireGuard backend "${value}": use one of ${BACKEND_CHOICES.join(', ')}`);
}

export interface SelectBackendOptions extends WireGuardGoBackendOptions, KernelBackendOptions {
  /** Whether the kernel can make WireGuard interfaces; default: kernelWireGuardAvailable(). */
  kernelAvailable?: () => Promise<boolean>;
}

/** `auto`: the kernel module where it exists (faster, nothing to supervise), else wireguard-go. */
export async function createWireGuardBackend(choice: BackendChoice, options: SelectBackendOptions = {}): Promise<WireGuardBackend> {
  const kind = choice === 'auto' ? await autoKind(options) : parseBackendChoice(choice);
  options.logger?.info(`WireGuard backend: ${kind}${choice === 'auto' ? ' (auto)' : ''}`);
  return kind === 'kernel' ? new KernelBackend(options) : new WireGuardGoBackend(options);
}

async function autoKind(options: SelectBackendOptions): Promise<'kernel' | 'wireguard-go'> {
  if (process.platform !== 'linux') return 'wireguard-go';
  const available = await (options.kernelAvailable ?? (() => kernelWireGuardAvailable(options.ipPath)))();
  return available ? 'kernel' : 'wireguard-go';
}

/**
 * True when this kernel can make WireGuard interfaces: the module is loaded, or creating a
 * probe interface succeeds (which also autoloads a module that is installed but not loaded).
 * The probe is deleted at once.
 */
export async function kernelWireGuardAvailable(ip = 'ip'): Promise<boolean> {
  if (existsSync('/sys/module/wireguard')) return true;
  const probe = `wgprobe${randomBytes(4).toString('hex')}`;
  try {
    await runCommand(ip, ['link', 'add', 'dev', probe, 'type', 'wireguard']);
  } catch {
    return false;
  }
  await runCommand(ip, ['link', 'del', 'dev', probe]).catch(() => undefined);
  return true;
}
