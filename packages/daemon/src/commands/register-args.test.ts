import path from 'node:path';
import { parseFlags } from '../cli/flags';
import { UsageError } from '../errors';
import { REGISTER_SPEC, registerInvocation } from './register-args';

function invoke(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const { values } = parseFlags(argv, REGISTER_SPEC);
  return registerInvocation(values, env);
}

describe('mcp-workstation register flags', () => {
  it('keeps its state in $XDG_STATE_HOME/mcp-workstation unless --state-dir says otherwise', () => {
    const defaults = invoke(['--gateway', 'https://gw.test', '--token-file', 'token'], { XDG_STATE_HOME: '/srv/state' });
    expect(defaults).toMatchObject({
      gatewayUrl: 'https://gw.test',
      tokenFile: 'token',
      stateDir: '/srv/state/mcp-workstation',
      stateDirGiven: false,
      servers: [],
      allowHttp: false,
      logLevel: 'info',
    });
    const chosen = invoke(['--gateway', 'https://gw.test', '--state-dir', 'here'], { XDG_STATE_HOME: '/srv/state' });
    expect(chosen).toMatchObject({ stateDir: path.resolve('here'), stateDirGiven: true });
  });

  it('lists the servers given with repeated --server, and takes the other flags in both spellings', () => {
    const kebab = invoke(['--gateway', 'http://gw.test', '--server', 'aws', '--server', 'fs', '--allow-http', '--ca-file', 'ca.pem', '--name', 'alice-laptop']);
    const camel = invoke(['--gateway', 'http://gw.test', '--server', 'aws', '--server', 'fs', '--allowHttp', '--caFile', 'ca.pem', '--name', 'alice-laptop']);
    expect(kebab).toEqual(camel);
    expect(kebab).toMatchObject({ servers: [{ name: 'aws' }, { name: 'fs' }], allowHttp: true, caFile: 'ca.pem', name: 'alice-laptop' });
  });

  it('needs --gateway, and refuses names the protocol does not allow, with the fix', () => {
    expect(() => invoke(['--token-file', 'token'])).toThrow(UsageError);
    expect(() => invoke(['--token-file', 'token'])).toThrow(/--gateway <url> is required/);
    expect(() => invoke(['--gateway', 'https://gw.test', '--server', 'My_Server'])).toThrow(/--server 'My_Server' is not a usable server name/);
    expect(() => invoke(['--gateway', 'https://gw.test', '--server', 'aws', '--server', 'aws'])).toThrow(/given twice/);
    expect(() => invoke(['--gateway', 'https://gw.test', '--name', 'alice laptop'])).toThrow(/not a usable agent name/);
    expect(() => invoke(['--gateway', 'https://gw.test', '--token', 't', '--token-file', 'f'])).toThrow(/not both/);
    expect(() => invoke(['--gateway', 'https://gw.test', '--token-fil', 'f'])).toThrow(/unknown flag --tokenFil/);
  });

  it('takes a token in argv only when asked to, and never from a positional word', () => {
    expect(invoke(['--gateway', 'https://gw.test', '--token', 'mwreg_abc']).tokenInArgv).toBe('mwreg_abc');
    expect(() => invoke(['--gateway', 'https://gw.test', 'mwreg_abc'])).toThrow(/unexpected argument/);
  });
});
