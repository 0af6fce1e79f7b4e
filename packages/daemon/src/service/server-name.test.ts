import { UsageError } from '../errors';
import { checkServerName, serverNameFromArgv } from './server-name';

describe('serverNameFromArgv', () => {
  it.each([
    [['uvx', 'mcp-proxy-for-aws==1.6.1', 'https://aws-mcp.us-east-1.api.aws/mcp'], 'mcp-proxy-for-aws'],
    [['npx', '-y', '@modelcontextprotocol/server-everything'], 'server-everything'],
    [['npx', '-y', '@modelcontextprotocol/server-filesystem@2025.1.1', '/tmp'], 'server-filesystem'],
    [['node', '/repo/node_modules/@modelcontextprotocol/server-everything/dist/index.js', 'stdio'], 'server-everything'],
    [['/usr/local/bin/My_Server'], 'my-server'],
    [['python3', 'servers/git.server.py'], 'git-server'],
    [['uv', 'tool', 'run', 'mcp-server-git'], 'mcp-server-git'],
    [[], 'default'],
  ])('%j -> %s', (argv, name) => {
    expect(serverNameFromArgv(argv)).toBe(name);
  });
});

describe('checkServerName', () => {
  it('accepts URL-safe names and refuses others with the rule', () => {
    expect(checkServerName('aws-1')).toBe('aws-1');
    expect(() => checkServerName('Has Space')).toThrow(UsageError);
    expect(() => checkServerName('../x')).toThrow(/lowercase letters, digits/);
  });

  it('follows the config rule (no dots or underscores) and suggests a usable name', () => {
    expect(() => checkServerName('aws-1.prod')).toThrow(/for example --name aws-1-prod/);
    expect(() => checkServerName('My_Server', '--server')).toThrow(/for example --server my-server/);
  });
});
