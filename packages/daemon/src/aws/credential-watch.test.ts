import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { awsPaths } from './aws-paths';
import { CredentialWatch, type CredentialChange } from './credential-watch';
import { cleanUpHomes, makeTempHome, waitFor, type TempHome } from './test-support/aws-fixtures';

const watches: CredentialWatch[] = [];

afterEach(() => {
  for (const watch of watches.splice(0)) watch.close();
  cleanUpHomes();
});

function startWatch(temp: TempHome, debounceMs = 300): CredentialChange[] {
  const changes: CredentialChange[] = [];
  const watch = new CredentialWatch({ paths: awsPaths(temp.env), debounceMs, onChange: (change) => changes.push(change) });
  watches.push(watch);
  watch.start();
  return changes;
}

describe('CredentialWatch', () => {
  test('a burst of changes (aws login writing its cache and config) is reported once, with every kind and file', async () => {
    const temp = makeTempHome();
    mkdirSync(path.join(temp.awsDir, 'login', 'cache'), { recursive: true });
    const changes = startWatch(temp);

    temp.writeAwsFile('config', '[default]\nlogin_session = arn:aws:sts::1:assumed-role/a/b\n');
    temp.writeAwsFile('credentials', '[default]\n');
    writeFileSync(path.join(temp.awsDir, 'login', 'cache', 'abc.json'), '{}');

    await waitFor('the change to be reported', () => changes.length > 0);
    expect(changes).toHaveLength(1);
    expect(changes[0].kinds.sort()).toEqual(['config', 'credentials', 'login-cache']);
    expect(changes[0].paths).toEqual(expect.arrayContaining([path.join(temp.awsDir, 'config'), path.join(temp.awsDir, 'login', 'cache', 'abc.json')]));

    // A later change is a new report that carries only itself: the burst was not split.
    temp.writeAwsFile('config', '[default]\n');
    await waitFor('the second change', () => changes.length > 1);
    expect(changes[1]).toEqual({ kinds: ['config'], paths: [path.join(temp.awsDir, 'config')] });
  });

  test('other files in ~/.aws (an editor swap file, the CLI history) do not count', async () => {
    const temp = makeTempHome();
    const changes = startWatch(temp);
    writeFileSync(path.join(temp.awsDir, '.config.swp'), 'x');
    writeFileSync(path.join(temp.awsDir, 'history'), 'x');
    temp.writeAwsFile('credentials', '[default]\n');
    await waitFor('the change to be reported', () => changes.length > 0);
    expect(changes[0]).toEqual({ kinds: ['credentials'], paths: [path.join(temp.awsDir, 'credentials')] });
  });

  test('with no ~/.aws at all, it waits on HOME and arms itself on each directory as it appears', async () => {
    const temp = makeTempHome({ withAwsDir: false });
    const watch = new CredentialWatch({ paths: awsPaths(temp.env), debounceMs: 300, onChange: (change) => changes.push(change) });
    const changes: CredentialChange[] = [];
    watches.push(watch);
    watch.start();
    expect(new Set(watch.watchedDirectories())).toEqual(new Set([temp.home]));

    // The first `aws sso login` creates ~/.aws/sso/cache and writes a token into it.
    mkdirSync(path.join(temp.awsDir, 'sso', 'cache'), { recursive: true });
    writeFileSync(path.join(temp.awsDir, 'sso', 'cache', 'token.json'), '{}');
    await waitFor('the SSO cache change', () => changes.some((change) => change.kinds.includes('sso-cache')));
    await waitFor('the watch on the SSO cache itself', () => watch.watchedDirectories().includes(path.join(temp.awsDir, 'sso', 'cache')));

    // Once armed on the directory, a later token refresh is seen directly.
    const seen = changes.length;
    writeFileSync(path.join(temp.awsDir, 'sso', 'cache', 'token.json'), '{"refreshed":true}');
    await waitFor('the refresh to be reported', () => changes.length > seen);
    expect(changes.at(-1)?.kinds).toEqual(['sso-cache']);
  });
});
