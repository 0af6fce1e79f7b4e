import { execFileSync } from 'node:child_process';
import { splitCommandLine } from './command-line';

/** What /bin/sh itself makes of a line: the reference the splitter must agree with. */
function shellSplit(line: string): string[] {
  const out = execFileSync('/bin/sh', ['-c', `for a in ${line}; do printf '%s\\0' "$a"; done`], { encoding: 'utf8' });
  return out === '' ? [] : out.slice(0, -1).split('\0');
}

describe('splitCommandLine', () => {
  it('splits the supergateway-style uvx line into its argv', () => {
    expect(
      splitCommandLine(
        'uvx mcp-proxy-for-aws==1.6.1 https://aws-mcp.us-east-1.api.aws/mcp --metadata AWS_REGION=us-east-1',
      ),
    ).toEqual([
      'uvx',
      'mcp-proxy-for-aws==1.6.1',
      'https://aws-mcp.us-east-1.api.aws/mcp',
      '--metadata',
      'AWS_REGION=us-east-1',
    ]);
  });

  it('collapses runs of blanks (spaces, tabs, newlines) and ignores leading and trailing ones', () => {
    expect(splitCommandLine('  node \t server.js\n --port  8000  ')).toEqual(['node', 'server.js', '--port', '8000']);
    expect(splitCommandLine('')).toEqual([]);
    expect(splitCommandLine('   ')).toEqual([]);
  });

  it('keeps single-quoted text literally, backslashes and double quotes included', () => {
    expect(splitCommandLine(`echo 'a  b' 'c\\d' 'say "hi"'`)).toEqual(['echo', 'a  b', 'c\\d', 'say "hi"']);
  });

  it('removes a backslash before " \\ $ ` inside double quotes and keeps it before anything else', () => {
    expect(splitCommandLine('x "a \\"b\\" \\\\ \\$HOME \\` \\n"')).toEqual(['x', 'a "b" \\ $HOME ` \\n']);
  });

  it('treats a backslash outside quotes as escaping the next character', () => {
    expect(splitCommandLine('a\\ b c\\"d \\\'e\\\\')).toEqual(['a b', 'c"d', "'e\\"]);
  });

  it('joins adjacent quoted and unquoted parts into one word and keeps empty quoted words', () => {
    expect(splitCommandLine(`--name="my server"'s'x '' ""`)).toEqual(['--name=my serversx', '', '']);
  });

  it('removes backslash-newline line continuations', () => {
    expect(splitCommandLine('uvx pkg \\\n  --flag "a\\\nb"')).toEqual(['uvx', 'pkg', '--flag', 'ab']);
  });

  it('expands nothing: variables, globs, tildes and comments stay as written', () => {
    expect(splitCommandLine('cmd $HOME ~/x *.js "${PATH}" #tag')).toEqual(['cmd', '$HOME', '~/x', '*.js', '${PATH}', '#tag']);
  });

  it('agrees with /bin/sh on quoting (no expansion involved)', () => {
    const lines = [
      `a 'b c' "d e" f\\ g`,
      `"x\\"y" 'it'"'"'s' z\\\\`,
      `--opt="a b"c'd e' ''`,
      `"\\a\\b" \\q`,
    ];
    for (const line of lines) expect(splitCommandLine(line)).toEqual(shellSplit(line));
  });

  it('rejects an unterminated single quote, naming the problem and the position', () => {
    expect(() => splitCommandLine("uvx 'unterminated arg")).toThrow(/Unterminated single quote \(\'\) at position 5/);
  });

  it('rejects an unterminated double quote, naming the problem and the position', () => {
    expect(() => splitCommandLine('uvx --x "abc \\" def')).toThrow(/Unterminated double quote \("\) at position 9/);
  });

  it('rejects a trailing lone backslash', () => {
    expect(() => splitCommandLine('uvx abc\\')).toThrow(/ends with a lone backslash/);
  });

  it('rejects unquoted shell operators and says how to pass them or use a shell', () => {
    expect(() => splitCommandLine('server | tee log')).toThrow(/shell operator \| at position 8.*quote it.*shell/);
    expect(() => splitCommandLine('server > out')).toThrow(/shell operator >/);
    expect(splitCommandLine(`server '|' "a>b" c\\;`)).toEqual(['server', '|', 'a>b', 'c;']);
  });

  it('does not echo the command line in its errors (it may carry a token)', () => {
    expect(() => splitCommandLine("server --token secret-123 'oops")).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('secret-123') }),
    );
  });
});
