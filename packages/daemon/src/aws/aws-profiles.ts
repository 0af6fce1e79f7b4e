import { readFileSync } from 'node:fs';
import type { AwsPaths } from './aws-paths.js';

/**
 * What ~/.aws/config and ~/.aws/credentials say about one profile: whether it exists and how
 * it gets credentials, which decides how they are refreshed (`aws login` for a login
 * session, `aws sso login --profile P` for IAM Identity Center).
 */

export type CredentialSource = 'login' | 'sso' | 'static' | 'process' | 'assume-role' | 'unknown';

export interface ProfileInfo {
  name: string;
  inConfig: boolean;
  inCredentials: boolean;
  source: CredentialSource;
  region?: string;
}

export const DEFAULT_PROFILE = 'default';

type IniSections = Map<string, Map<string, string>>;

/** A tolerant INI reader for the AWS files: [section], key = value, # and ; comments, indented sub-keys ignored. */
export function parseAwsIni(text: string): IniSections {
  const sections: IniSections = new Map();
  let current: Map<string, string> | null = null;
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*([#;]|$)/.test(raw)) continue;
    const header = /^\s*\[\s*([^\]]+?)\s*\]\s*$/.exec(raw);
    if (header) {
      const name = header[1].replace(/\s+/g, ' ');
      current = sections.get(name) ?? new Map();
      sections.set(name, current);
      continue;
    }
    // Nested values (s3 = \n  max_concurrent_requests = 20) are indented: not top-level keys.
    if (current === null || /^\s/.test(raw)) continue;
    const pair = /^([^=]+?)\s*=\s*(.*)$/.exec(raw);
    if (pair) current.set(pair[1].trim().toLowerCase(), pair[2].trim());
  }
  return sections;
}

/** The profile as the AWS files describe it, or null when neither file names it. */
export function readProfile(paths: AwsPaths, name: string = DEFAULT_PROFILE): ProfileInfo | null {
  const config = readIni(paths.configFile);
  const credentials = readIni(paths.credentialsFile);
  // In config the default profile is [default]; others are [profile name] ([name] is tolerated by the CLI for default only).
  const configSection = config.get(name === DEFAULT_PROFILE ? DEFAULT_PROFILE : `profile ${name}`) ?? (name === DEFAULT_PROFILE ? config.get(`profile ${name}`) : undefined);
  const credentialsSection = credentials.get(name);
  if (!configSection && !credentialsSection) return null;
  const keys = new Map([...(configSection ?? []), ...(credentialsSection ?? [])]);
  return {
    name,
    inConfig: configSection !== undefined,
    inCredentials: credentialsSection !== undefined,
    source: sourceOf(keys),
    region: keys.get('region'),
  };
}

/** Every profile name either file defines. */
export function profileNames(paths: AwsPaths): string[] {
  const names = new Set<string>();
  for (const section of readIni(paths.configFile).keys()) {
    if (section === DEFAULT_PROFILE) names.add(section);
    else if (section.startsWith('profile ')) names.add(section.slice('profile '.length));
  }
  for (const section of readIni(paths.credentialsFile).keys()) names.add(section);
  return [...names].sort();
}

function sourceOf(keys: Map<string, string>): CredentialSource {
  if (keys.has('login_session')) return 'login';
  if (keys.has('sso_session') || keys.has('sso_start_url')) return 'sso';
  if (keys.has('credential_process')) return 'process';
  if (keys.has('role_arn')) return 'assume-role';
  if (keys.has('aws_access_key_id')) return 'static';
  return 'unknown';
}

function readIni(file: string): IniSections {
  try {
    return parseAwsIni(readFileSync(file, 'utf8'));
  } catch {
    return new Map(); // missing or unreadable: the doctor reports which, this only reads
  }
}

/**
 * The command that renews the profile's credentials: `aws sso login --profile P` for an
 * IAM Identity Center profile, else `aws login` (with `--profile P` for a named profile).
 */
export function refreshCommand(profileName: string | undefined, profile: ProfileInfo | null): string[] {
  const named = profileName !== undefined && profileName !== DEFAULT_PROFILE;
  if (profile?.source === 'sso') return ['aws', 'sso', 'login', '--profile', profileName ?? DEFAULT_PROFILE];
  return named ? ['aws', 'login', '--profile', profileName] : ['aws', 'login'];
}
