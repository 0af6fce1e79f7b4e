import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ServiceInstallError } from './install-error.js';

/**
 * Where the service templates are: scripts/service/ of the repository (this file is
 * packages/daemon/{src,dist}/install/, four levels below the root), or a copy shipped inside
 * the package as service-templates/ (two levels up) when it is installed from a registry.
 */
export function defaultTemplateDirs(): string[] {
  return [path.resolve(__dirname, '..', '..', '..', '..', 'scripts', 'service'), path.resolve(__dirname, '..', '..', 'service-templates')];
}

export function readTemplate(name: string, dirs: readonly string[] = defaultTemplateDirs()): string {
  const dir = dirs.find((candidate) => existsSync(path.join(candidate, name)));
  if (dir === undefined) {
    throw new ServiceInstallError(
      `the service template ${name} was not found (looked in ${dirs.join(', ')})`,
      'reinstall mcp-workstation, or run it from a complete clone of its repository (scripts/service/ holds the templates)',
    );
  }
  return readFileSync(path.join(dir, name), 'utf8');
}
