import type { ChildError, ChildErrorContext } from '@mcp-workstation/bridge';
import type { Result } from '@modelcontextprotocol/sdk/types.js';
import type { ExpiryDetector } from './credential-signals.js';
import type { CredentialsState } from './credentials-state.js';

/**
 * The error a client gets when the proxy's real problem is expired credentials: a plain
 * sentence with the command that fixes it and the machine to run it on (the client is often
 * on the far side of a gateway), a stable code, and machine-readable data.
 */

/**
 * JSON-RPC error code of "AWS credentials expired". In the implementation-defined server
 * error range (-32000 to -32099), clear of the codes the SDK (-32000, -32001, -32042) and the
 * 2026-07-28 era (-32020 to -32022) use. Documented in docs/aws.md; never change it.
 */
export const AWS_CREDENTIALS_EXPIRED_CODE = -32010;

export const AWS_CREDENTIALS_EXPIRED_REASON = 'aws_credentials_expired';

export interface ExpiredCredentialsFacts {
  profile: string;
  /** The refresh command as argv, e.g. ['aws', 'login'] or ['aws', 'sso', 'login', '--profile', 'dev']. */
  refreshCommand: string[];
  host: string;
  since: Date;
  signal: string;
}

export interface AwsCredentialsExpiredData {
  reason: typeof AWS_CREDENTIALS_EXPIRED_REASON;
  profile: string;
  host: string;
  /** ISO 8601: when the expiry was first seen. */
  since: string;
  command: string;
  signal: string;
}

export function expiredCredentialsError(facts: ExpiredCredentialsFacts): ChildError & { data: AwsCredentialsExpiredData } {
  const command = facts.refreshCommand.join(' ');
  return {
    code: AWS_CREDENTIALS_EXPIRED_CODE,
    message: `AWS credentials for profile ${facts.profile} have expired: run \`${command}\` on ${facts.host}`,
    data: {
      reason: AWS_CREDENTIALS_EXPIRED_REASON,
      profile: facts.profile,
      host: facts.host,
      since: facts.since.toISOString(),
      command,
      signal: facts.signal,
    },
  };
}

export interface AwsErrorRewriteParts {
  detector: ExpiryDetector;
  state: CredentialsState;
  /** Read at each rewrite: the profile and its refresh command can change on disk. */
  describe(): { profile: string; refreshCommand: string[]; host: string };
}

/**
 * UpstreamOptions.rewriteError for an AWS proxy server. It only reads: the monitor's
 * onChildResponse, which sees the same error first, is what marks the state expired.
 */
export function createAwsErrorRewrite(parts: AwsErrorRewriteParts): (error: ChildError, context: ChildErrorContext) => ChildError | undefined {
  return (error, context) => {
    const found = parts.detector.classifyError(error, context.method);
    if (!found) return undefined;
    const snapshot = parts.state.snapshot();
    const since = snapshot.state === 'expired' ? snapshot.since : new Date();
    return expiredCredentialsError({ ...parts.describe(), since, signal: found.signal });
  };
}

/**
 * UpstreamOptions.rewriteResult for an AWS proxy server. The proxy turns every failed tool
 * call into an `isError` result ("Tool call 'x' failed: <exception>. Please retry."); when
 * the exception names an expiry signal, the client gets the same -32010 error as from any
 * other path: the model cannot renew credentials, the person can, and the code and
 * `data.reason` let a client tell them so. A failure that names no signal (a 403 that "may
 * be caused by expired or invalid AWS credentials", or a permissions error) goes on as the
 * proxy wrote it.
 */
export function createAwsResultRewrite(parts: AwsErrorRewriteParts): (result: Result, context: ChildErrorContext) => ChildError | undefined {
  return (result, context) => {
    if (context.method !== 'tools/call') return undefined;
    const found = parts.detector.classifyResult(result);
    if (!found) return undefined;
    const snapshot = parts.state.snapshot();
    const since = snapshot.state === 'expired' ? snapshot.since : new Date();
    return expiredCredentialsError({ ...parts.describe(), since, signal: found.signal });
  };
}
