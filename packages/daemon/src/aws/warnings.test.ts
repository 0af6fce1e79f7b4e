import { awsServerConfig } from './endpoints';
import { awsServerFacts } from './server-facts';
import { awsServerWarnings, type NamedServer } from './warnings';

const prescribed = (): NamedServer => ({ name: 'aws', ...awsServerConfig({ region: 'us-east-1' }) });

function aws(args: string[], env: Record<string, string> = {}): NamedServer {
  return { name: 'aws', command: 'uvx', args, env };
}

describe('awsServerWarnings', () => {
  test('the entry init aws writes draws no warning', () => {
    expect(awsServerWarnings([prescribed()])).toEqual([]);
    expect(awsServerWarnings([{ name: 'aws', ...awsServerConfig({ region: 'eu-central-1', profile: 'dev', readOnly: true }) }])).toEqual([]);
  });

  test('servers that do not run the AWS proxy are not its business', () => {
    expect(awsServerWarnings([{ name: 'fs', command: 'npx', args: ['@modelcontextprotocol/server-filesystem', '/tmp'] }])).toEqual([]);
    expect(awsServerFacts({ command: 'uvx', args: ['some-other-server'] })).toBeNull();
  });

  test.each([
    ['no version at all', ['mcp-proxy-for-aws', 'https://aws-mcp.us-east-1.api.aws/mcp', '--metadata', 'AWS_REGION=us-east-1']],
    ['@latest', ['mcp-proxy-for-aws@latest', 'https://aws-mcp.us-east-1.api.aws/mcp', '--metadata', 'AWS_REGION=us-east-1']],
    ['a range', ['mcp-proxy-for-aws>=1.6', 'https://aws-mcp.us-east-1.api.aws/mcp', '--metadata', 'AWS_REGION=us-east-1']],
  ])('an unpinned version (%s): re-checks the index every start, a release can break it; fix: pin', (_label, args) => {
    const [warning] = awsServerWarnings([aws(args)]);
    expect(warning).toMatch(/^servers\.aws runs mcp-proxy-for-aws\S* without a pinned version: every start re-checks the package index/);
    expect(warning).toContain('a new release can break the launch');
    expect(warning).toContain('Fix: pin it, e.g. mcp-proxy-for-aws==1.6.1 in servers.aws.args');
  });

  test('pinned with @ or == (or through --from) is pinned', () => {
    expect(awsServerWarnings([aws(['mcp-proxy-for-aws@1.6.1', 'https://aws-mcp.us-east-1.api.aws/mcp', '--metadata', 'AWS_REGION=us-east-1'])])).toEqual([]);
    expect(awsServerWarnings([aws(['--from', 'mcp-proxy-for-aws==1.6.1', 'mcp-proxy-for-aws', 'https://aws-mcp.us-east-1.api.aws/mcp', '--metadata', 'AWS_REGION=us-east-1'])])).toEqual([]);
  });

  test('AWS_REGION metadata missing: every operation silently runs in us-east-1; fix: add it', () => {
    const warnings = awsServerWarnings([aws(['mcp-proxy-for-aws==1.6.1', 'https://aws-mcp.eu-central-1.api.aws/mcp'])]);
    expect(warnings).toEqual([expect.stringMatching(/^servers\.aws sets no --metadata AWS_REGION=…: every AWS operation silently runs in us-east-1.*Fix: add --metadata AWS_REGION=<region> after the endpoint in servers\.aws\.args/)]);
  });

  test('--region makes the proxy inject the metadata itself: no warning', () => {
    expect(awsServerWarnings([aws(['mcp-proxy-for-aws==1.6.1', 'https://aws-mcp.us-east-1.api.aws/mcp', '--region', 'us-east-1'])])).toEqual([]);
  });

  test('metadata region differing from the endpoint region is allowed, but said', () => {
    const warnings = awsServerWarnings([{ name: 'aws', ...awsServerConfig({ region: 'eu-west-1' }) }]);
    expect(warnings).toEqual([expect.stringMatching(/connects to the eu-central-1 endpoint but runs operations in eu-west-1 \(--metadata AWS_REGION=eu-west-1\)\. That is allowed; if it is not what you meant, make them the same/)]);
  });

  test('an endpoint that is not a known AWS MCP endpoint, or none, is named with the fix', () => {
    expect(awsServerWarnings([aws(['mcp-proxy-for-aws==1.6.1', 'https://aws-mcp.ap-south-1.api.aws/mcp', '--metadata', 'AWS_REGION=ap-south-1'])])).toEqual([
      expect.stringMatching(/uses the endpoint https:\/\/aws-mcp\.ap-south-1\.api\.aws\/mcp, which is not a known AWS MCP Server endpoint \(us-east-1, eu-central-1\)\. Fix: use https:\/\/aws-mcp\.us-east-1/),
    ]);
    expect(awsServerWarnings([aws(['mcp-proxy-for-aws==1.6.1', '--metadata', 'AWS_REGION=us-east-1'])])).toEqual([expect.stringMatching(/gives the proxy no endpoint URL\. Fix: add one/)]);
  });

  test.each([
    ['aws-api-mcp-server', { name: 'aws-api', command: 'uvx', args: ['awslabs.aws-api-mcp-server@latest'] }],
    ['aws-knowledge-mcp-server', { name: 'knowledge', command: 'npx', args: ['mcp-remote', 'https://knowledge-mcp.global.api.aws'] }],
    ['aws-knowledge-mcp-server', { name: 'knowledge', command: 'uvx', args: ['awslabs.aws-knowledge-mcp-server'] }],
  ])('an older %s configured beside it: overlapping tools confuse agents; fix: remove it', (label, older) => {
    const warnings = awsServerWarnings([prescribed(), older]);
    expect(warnings).toEqual([
      `servers.${older.name} runs the older ${label} beside the AWS MCP Server (servers.aws): their overlapping tools confuse agents, and AWS recommends removing it. ` +
        `Fix: remove servers.${older.name}; the aws___ tools of servers.aws cover it.`,
    ]);
    expect(awsServerWarnings([older])).toEqual([]); // alone, it is just a server
  });
});

describe('awsServerFacts reads argv as uvx and the proxy do', () => {
  test('the prescribed entry', () => {
    expect(awsServerFacts({ ...awsServerConfig({ region: 'eu-west-1', profile: 'dev', readOnly: true }) })).toEqual({
      packageSpec: 'mcp-proxy-for-aws==1.6.1',
      version: '1.6.1',
      endpoint: 'https://aws-mcp.eu-central-1.api.aws/mcp',
      endpointRegion: 'eu-central-1',
      knownEndpoint: true,
      metadataRegion: 'eu-west-1',
      signingRegion: null,
      profile: 'dev',
      readOnly: true,
    });
  });

  test('--profile swallowing the endpoint (argparse nargs=+) gives it back; AWS_PROFILE in env counts', () => {
    const facts = awsServerFacts({ command: '/home/u/.local/bin/uvx', args: ['mcp-proxy-for-aws==1.6.1', '--profile', 'stg', 'https://aws-mcp.us-east-1.api.aws/mcp'] });
    expect(facts).toMatchObject({ endpoint: 'https://aws-mcp.us-east-1.api.aws/mcp', profile: 'stg' });
    expect(awsServerFacts({ command: 'uvx', args: ['mcp-proxy-for-aws==1.6.1', 'https://aws-mcp.us-east-1.api.aws/mcp'], env: { AWS_PROFILE: 'prod' } })?.profile).toBe('prod');
    expect(awsServerFacts({ command: 'uvx', args: ['mcp-proxy-for-aws==1.6.1', 'https://aws-mcp.us-east-1.api.aws/mcp', '--metadata=AWS_REGION=eu-west-1'] })?.metadataRegion).toBe('eu-west-1');
  });
});
