import * as path from 'node:path';
import { awsDoctorChecks, type DoctorCheck as AwsCheck } from '../aws/index.js';
import type { ServerConfig } from '../config/types.js';
import { installedServicePath } from '../install/installed-path.js';
import { servicePath } from '../install/service-path.js';
import type { DoctorCheck } from './types.js';

/**
 * The AWS checks (docs/aws.md) of each server that runs the AWS proxy. Their `uvx` check
 * says more than the generic command check for that server (it names uv's installer), so
 * it replaces it: `replaces` lists the generic lines to drop.
 */

export interface AwsServerChecks {
  checks: DoctorCheck[];
  /** Names of the generic `server <name>: command` lines these make redundant. */
  replaces: Set<string>;
}

export async function awsServerChecks(servers: ServerConfig[], env: NodeJS.ProcessEnv): Promise<AwsServerChecks> {
  // The installed service's own PATH; before `service install`, what it would record: this
  // shell's PATH, cleaned, plus node's and the system directories.
  const recorded = installedServicePath(env)?.value ?? servicePath(env.PATH, path.dirname(process.execPath)).value;
  const result: AwsServerChecks = { checks: [], replaces: new Set() };
  for (const server of servers) {
    const checks = await awsDoctorChecks({ server, servicePath: recorded, env, shellPath: env.PATH });
    if (!checks) continue;
    result.replaces.add(`server ${server.name}: command`);
    result.checks.push(...checks.map((check) => doctorLine(server.name, check)));
  }
  return result;
}

/** A skipped check is information, not a problem: its detail already starts with "skipped:". */
function doctorLine(server: string, check: AwsCheck): DoctorCheck {
  return { name: `server ${server}: ${check.name}`, state: check.state === 'skip' ? 'info' : check.state, detail: check.detail, ...(check.fix === undefined ? {} : { fix: check.fix }) };
}
