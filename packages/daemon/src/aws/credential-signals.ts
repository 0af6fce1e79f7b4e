/**
 * Recognising expired AWS credentials in what the proxy says: a stderr line, a JSON-RPC
 * error, or a tool result marked isError. The proxy has no single way of saying it: botocore
 * exceptions by class name or by message, the AWS API's error codes, and (its issue #304)
 * a bare `-32602 Invalid request parameters` to initialize when `aws login` must be re-run.
 */

export interface ExpirySignal {
  /** Which marker was seen, e.g. "ExpiredTokenException" or "initialize -32602 (proxy issue #304)". */
  signal: string;
}

interface Marker {
  signal: string;
  pattern: RegExp;
}

/** Most specific first: a line naming ExpiredTokenException also contains "ExpiredToken". */
const MARKERS: Marker[] = [
  { signal: 'ExpiredTokenException', pattern: /ExpiredTokenException/ },
  { signal: 'ExpiredToken', pattern: /\bExpiredToken\b/ },
  { signal: 'LoginRefreshRequired', pattern: /LoginRefreshRequired/ },
  { signal: 'RequestExpired', pattern: /\bRequestExpired\b/ },
  { signal: 'The security token included in the request is expired', pattern: /the security token included in the request is expired/i },
  // botocore's TokenRetrievalError ("Token has expired and refresh failed") and the proxy's own "Your AWS session token has expired".
  { signal: 'Token has expired', pattern: /token has expired/i },
  // LoginRefreshRequired and UnauthorizedSSOTokenError as their messages alone (the proxy logs `%s` of the exception: no class name).
  { signal: 'LoginRefreshRequired', pattern: /reauthenticate using 'aws login'|session has expired or credentials have changed/i },
  { signal: 'SSO session expired', pattern: /SSO session associated with this profile has expired/i },
];

/** botocore's answer when no region is configured: the proxy also reports it as -32602 to initialize (its README). */
const NO_REGION = /NoRegionError|You must specify a region/;

export const INITIALIZE_32602_SIGNAL = 'initialize -32602 (proxy issue #304)';
export const LOGIN_REFRESH_32602_SIGNAL = '-32602 after LoginRefreshRequired (proxy issue #304)';

const INVALID_PARAMS = -32602;

/** The expiry marker in a piece of text, or null. */
export function expirySignalInText(text: string): ExpirySignal | null {
  for (const marker of MARKERS) if (marker.pattern.test(text)) return { signal: marker.signal };
  return null;
}

/** The text of a JSON-RPC error: its message and data (a string, or any JSON). */
export function errorText(error: { message: string; data?: unknown }): string {
  if (error.data === undefined || error.data === '' || error.data === null) return error.message;
  return `${error.message} ${typeof error.data === 'string' ? error.data : safeJson(error.data)}`;
}

export interface ExpiryDetectorOptions {
  /** A -32602 this soon after a LoginRefreshRequired (or NoRegionError) line on stderr is read in its light. Default 60 s. */
  correlationWindowMs?: number;
  now?: () => number;
}

/**
 * Per server: remembers the recent stderr lines that change how a later error reads
 * (LoginRefreshRequired, NoRegionError), and classifies errors and tool results. Reading
 * an error does not change that memory, so any number of hooks may ask about the same one.
 */
export class ExpiryDetector {
  private readonly windowMs: number;
  private readonly now: () => number;
  private loginRefreshSeenAt = -Infinity;
  private noRegionSeenAt = -Infinity;

  constructor(options: ExpiryDetectorOptions = {}) {
    this.windowMs = options.correlationWindowMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** One stderr line of the child: its expiry signal, if it has one. */
  noteStderr(line: string): ExpirySignal | null {
    if (NO_REGION.test(line)) this.noRegionSeenAt = this.now();
    const found = expirySignalInText(line);
    if (found?.signal === 'LoginRefreshRequired') this.loginRefreshSeenAt = this.now();
    return found;
  }

  /** A JSON-RPC error the child answered `method` with. */
  classifyError(error: { code: number; message: string; data?: unknown }, method: string): ExpirySignal | null {
    const found = expirySignalInText(errorText(error));
    if (found) return found;
    if (error.code !== INVALID_PARAMS) return null;
    if (this.recently(this.loginRefreshSeenAt)) return { signal: LOGIN_REFRESH_32602_SIGNAL };
    // #304: the request the bridge sends is a valid initialize, so -32602 to it is the proxy
    // failing to sign, unless stderr just said the cause is a missing region.
    if (method === 'initialize' && !this.recently(this.noRegionSeenAt)) return { signal: INITIALIZE_32602_SIGNAL };
    return null;
  }

  /** A tool result: the proxy reports a failed AWS call as `isError: true` with the reason in its text. */
  classifyResult(result: unknown): ExpirySignal | null {
    if (!isErrorResult(result)) return null;
    return expirySignalInText(result.content.map((block) => (typeof block?.text === 'string' ? block.text : '')).join('\n'));
  }

  private recently(at: number): boolean {
    return this.now() - at <= this.windowMs;
  }
}

function isErrorResult(result: unknown): result is { isError: true; content: Array<{ text?: unknown }> } {
  if (result === null || typeof result !== 'object') return false;
  const { isError, content } = result as { isError?: unknown; content?: unknown };
  return isError === true && Array.isArray(content);
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
