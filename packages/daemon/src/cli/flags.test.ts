import { UsageError } from '../errors';
import { parseFlags } from './flags';
import type { CommandSpec } from './flags';

const SPEC: CommandSpec = {
  command: 'demo',
  flags: {
    help: { type: 'boolean', short: 'h' },
    port: { type: 'string' },
    outputTransport: { type: 'string' },
    stateful: { type: 'boolean' },
    cors: { type: 'string', greedy: true, bareValue: '*' },
    healthEndpoint: { type: 'string', greedy: true },
  },
  refused: { header: 'use something else' },
};

function usageMessage(argv: string[]): string {
  try {
    parseFlags(argv, SPEC);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`expected a usage error for ${argv.join(' ')}`);
}

describe('parseFlags', () => {
  it('reads camelCase, kebab-case and inline values alike', () => {
    const { values } = parseFlags(['--output-transport', 'ws', '--port=0', '--stateful'], SPEC);
    expect(values).toEqual({ outputTransport: 'ws', port: '0', stateful: true });
  });

  it('gives a bare --cors the value meaning any origin, like yargs arrays in supergateway', () => {
    expect(parseFlags(['--cors', '--port', '1'], SPEC).values.cors).toEqual(['*']);
    expect(parseFlags(['--cors'], SPEC).values.cors).toEqual(['*']);
  });

  it('lets array flags take every following word, and repeat', () => {
    const { values } = parseFlags(['--cors', 'http://a.test', 'http://b.test', '--healthEndpoint', '/h1', '--healthEndpoint=/h2'], SPEC);
    expect(values.cors).toEqual(['http://a.test', 'http://b.test']);
    expect(values.healthEndpoint).toEqual(['/h1', '/h2']);
  });

  it('names an unknown flag and the help command', () => {
    const message = usageMessage(['--porrt', '1']);
    expect(message).toContain('--porrt');
    expect(message).toContain("mcp-workstation demo --help");
  });

  it('refuses known-but-unsupported flags with their reason', () => {
    expect(usageMessage(['--header', 'x: 1'])).toBe('--header is not supported by mcp-workstation demo: use something else');
  });

  it('says when a flag lacks its value, or is followed by another flag', () => {
    expect(usageMessage(['--port'])).toContain('--port needs a value');
    expect(usageMessage(['--port', '--stateful'])).toContain("followed by '--stateful'");
  });

  it('rejects a value given to a switch, repeated single flags and stray words', () => {
    expect(usageMessage(['--stateful=yes'])).toContain('takes no value');
    expect(usageMessage(['--port', '1', '--port', '2'])).toContain('more than once');
    expect(usageMessage(['oops'])).toContain("unexpected argument 'oops'");
  });
});
