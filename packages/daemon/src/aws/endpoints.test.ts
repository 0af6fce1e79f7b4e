import { UsageError } from '../errors';
import { AWS_MCP_ENDPOINTS, DEFAULT_PROXY_VERSION, awsServerConfig, endpointRegionOf, endpointUrl } from './endpoints';

describe('awsServerConfig: the argv the guide prescribes', () => {
  test('defaults: the pinned known-good version, the us-east-1 endpoint, operations in us-east-1, no env', () => {
    expect(DEFAULT_PROXY_VERSION).toBe('1.6.1');
    expect(awsServerConfig()).toEqual({
      command: 'uvx',
      args: ['mcp-proxy-for-aws==1.6.1', 'https://aws-mcp.us-east-1.api.aws/mcp', '--metadata', 'AWS_REGION=us-east-1'],
      env: {},
    });
  });

  test('every option: region, endpoint region, profile (flag and AWS_PROFILE), version, read-only', () => {
    expect(awsServerConfig({ region: 'eu-west-1', endpointRegion: 'eu-central-1', profile: 'dev', version: '1.6.0', readOnly: true })).toEqual({
      command: 'uvx',
      args: ['mcp-proxy-for-aws==1.6.0', 'https://aws-mcp.eu-central-1.api.aws/mcp', '--metadata', 'AWS_REGION=eu-west-1', '--profile', 'dev', '--read-only'],
      env: { AWS_PROFILE: 'dev' },
    });
  });

  test('the endpoint follows the region: its own endpoint, Frankfurt for Europe, else N. Virginia', () => {
    expect(awsServerConfig({ region: 'eu-central-1' }).args.slice(1, 4)).toEqual(['https://aws-mcp.eu-central-1.api.aws/mcp', '--metadata', 'AWS_REGION=eu-central-1']);
    expect(awsServerConfig({ region: 'eu-west-3' }).args[1]).toBe('https://aws-mcp.eu-central-1.api.aws/mcp');
    expect(awsServerConfig({ region: 'ap-southeast-2' }).args[1]).toBe('https://aws-mcp.us-east-1.api.aws/mcp');
    expect(awsServerConfig({ endpointRegion: 'eu-central-1' }).args[3]).toBe('AWS_REGION=eu-central-1');
  });

  test('latest is written the way uvx spells it (and the warnings flag it)', () => {
    expect(awsServerConfig({ version: 'latest' }).args[0]).toBe('mcp-proxy-for-aws@latest');
    expect(awsServerConfig({ version: 'v1.7.0' }).args[0]).toBe('mcp-proxy-for-aws==1.7.0');
  });

  test('an endpoint region without a known endpoint is refused with the list, unless forced', () => {
    const attempt = () => awsServerConfig({ endpointRegion: 'ap-south-1' });
    expect(attempt).toThrow(UsageError);
    expect(attempt).toThrow(/ap-south-1: the AWS MCP Server has no known endpoint there\. Known endpoints: us-east-1 \(https:\/\/aws-mcp\.us-east-1\.api\.aws\/mcp\), eu-central-1 \(https:\/\/aws-mcp\.eu-central-1\.api\.aws\/mcp\)/);
    expect(attempt).toThrow(/--force/);
    expect(awsServerConfig({ endpointRegion: 'ap-south-1', force: true }).args.slice(1, 4)).toEqual(['https://aws-mcp.ap-south-1.api.aws/mcp', '--metadata', 'AWS_REGION=ap-south-1']);
  });

  test('bad values are refused naming the problem and the fix', () => {
    expect(() => awsServerConfig({ region: 'Frankfurt' })).toThrow(/--region "Frankfurt" is not an AWS region name\. Fix: use a name such as us-east-1/);
    expect(() => awsServerConfig({ version: '1.6.1; rm -rf /' })).toThrow(/--version .* is not a release number of mcp-proxy-for-aws\. Fix: give one such as 1\.6\.1/);
    expect(() => awsServerConfig({ profile: '--read-only' })).toThrow(/--profile "--read-only" is not a usable AWS profile name.*may not start with '-'/);
    expect(() => awsServerConfig({ profile: 'my profile' })).toThrow(/not a usable AWS profile name/);
  });
});

describe('the endpoint table', () => {
  test('has exactly the two known endpoints, and URLs map back to their region', () => {
    expect(AWS_MCP_ENDPOINTS).toEqual({ 'us-east-1': 'https://aws-mcp.us-east-1.api.aws/mcp', 'eu-central-1': 'https://aws-mcp.eu-central-1.api.aws/mcp' });
    expect(endpointUrl('eu-central-1')).toBe('https://aws-mcp.eu-central-1.api.aws/mcp');
    expect(endpointRegionOf('https://aws-mcp.eu-central-1.api.aws/mcp')).toBe('eu-central-1');
    expect(endpointRegionOf('https://example.com/mcp')).toBeNull();
  });
});
