import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import { ServiceInstallError } from './install-error.js';
import { lookupUser, resolveServiceUser } from './service-user.js';

// Real `id` and `getent` against accounts every Debian machine has.
describe('the account a service runs as', () => {
  const nobodyUid = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim());

  it('looks up another account: ids, primary group and home', async () => {
    const nobody = await lookupUser('nobody', 'linux');
    expect(nobody).toEqual({
      name: 'nobody',
      uid: nobodyUid,
      gid: Number(execFileSync('id', ['-g', 'nobody'], { encoding: 'utf8' }).trim()),
      group: execFileSync('id', ['-gn', 'nobody'], { encoding: 'utf8' }).trim(),
      home: execFileSync('getent', ['passwd', 'nobody'], { encoding: 'utf8' }).trim().split(':')[5],
    });
  });

  it('is the person behind sudo (SUDO_USER), not root, for a service installed with sudo', async () => {
    const user = await resolveServiceUser({ platform: 'linux', env: { SUDO_USER: 'nobody' }, effectiveUid: 0 });
    expect(user.name).toBe('nobody');
    expect(user.uid).toBe(nobodyUid);
  });

  it('is the current user otherwise (SUDO_USER means nothing when not root)', async () => {
    const user = await resolveServiceUser({ platform: 'linux', env: { SUDO_USER: 'nobody' }, effectiveUid: 1000 });
    expect(user.name).toBe(os.userInfo().username);
    expect(user.home).toBe(os.userInfo().homedir);
  });

  it('names an account that does not exist', async () => {
    const attempt = lookupUser('no-such-user-mcpw', 'linux');
    await expect(attempt).rejects.toThrow(ServiceInstallError);
    await expect(lookupUser('no-such-user-mcpw', 'linux')).rejects.toThrow(/there is no user 'no-such-user-mcpw'/);
  });
});
