import convict from 'convict';
import { BACKEND_CHOICES, interfaceNameProblem } from '@mcp-workstation/tunnel';
import { LOG_LEVELS } from '../logging/levels.js';
import { adminAddressProblem } from './admin-address.js';

/**
 * The value formats of the schema. Each is registered with convict (which validates with it)
 * and also kept here, because our own checks need the reason alone to build a message that
 * names the key's source, which convict's joined error text cannot give.
 *
 * `coerce` reads the strings of environment variables and flags. When a string does not parse
 * it is returned unchanged, so that `check` reports it with its source instead of convict
 * failing somewhere without a key.
 */

export interface ConfigFormat {
  name: string;
  /** What a value must be, for docs. */
  allowed: string;
  /** Why the value is not allowed (a phrase after the key), or null. */
  check(value: unknown): string | null;
  coerce?(raw: string): unknown;
  /** How a flag that mirrors the key takes its value. */
  flagType: 'string' | 'boolean' | 'list';
}

const FORMATS = new Map<string, ConfigFormat>();

function define(format: ConfigFormat): void {
  FORMATS.set(format.name, format);
}

export function formatNamed(name: string): ConfigFormat {
  const format = FORMATS.get(name);
  if (!format) throw new Error(`config schema uses an unregistered format '${name}'`);
  return format;
}

let registered = false;

/** convict keeps formats in one process-wide table; ours all carry names convict does not use. */
export function registerFormats(): void {
  if (registered) return;
  registered = true;
  for (const format of FORMATS.values()) {
    convict.addFormat({
      name: format.name,
      validate: (value: unknown) => {
        const problem = format.check(value);
        if (problem !== null) throw new Error(problem);
      },
      coerce: format.coerce,
    });
  }
}

// --- numbers -----------------------------------------------------------------------------

function toWholeNumber(raw: string): unknown {
  return /^\s*\d+\s*$/.test(raw) ? Number(raw) : raw;
}

function wholeNumber(name: string, min: number, max: number, allowed: string): void {
  define({
    name,
    allowed,
    flagType: 'string',
    check: (value) => (typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max ? null : `must be ${allowed}`),
    coerce: toWholeNumber,
  });
}

wholeNumber('tcp-port', 0, 65535, 'a port number from 0 to 65535 (0 picks a free port)');
wholeNumber('milliseconds', 0, Number.MAX_SAFE_INTEGER, 'a whole number of milliseconds, 0 or more (10000 is 10 s)');
wholeNumber('positive-milliseconds', 1, Number.MAX_SAFE_INTEGER, 'a whole number of milliseconds, 1 or more (10000 is 10 s)');
wholeNumber('positive-count', 1, Number.MAX_SAFE_INTEGER, 'a whole number, 1 or more');
wholeNumber('byte-count', 1, Number.MAX_SAFE_INTEGER, 'a whole number of bytes, 1 or more (4194304 is 4 MiB)');

// --- choices and switches ----------------------------------------------------------------

function choice(name: string, choices: readonly string[]): void {
  const allowed = `one of ${choices.join(', ')}`;
  define({
    name,
    allowed,
    flagType: 'string',
    check: (value) => (typeof value === 'string' && choices.includes(value) ? null : `must be ${allowed}`),
    // LOG_LEVEL=INFO means info; anything else stays as written, for check() to report.
    coerce: (raw) => (choices.includes(raw.trim().toLowerCase()) ? raw.trim().toLowerCase() : raw),
  });
}

choice('log-level', LOG_LEVELS);
choice('log-format', ['auto', 'json', 'pretty']);
choice('wg-backend', BACKEND_CHOICES);
choice('session-mode', ['shared', 'stateless', 'per-session']);

const TRUE_WORDS = new Set(['true', 'yes', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'off', '0']);

/** Unlike convict's Boolean, "no" and "0" mean false and a typo stays an error. */
function toSwitch(raw: string): unknown {
  const word = raw.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return raw;
}

define({
  name: 'switch',
  allowed: 'true or false',
  flagType: 'boolean',
  check: (value) => (typeof value === 'boolean' ? null : 'must be true or false'),
  coerce: toSwitch,
});

define({
  name: 'tunnel-switch',
  allowed: 'auto, true or false',
  flagType: 'string',
  check: (value) => (typeof value === 'boolean' || value === 'auto' ? null : 'must be auto, true or false'),
  coerce: (raw) => (raw.trim().toLowerCase() === 'auto' ? 'auto' : toSwitch(raw)),
});

// --- addresses and paths -----------------------------------------------------------------

define({
  name: 'host-name',
  allowed: 'an IP address or host name of this machine, e.g. 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)',
  flagType: 'string',
  check: (value) =>
    typeof value === 'string' && /^[A-Za-z0-9._:-]+$/.test(value)
      ? null
      : 'must be an IP address or host name of this machine, e.g. 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)',
});

define({
  name: 'admin-address',
  allowed: 'HOST:PORT (e.g. 127.0.0.1:8001) or the path of a unix socket (created with mode 0600)',
  flagType: 'string',
  check: (value) => (typeof value === 'string' ? adminAddressProblem(value) : 'must be HOST:PORT or a unix socket path, as a string'),
});

define({
  name: 'path',
  allowed: "a file system path ('~/' is your home; a relative path starts from the config file's folder)",
  flagType: 'string',
  check: (value) => (typeof value === 'string' && value !== '' && !value.includes('\0') ? null : 'must be a file system path (a non-empty string)'),
});

define({
  name: 'wg-interface',
  allowed: "a WireGuard interface name: on Linux up to 15 letters, digits, '_', '-' or '.'; on macOS utun followed by a number",
  flagType: 'string',
  check: (value) => {
    if (typeof value !== 'string') return 'must be a WireGuard interface name, as a string';
    const problem = interfaceNameProblem(value);
    return problem === null ? null : `is not a usable interface name: ${problem}`;
  },
});

// --- lists -------------------------------------------------------------------------------

/** "a, b" from an environment variable or a flag repeated/comma-separated. */
function toList(raw: string): string[] {
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function list(name: string, items: string, item: string, isBad: (entry: string) => boolean): void {
  const allowed = `a list of ${items}`;
  define({
    name,
    allowed,
    flagType: 'list',
    coerce: toList,
    check: (value) => {
      if (!Array.isArray(value)) return `must be ${allowed}`;
      const bad = value.find((entry) => typeof entry !== 'string' || isBad(entry));
      return bad === undefined ? null : `has ${JSON.stringify(bad)}, which is not allowed: each entry must be ${item}`;
    },
  });
}

/** The forms a Host header takes: name, name:port, [v6], [v6]:port. */
const HOST_ENTRY = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)(:\d{1,5})?$/;

function isOrigin(text: string): boolean {
  try {
    return new URL(text).origin === text;
  } catch {
    return false;
  }
}

list('host-list', 'host names or host:port', 'a host name or host:port, like mcp.internal, 10.0.0.2:8000 or [fd00::2]:8000', (entry) => !HOST_ENTRY.test(entry));
list('origin-list', 'origins', 'an origin (scheme://host[:port]), like https://app.example.com', (entry) => !isOrigin(entry));
list('cors-origin-list', "origins, or '*' for any", "an origin (scheme://host[:port]) like https://app.example.com, or '*'", (entry) => entry !== '*' && !isOrigin(entry));

// --- servers -----------------------------------------------------------------------------

define({
  name: 'server-list',
  allowed: 'a map of server name to server (or a list of servers with a name each)',
  flagType: 'string',
  check: (value) => (Array.isArray(value) ? null : 'must be a map of server name to server, or a list of servers'),
});

define({
  name: 'command',
  allowed: 'the program to run: a name looked up on PATH, or a path',
  flagType: 'string',
  check: (value) =>
    typeof value === 'string' && value.trim() !== '' ? null : 'is required: the program that starts the MCP server (a name on PATH, or a path)',
});

define({
  name: 'argument-list',
  allowed: 'a list of strings, one per argument',
  flagType: 'list',
  check: (value) =>
    Array.isArray(value) && value.every((item) => typeof item === 'string') ? null : 'must be a list of strings, one per argument (quote numbers: "8080")',
});

const ENV_NAME = /^[^=\0]+$/;

define({
  name: 'environment-map',
  allowed: 'a map of variable name to string value (null removes the variable)',
  flagType: 'string',
  check: (value) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'must be a map of variable name to string value';
    for (const [name, item] of Object.entries(value)) {
      if (!ENV_NAME.test(name)) return `has the variable name ${JSON.stringify(name)}, which cannot contain '='`;
      if (item !== null && typeof item !== 'string') {
        return `has ${name} = ${JSON.stringify(item)}, which is not a string: quote it (${name}: "${String(item)}"), or write null to remove the variable`;
      }
    }
    return null;
  },
});
