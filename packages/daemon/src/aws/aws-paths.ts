import { homedir } from 'node:os';
import * as path from 'node:path';

/**
 * Where the AWS CLI and botocore keep what the proxy signs with, for a given environment:
 * the child's (the daemon's environment plus the server's env), which for a service can
 * differ from the shell's. AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE move the two
 * files; `aws login` (CLI 2.32+) caches its session in ~/.aws/login/cache (the SDKs honour
 * AWS_LOGIN_CACHE_DIRECTORY there); `aws sso login` caches tokens in ~/.aws/sso/cache.
 */
export interface AwsPaths {
  home: string;
  awsDir: string;
  configFile: string;
  credentialsFile: string;
  loginCacheDir: string;
  ssoCacheDir: string;
}

export function awsPaths(env: NodeJS.ProcessEnv = process.env): AwsPaths {
  const home = env.HOME && env.HOME.trim() !== '' ? env.HOME : homedir();
  const awsDir = path.join(home, '.aws');
  return {
    home,
    awsDir,
    configFile: expandHome(env.AWS_CONFIG_FILE, home) ?? path.join(awsDir, 'config'),
    credentialsFile: expandHome(env.AWS_SHARED_CREDENTIALS_FILE, home) ?? path.join(awsDir, 'credentials'),
    loginCacheDir: expandHome(env.AWS_LOGIN_CACHE_DIRECTORY, home) ?? path.join(awsDir, 'login', 'cache'),
    ssoCacheDir: path.join(awsDir, 'sso', 'cache'),
  };
}

function expandHome(value: string | undefined, home: string): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  return value.startsWith('~/') ? path.join(home, value.slice(2)) : path.resolve(value);
}
