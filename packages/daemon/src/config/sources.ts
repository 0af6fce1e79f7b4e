import type { ConfigSource } from './types.js';

/** Constructors for ConfigSource, and the sentence that tells a person where to change a value. */

export const DEFAULT_SOURCE: ConfigSource = { kind: 'default', detail: 'default' };

export function defaultSource(detail = 'default'): ConfigSource {
  return { kind: 'default', detail };
}

export function fileSource(file: string, fileKey: string, line: number | undefined): ConfigSource {
  return { kind: 'file', detail: line === undefined ? file : `${file}:${line}`, file, line, fileKey };
}

export function envSource(envVar: string): ConfigSource {
  return { kind: 'env', detail: envVar, envVar };
}

export function flagSource(flag: string): ConfigSource {
  return { kind: 'flag', detail: flag, flag };
}

/** "file /x/config.yaml:3", "env MCP_WORKSTATION_PORT", "flag --port", "default". */
export function describeSource(source: ConfigSource): string {
  return source.kind === 'default' ? (source.detail === 'default' ? 'default' : `default: ${source.detail}`) : `${source.kind} ${source.detail}`;
}

/** Where to make the change: the place the bad value came from. */
export function whereToFix(key: string, source: ConfigSource | undefined): string {
  switch (source?.kind) {
    case 'file':
      return `edit ${source.fileKey ?? key} in ${source.file}${source.line === undefined ? '' : ` (line ${source.line})`}`;
    case 'env':
      return `change or unset the environment variable ${source.envVar}`;
    case 'flag':
      return `change ${source.flag} on the command line`;
    default:
      return `set ${key} in the config file`;
  }
}
