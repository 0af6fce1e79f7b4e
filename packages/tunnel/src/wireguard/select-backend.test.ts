import { KernelBackend } from './backend-kernel';
import { WireGuardGoBackend } from './backend-wireguard-go';
import { createWireGuardBackend, parseBackendChoice } from './select-backend';

describe('parseBackendChoice', () => {
  it.each(['auto', 'kernel', 'wireguard-go'])('accepts %s', (choice) => {
    expect(parseBackendChoice(choice)).toBe(choice);
  });

  it('names the choices when given something else', () => {
    expect(() => parseBackendChoice('userspace')).toThrow('unknown WireGuard backend "userspace": use one of auto, kernel, wireguard-go');
  });
});

describe('createWireGuardBackend', () => {
  it('gives the backend asked for', async () => {
    expect(await createWireGuardBackend('kernel')).toBeInstanceOf(KernelBackend);
    expect(await createWireGuardBackend('wireguard-go')).toBeInstanceOf(WireGuardGoBackend);
  });

  it('auto: the kernel where it can make WireGuard interfaces, else wireguard-go', async () => {
    const onLinux = process.platform === 'linux';
    expect((await createWireGuardBackend('auto', { kernelAvailable: async () => true })).kind).toBe(onLinux ? 'kernel' : 'wireguard-go');
    expect((await createWireGuardBackend('auto', { kernelAvailable: async () => false })).kind).toBe('wireguard-go');
  });

  it('rejects an unknown choice', async () => {
    await expect(createWireGuardBackend('fast' as never)).rejects.toThrow(/unknown WireGuard backend "fast"/);
  });
});
