/** Where a command writes: stdout for its result (a token, a table), stderr for everything said to a person. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

export const processIo: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env };

export const PROGRAM = 'mcp-workstation-gateway';
