import { closeAllClients } from './clients';
import { stopAllDaemons } from './daemon';
import { everythingServerArgv } from './paths';
import { childPids, commandLine } from './processes';

export * from './clients';
export * from './daemon';
export * from './paths';
export * from './processes';
export * from './raw-http';
export * from './wait';

/** server-everything over stdio as a --stdio command line (quoted: paths may hold spaces). */
export function everythingStdioLine(): string {
  return everythingServerArgv()
    .map((word) => `'${word}'`)
    .join(' ');
}

/** For afterEach: close the clients, then stop the daemons and check nothing they started survived. */
export async function cleanUp(): Promise<void> {
  await closeAllClients();
  await stopAllDaemons();
}

/** The daemon's children that run server-everything. */
export function everythingChildren(daemonPid: number): number[] {
  return childPids(daemonPid).filter((pid) => commandLine(pid).includes('server-everything'));
}
