import { awsPaths } from './aws-paths';
import { parseAwsIni, profileNames, readProfile, refreshCommand } from './aws-profiles';
import { cleanUpHomes, makeTempHome } from './test-support/aws-fixtures';

afterEach(cleanUpHomes);

const CONFIG = `# comment
[default]
region = us-east-1
login_session = arn:aws:sts::123456789012:assumed-role/Admin/ada

[profile dev]
sso_session = corp
sso_account_id = 123456789012
s3 =
  max_concurrent_requests = 20

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start

[profile ci]
role_arn = arn:aws:iam::123:role/ci
source_profile = default
`;

describe('the AWS files', () => {
  test('parseAwsIni keeps sections and top-level keys, skipping comments and nested values', () => {
    const sections = parseAwsIni(CONFIG);
    expect([...sections.keys()]).toEqual(['default', 'profile dev', 'sso-session corp', 'profile ci']);
    expect(sections.get('profile dev')?.get('sso_session')).toBe('corp');
    expect(sections.get('profile dev')?.has('max_concurrent_requests')).toBe(false);
  });

  test('readProfile finds profiles in config and credentials and says how they get credentials', () => {
    const temp = makeTempHome();
    temp.writeAwsFile('config', CONFIG);
    temp.writeAwsFile('credentials', '[keys]\naws_access_key_id = AKIA...\naws_secret_access_key = x\n');
    const paths = awsPaths(temp.env);
    expect(readProfile(paths, 'default')).toEqual({ name: 'default', inConfig: true, inCredentials: false, source: 'login', region: 'us-east-1' });
    expect(readProfile(paths, 'dev')).toMatchObject({ source: 'sso' });
    expect(readProfile(paths, 'ci')).toMatchObject({ source: 'assume-role' });
    expect(readProfile(paths, 'keys')).toMatchObject({ inCredentials: true, source: 'static' });
    expect(readProfile(paths, 'nope')).toBeNull();
    expect(profileNames(paths)).toEqual(['ci', 'default', 'dev', 'keys']);
  });

  test('AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE move the files', () => {
    const temp = makeTempHome();
    const paths = awsPaths({ ...temp.env, AWS_CONFIG_FILE: '~/elsewhere/cfg', AWS_SHARED_CREDENTIALS_FILE: '/etc/aws-creds' });
    expect(paths.configFile).toBe(`${temp.home}/elsewhere/cfg`);
    expect(paths.credentialsFile).toBe('/etc/aws-creds');
    expect(paths.loginCacheDir).toBe(`${temp.home}/.aws/login/cache`);
    expect(paths.ssoCacheDir).toBe(`${temp.home}/.aws/sso/cache`);
  });

  test('refreshCommand: aws login by default, with --profile for a named one, aws sso login for SSO', () => {
    expect(refreshCommand(undefined, null)).toEqual(['aws', 'login']);
    expect(refreshCommand('default', { name: 'default', inConfig: true, inCredentials: false, source: 'login' })).toEqual(['aws', 'login']);
    expect(refreshCommand('stg', null)).toEqual(['aws', 'login', '--profile', 'stg']);
    expect(refreshCommand('dev', { name: 'dev', inConfig: true, inCredentials: false, source: 'sso' })).toEqual(['aws', 'sso', 'login', '--profile', 'dev']);
  });
});
