import { decideTunnel } from './tunnel';

// Whether the soak runs its tunnel path: --tunnel requires it, the default takes it where the
// machine can, and under CI a tunnel that cannot run fails the soak instead of being skipped.

describe('the soak decides on its tunnel path', () => {
  const problem = 'network namespaces and WireGuard need root';

  it('runs it by default, and with --tunnel, where the machine can', () => {
    expect(decideTunnel('auto', null, false)).toEqual({ kind: 'tunnel' });
    expect(decideTunnel('auto', null, true)).toEqual({ kind: 'tunnel' });
    expect(decideTunnel('on', null, false)).toEqual({ kind: 'tunnel' });
  });

  it('runs local only by default where the machine cannot, and says why', () => {
    expect(decideTunnel('auto', problem, false)).toEqual({ kind: 'local', note: `cannot run here: ${problem}` });
  });

  it('refuses, never skips, a tunnel that cannot run under CI, or that --tunnel asked for', () => {
    const underCi = decideTunnel('auto', problem, true);
    expect(underCi.kind).toBe('refused');
    expect((underCi as { error: string }).error).toContain(problem);
    expect(decideTunnel('on', problem, false)).toEqual({ kind: 'refused', error: `--tunnel cannot run here: ${problem}` });
    expect(decideTunnel('on', problem, true).kind).toBe('refused');
  });

  it('runs local only with --no-tunnel, under CI too', () => {
    expect(decideTunnel('off', null, true).kind).toBe('local');
    expect(decideTunnel('off', problem, true).kind).toBe('local');
  });
});
