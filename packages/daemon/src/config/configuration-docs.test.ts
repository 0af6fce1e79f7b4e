import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from './load-config';
import { configReference } from './reference';
import { ConfigSandbox } from './test-support/config-sandbox';

/** docs/configuration.md is the reference people read: every key must be in it, and its example files must load. */

const DOC_PATH = path.resolve(__dirname, '../../../../docs/configuration.md');
const doc = readFileSync(DOC_PATH, 'utf8');

function shownDefault(key: string, value: unknown): string {
  if (key === 'servers.<name>.command') return '(required)';
  if (value === null) return '(unset)';
  return `\`${typeof value === 'object' ? JSON.stringify(value) : String(value)}\``;
}

describe('docs/configuration.md', () => {
  it.each(configReference().filter((row) => row.key !== 'servers').map((row) => [row.key, row] as const))('documents %s with its default, variable and flag', (key, row) => {
    const line = doc.split('\n').find((candidate) => candidate.startsWith(`| \`${key}\` |`));
    expect(line).toBeDefined();
    const cells = (line as string).split(' | ');
    expect(cells[1]).toBe(shownDefault(key, row.default));
    if (row.env !== undefined) expect(cells[2]).toBe(`\`${row.env}\``);
    if (row.flag !== undefined) expect(cells[3]).toBe(`\`${row.flag}\``);
  });

  const examples = [...doc.matchAll(/```(yaml|json) file\n([\s\S]*?)```/g)].map((match, index) => [`example ${index + 1} (${match[1]})`, match[1], match[2]] as const);

  it('has example files in JSON and YAML, one with two servers', () => {
    expect(examples.map(([, format]) => format)).toEqual(expect.arrayContaining(['yaml', 'json']));
  });

  describe.each(examples)('%s', (_name, format, text) => {
    let sandbox: ConfigSandbox;
    beforeEach(() => {
      sandbox = new ConfigSandbox();
    });
    afterEach(() => sandbox.remove());

    it('loads without problems', () => {
      const file = sandbox.write(`config.${format}`, text);
      const { config } = loadConfig({ configPath: file, env: sandbox.env(), cwd: sandbox.cwd });
      expect(config.servers.length).toBeGreaterThan(0);
    });
  });

  it('shows a two-server example', () => {
    const counts = examples.map(([, format, text]) => {
      const sandbox = new ConfigSandbox();
      try {
        return loadConfig({ configPath: sandbox.write(`c.${format}`, text), env: sandbox.env(), cwd: sandbox.cwd }).config.servers.length;
      } finally {
        sandbox.remove();
      }
    });
    expect(counts).toContain(2);
  });
});
