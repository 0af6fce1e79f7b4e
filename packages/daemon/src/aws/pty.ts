/**
 * node-pty, loaded only when a login is run: it is an optional dependency (it compiles a
 * native module, and a machine without a compiler must still install mcp-workstation), so
 * its absence is an answer, not an error. The interface is the part of node-pty's IPty this
 * package uses, declared here because its typings are absent when it is.
 */

export interface Disposable {
  dispose(): void;
}

export interface PtyProcess {
  readonly pid: number;
  onData(listener: (data: string) => void): Disposable;
  onExit(listener: (event: { exitCode: number; signal?: number }) => void): Disposable;
  write(data: string | Buffer): void;
  resize(columns: number, rows: number): void;
  kill(signal?: string): void;
}

export interface PtyModule {
  spawn(file: string, args: string[], options: { name: string; cols: number; rows: number; cwd: string; env: NodeJS.ProcessEnv }): PtyProcess;
}

export type PtyLoad = { ok: true; pty: PtyModule } | { ok: false; reason: string };

export function loadNodePty(): PtyLoad {
  try {
    // A computed name keeps bundlers and tsc from resolving a module that may not be there.
    const name = 'node-pty';
    return { ok: true, pty: require(name) as PtyModule };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'MODULE_NOT_FOUND' ? 'node-pty is not installed' : `node-pty could not be loaded (${(error as Error).message})`;
    return { ok: false, reason };
  }
}
