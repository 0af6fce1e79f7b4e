import { UsageError } from '../errors';
import { checkServerName, serverNameFromArgv } from './server-name';

describe('serverNameFromArgv', () => {
  it.each([
    [['uvx', 'mcp-proxy-for-aws==1.6.1', 'https://aws-mcp.us-east-1.api.aws/mcp'], 'mcp-proxy-for-aws'],
    [['npx', '-y', '@modelcontextprotocol/server-everything'], 'server-everything'],
    [['npx', '-y', '@modelcontextprotocol/server-filesystem@2025.1.1', '/tmp'], 'server-filesystem'],
    [['node', '/repo/node_modules/@modelcontextprotocol/server-everything/dist/index.js', 'stdio'], 'server-everything'],
    [['/usr/local/bin/My_Server'], 'my_server'],
    [['uv', 'tool', 'run', 'mcp-server-git'], 'mcp-server-git'],
    [[], 'default'],
  ])('%j -> %s', (argv, name) => {
    expect(serverNameFromArgv(argv)).toBe(name);
  });
});

describe('checkServerName', () => {
  it('accepts URL-safe names and refuses others with the rule', () => {
    expect(checkServerName('aws-1.prod')).toBe('aws-1.prod');
    expect(() => checkServerName('Has Space')).toThrow(UsageError);
    expect(() => checkServerName('../x')).toThrow(/lowercase letters, digits/);
  });
});
