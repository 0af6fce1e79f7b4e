import { UsageError } from '../errors.js';

/**
 * The AWS MCP Server's regional endpoints, in one place, and the exact server entry the
 * guide prescribes for the proxy that signs every call with the user's own credentials:
 *   uvx mcp-proxy-for-aws==V https://aws-mcp.<endpoint-region>.api.aws/mcp --metadata AWS_REGION=R
 * plus `--profile P` and `--read-only` where asked (the proxy's own flag names: its cli.py
 * declares `--profile` (one or more names), `--read-only` and `--metadata KEY=VALUE…`).
 */

/** Endpoint region -> the AWS MCP Server's URL there. */
export const AWS_MCP_ENDPOINTS: Readonly<Record<string, string>> = Object.freeze({
  'us-east-1': 'https://aws-mcp.us-east-1.api.aws/mcp',
  'eu-central-1': 'https://aws-mcp.eu-central-1.api.aws/mcp',
});

export const AWS_PROXY_PACKAGE = 'mcp-proxy-for-aws';

/** A known-good release, pinned so a launch never pulls an untested one (the guide pins 1.6.1). */
export const DEFAULT_PROXY_VERSION = '1.6.1';

/** Where operations run when nothing says otherwise (what the proxy itself defaults to). */
export const DEFAULT_OPERATING_REGION = 'us-east-1';

export interface AwsServerOptions {
  /** Where AWS operations run: `--metadata AWS_REGION=<region>`. Default the endpoint's region, else us-east-1. */
  region?: string;
  /** Which AWS MCP Server endpoint to talk to. Default the region itself when it has one, else the nearest known one. */
  endpointRegion?: string;
  /** Named AWS profile: `--profile P` and AWS_PROFILE=P. Unset: the default credential chain. */
  profile?: string;
  /** The proxy's version on PyPI. Default DEFAULT_PROXY_VERSION. `latest` is allowed (and warned about). */
  version?: string;
  /** `--read-only`: the proxy hides tools that may write. IAM is the real boundary (see docs/aws.md). */
  readOnly?: boolean;
  /** Accept an endpoint region that is not in AWS_MCP_ENDPOINTS. */
  force?: boolean;
}

/** A server entry for the config: command, args and env, exactly as written. */
export interface AwsServerEntry {
  command: 'uvx';
  args: string[];
  env: Record<string, string>;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
/** PEP 440 release numbers as people pin them: 1.6.1, 1.7.0rc1, 2.0.0.post1. */
const VERSION = /^\d+(\.\d+)*([a-z]+\d*)?(\.(post|dev)\d+)?$/;
/** AWS profile names: no spaces or brackets (they delimit sections), and no leading '-' (it would read as a flag). */
const PROFILE = /^[A-Za-z0-9_.@+=,:/][A-Za-z0-9_.@+=,:/-]*$/;

export function knownEndpointRegions(): string[] {
  return Object.keys(AWS_MCP_ENDPOINTS);
}

/** The URL of a known endpoint region, or the URL the pattern gives for a forced one. */
export function endpointUrl(endpointRegion: string): string {
  return AWS_MCP_ENDPOINTS[endpointRegion] ?? `https://aws-mcp.${endpointRegion}.api.aws/mcp`;
}

/** The region of an AWS MCP endpoint URL (https://aws-mcp.<region>.api.aws/mcp), or null for any other URL. */
export function endpointRegionOf(url: string): string | null {
  const match = /^https:\/\/aws-mcp\.([a-z0-9-]+)\.api\.aws\/mcp\/?$/.exec(url.trim());
  return match ? match[1] : null;
}

export function isKnownEndpoint(url: string): boolean {
  return Object.values(AWS_MCP_ENDPOINTS).includes(url.trim().replace(/\/$/, ''));
}

/** The argv and env of the AWS MCP Server through mcp-proxy-for-aws; throws UsageError naming the fix. */
export function awsServerConfig(options: AwsServerOptions = {}): AwsServerEntry {
  const version = checkVersion(options.version ?? DEFAULT_PROXY_VERSION);
  const endpointRegion = checkEndpointRegion(options.endpointRegion ?? defaultEndpointRegion(options.region), options.force === true);
  const region = checkRegion(options.region ?? endpointRegion, '--region');
  const args = [packageSpec(version), endpointUrl(endpointRegion), '--metadata', `AWS_REGION=${region}`];
  const env: Record<string, string> = {};
  if (options.profile !== undefined) {
    const profile = checkProfile(options.profile);
    args.push('--profile', profile);
    env.AWS_PROFILE = profile;
  }
  if (options.readOnly) args.push('--read-only');
  return { command: 'uvx', args, env };
}

/** `mcp-proxy-for-aws==1.6.1`, or `mcp-proxy-for-aws@latest` (uvx's spelling for "newest"). */
function packageSpec(version: string): string {
  return version === 'latest' ? `${AWS_PROXY_PACKAGE}@latest` : `${AWS_PROXY_PACKAGE}==${version}`;
}

/** The operating region's own endpoint when it has one; European regions go to Frankfurt; the rest to N. Virginia. */
function defaultEndpointRegion(region: string | undefined): string {
  if (region === undefined) return DEFAULT_OPERATING_REGION;
  if (AWS_MCP_ENDPOINTS[region]) return region;
  return region.startsWith('eu-') ? 'eu-central-1' : DEFAULT_OPERATING_REGION;
}

function checkEndpointRegion(endpointRegion: string, force: boolean): string {
  checkRegion(endpointRegion, '--endpoint-region');
  if (AWS_MCP_ENDPOINTS[endpointRegion] || force) return endpointRegion;
  const known = Object.entries(AWS_MCP_ENDPOINTS)
    .map(([region, url]) => `${region} (${url})`)
    .join(', ');
  throw new UsageError(
    `--endpoint-region ${endpointRegion}: the AWS MCP Server has no known endpoint there. Known endpoints: ${known}. ` +
      `Fix: pick one of them (operations can still run in ${endpointRegion} with --region ${endpointRegion}), ` +
      `or add --force if AWS has opened https://aws-mcp.${endpointRegion}.api.aws/mcp since.`,
  );
}

function checkRegion(region: string, flag: string): string {
  if (REGION.test(region)) return region;
  throw new UsageError(`${flag} ${JSON.stringify(region)} is not an AWS region name. Fix: use a name such as us-east-1 or eu-central-1.`);
}

function checkVersion(version: string): string {
  const trimmed = version.trim().replace(/^v/, '');
  if (trimmed === 'latest' || VERSION.test(trimmed)) return trimmed;
  throw new UsageError(
    `--version ${JSON.stringify(version)} is not a release number of ${AWS_PROXY_PACKAGE}. Fix: give one such as ${DEFAULT_PROXY_VERSION} (see https://pypi.org/project/${AWS_PROXY_PACKAGE}/#history).`,
  );
}

function checkProfile(profile: string): string {
  if (PROFILE.test(profile)) return profile;
  throw new UsageError(
    `--profile ${JSON.stringify(profile)} is not a usable AWS profile name (no spaces or brackets, and it may not start with '-'). ` +
      'Fix: use the name as it appears in ~/.aws/config ([profile <name>]).',
  );
}
