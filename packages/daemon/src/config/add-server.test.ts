import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { addServerToConfigFile } from './add-server.js';

// addServerToConfigFile on real files: each form `servers` may take, in YAML and JSON.

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'mcpw-add-server-'));
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

const entry = { command: 'uvx', args: ['mcp-proxy-for-aws==1.6.1'], env: {} };

test('a YAML list of servers gets a listed entry with its name; a second one is refused, then replaced when asked', () => {
  const file = path.join(dir, 'config.yaml');
  writeFileSync(file, 'servers:\n  - name: other\n    command: node\n');
  expect(addServerToConfigFile({ file, name: 'aws', entry })).toMatchObject({ created: false, replaced: false });
  expect(parse(readFileSync(file, 'utf8'))).toEqual({ servers: [{ name: 'other', command: 'node' }, { name: 'aws', command: 'uvx', args: ['mcp-proxy-for-aws==1.6.1'] }] });
  expect(() => addServerToConfigFile({ file, name: 'aws', entry })).toThrow(/already has a server named 'aws'.*--force/);
  expect(addServerToConfigFile({ file, name: 'aws', entry: { ...entry, args: ['x'] }, replace: true }).replaced).toBe(true);
  expect((parse(readFileSync(file, 'utf8')) as { servers: unknown[] }).servers).toHaveLength(2);
});

test('a file of comments only gets a servers map and keeps its comments', () => {
  const file = path.join(dir, 'config.yaml');
  writeFileSync(file, '# nothing yet\n');
  addServerToConfigFile({ file, name: 'aws', entry });
  const text = readFileSync(file, 'utf8');
  expect(text).toContain('# nothing yet');
  expect(parse(text)).toEqual({ servers: { aws: { command: 'uvx', args: ['mcp-proxy-for-aws==1.6.1'] } } });
});

test('a JSON file stays JSON with its other settings; invalid JSON is refused naming the file', () => {
  const file = path.join(dir, 'config.json');
  writeFileSync(file, '{"port": 8123}');
  const result = addServerToConfigFile({ file, name: 'aws', entry: { ...entry, env: { AWS_PROFILE: 'work' } } });
  expect(result.servers).toEqual([{ name: 'aws', command: 'uvx', args: ['mcp-proxy-for-aws==1.6.1'], env: { AWS_PROFILE: 'work' } }]);
  expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ port: 8123, servers: { aws: { command: 'uvx', args: ['mcp-proxy-for-aws==1.6.1'], env: { AWS_PROFILE: 'work' } } } });
  writeFileSync(file, '{"port": ');
  expect(() => addServerToConfigFile({ file, name: 'aws', entry })).toThrow(new RegExp(`${file} is not valid JSON`));
});

test('invalid YAML is refused naming the file, and the file is left as it was', () => {
  const file = path.join(dir, 'config.yaml');
  writeFileSync(file, 'servers: [\n');
  expect(() => addServerToConfigFile({ file, name: 'aws', entry })).toThrow(new RegExp(`${file} is not valid YAML`));
  expect(readFileSync(file, 'utf8')).toBe('servers: [\n');
});
