import { hostname } from 'node:os';
import type { ChildError, ChildErrorContext, ChildResponse, ChildResponseContext } from '@mcp-workstation/bridge';
import type { Result } from '@modelcontextprotocol/sdk/types.js';
import type { Logger, MessageChannel } from '@mcp-workstation/supervisor';
import { awsPaths, type AwsPaths } from './aws-paths.js';
import { DEFAULT_PROFILE, readProfile, refreshCommand } from './aws-profiles.js';
import { ExpiryDetector } from './credential-signals.js';
import { CredentialWatch, type CredentialChange } from './credential-watch.js';
import { CredentialsState, type CredentialsSnapshot, type CredentialsStateName } from './credentials-state.js';
import { createAwsErrorRewrite, createAwsResultRewrite } from './error-rewrite.js';
import { awsServerFacts, type AwsServerFacts, type ServerEntryLike } from './server-facts.js';

/**
 * Everything the daemon does for one server that runs the AWS proxy, behind the hooks the
 * supervisor and the bridge offer: it reads the child's stderr and answers for expiry
 * signals, keeps the credentials state, rewrites misleading errors into "run `aws login` on
 * <host>", and restarts the child when the credential files change.
 */

export interface AwsMonitorOptions {
  /** The server's name in the config. */
  server: string;
  facts: AwsServerFacts;
  /** The child's environment (the daemon's, with the server's env over it): HOME and AWS_* say where credentials live. */
  env?: NodeJS.ProcessEnv;
  /** The machine to run the refresh on, as clients are told. Default os.hostname(). */
  host?: string;
  /** Credential-file changes are gathered this long before a restart. Default 2 s. */
  debounceMs?: number;
  /** Watch the credential files. Default true. */
  watch?: boolean;
  logger?: Logger;
  now?: () => Date;
}

/** For /status, the control channel's status and the log. */
export interface AwsCredentialsStatus {
  state: CredentialsStateName;
  /** ISO 8601: when this state began (for expired: when it was first seen). */
  since: string;
  signal?: string;
  profile: string;
  /** The command that renews them, e.g. "aws login". */
  refreshCommand: string;
  host: string;
}

/** Calls whose success proves nothing about the credentials: the proxy answers them without signing anything. */
const UNSIGNED_METHODS = new Set(['ping', 'logging/setLevel']);

export class AwsCredentialsMonitor {
  readonly state: CredentialsState;
  readonly detector = new ExpiryDetector();
  /** UpstreamOptions.rewriteError */
  readonly rewriteError: (error: ChildError, context: ChildErrorContext) => ChildError | undefined;
  /** UpstreamOptions.rewriteResult */
  readonly rewriteResult: (result: Result, context: ChildErrorContext) => ChildError | undefined;
  /** UpstreamOptions.onChildResponse */
  readonly onChildResponse = (response: ChildResponse, context: ChildResponseContext): void => this.observe(response, context.method);

  private readonly paths: AwsPaths;
  private readonly host: string;
  private readonly restartable = new Set<MessageChannel>();
  /** How to stop following each attached channel; a per-session channel leaves when its child exits. */
  private readonly detachers = new Map<MessageChannel, () => void>();
  private watch: CredentialWatch | null = null;

  constructor(private readonly options: AwsMonitorOptions) {
    this.state = new CredentialsState(options.now);
    this.paths = awsPaths(options.env ?? process.env);
    this.host = options.host ?? hostname();
    const rewriteParts = { detector: this.detector, state: this.state, describe: () => this.describe() };
    this.rewriteError = createAwsErrorRewrite(rewriteParts);
    this.rewriteResult = createAwsResultRewrite(rewriteParts);
    this.state.on('change', (snapshot) => this.logChange(snapshot));
  }

  /**
   * Follows a channel the upstream created: its stderr is read for signals; a shared child
   * (not a per-session one, whose session simply ends) is restarted on credential changes.
   */
  attach(channel: MessageChannel, purpose: 'shared' | 'session'): void {
    const onStderr = (line: string): void => {
      const found = this.detector.noteStderr(line);
      if (found) this.state.markExpired(found.signal);
    };
    channel.on('stderr', onStderr);
    if (purpose === 'shared') this.restartable.add(channel);
    const detach = (): void => {
      channel.off('stderr', onStderr);
      this.restartable.delete(channel);
      this.detachers.delete(channel);
    };
    this.detachers.set(channel, detach);
    // A per-session child is never restarted: once it exited, its session is over, and the
    // monitor (which lives as long as the server) must not keep one entry per past session.
    if (purpose === 'session') channel.once('exit', detach);
  }

  /** Channels followed now (a shared child, the per-session children alive). */
  get attachedChannels(): number {
    return this.detachers.size;
  }

  /** Starts watching the credential files (idempotent). */
  start(): void {
    if (this.watch || this.options.watch === false) return;
    this.watch = new CredentialWatch({ paths: this.paths, debounceMs: this.options.debounceMs, logger: this.options.logger, onChange: (change) => this.credentialsChanged(change) });
    this.watch.start();
  }

  close(): void {
    this.watch?.close();
    this.watch = null;
    for (const detach of [...this.detachers.values()]) detach();
  }

  status(): AwsCredentialsStatus {
    const snapshot = this.state.snapshot();
    const described = this.describe();
    return {
      state: snapshot.state,
      since: snapshot.since.toISOString(),
      ...(snapshot.signal === undefined ? {} : { signal: snapshot.signal }),
      profile: described.profile,
      refreshCommand: described.refreshCommand.join(' '),
      host: described.host,
    };
  }

  /** What `login aws` needs to renew this server's credentials: its profile, and the environment its child runs in. */
  loginTarget(): { profile: string; env: NodeJS.ProcessEnv } {
    return { profile: this.describe().profile, env: this.options.env ?? process.env };
  }

  /** The profile, its refresh command (read from ~/.aws/config now: it can change) and this host. */
  describe(): { profile: string; refreshCommand: string[]; host: string } {
    const profile = this.options.facts.profile ?? this.options.env?.AWS_PROFILE ?? DEFAULT_PROFILE;
    return { profile, refreshCommand: refreshCommand(profile, readProfile(this.paths, profile)), host: this.host };
  }

  private observe(response: ChildResponse, method: string): void {
    if (response.kind === 'error') {
      const found = this.detector.classifyError(response.error, method);
      if (found) this.state.markExpired(found.signal);
      return;
    }
    const found = method === 'tools/call' ? this.detector.classifyResult(response.result) : null;
    if (found) this.state.markExpired(found.signal);
    // A tool that failed (isError) proves nothing: the proxy reports expired credentials that
    // way too, with the cause only on stderr, which may be read before or after this answer.
    else if (!UNSIGNED_METHODS.has(method) && !isErrorResult(response.result)) this.state.markOk();
  }

  private credentialsChanged(change: CredentialChange): void {
    if (!shouldRestart(change, this.state.state)) {
      this.options.logger?.debug(`AWS credential cache changed (${change.kinds.join(', ')}) while the credentials work: not restarting ${this.options.server}`);
      return;
    }
    const reason = `AWS credentials changed (${change.kinds.join(', ')})`;
    this.options.logger?.info(`${reason}: restarting ${this.options.server} so it reads them`, { server: this.options.server, paths: change.paths });
    for (const channel of this.restartable) {
      channel.restart?.(reason).catch((error: unknown) => {
        this.options.logger?.warn(`restarting ${this.options.server} failed: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
  }

  private logChange(snapshot: CredentialsSnapshot): void {
    const { logger, server } = this.options;
    if (snapshot.state === 'expired') {
      const { profile, refreshCommand: command, host } = this.describe();
      logger?.warn(
        `credentials: expired (seen ${snapshot.since.toISOString()}: ${snapshot.signal}). AWS credentials for profile ${profile} have expired: run \`${command.join(' ')}\` on ${host}`,
        { server, credentials: 'expired', since: snapshot.since.toISOString() },
      );
    } else if (snapshot.state === 'ok') {
      logger?.info('credentials: ok', { server, credentials: 'ok', since: snapshot.since.toISOString() });
    }
  }
}

/**
 * Which changes restart the child. The config and credentials files change when a person
 * edits them or logs in: always. The login and SSO caches are also rewritten by every
 * automatic token refresh (aws login renews every 15 minutes, the proxy included): only
 * while the credentials are known to be expired, or a healthy child would be restarted for
 * nothing, failing its calls in flight.
 */
export function shouldRestart(change: CredentialChange, state: CredentialsStateName): boolean {
  if (change.kinds.includes('config') || change.kinds.includes('credentials')) return true;
  return state === 'expired';
}

function isErrorResult(result: unknown): boolean {
  return result !== null && typeof result === 'object' && (result as { isError?: unknown }).isError === true;
}

/** The monitor for a server entry that runs the AWS proxy; null for any other server. */
export function awsMonitorFor(server: { name: string; command: ServerEntryLike }, options: Omit<AwsMonitorOptions, 'server' | 'facts' | 'env'> & { env?: NodeJS.ProcessEnv } = {}): AwsCredentialsMonitor | null {
  const facts = awsServerFacts(server.command);
  if (!facts) return null;
  return new AwsCredentialsMonitor({ ...options, server: server.name, facts, env: childEnvironment(options.env ?? process.env, server.command.env) });
}

/** The daemon's environment with the server's env applied (null/undefined removes a variable). */
export function childEnvironment(base: NodeJS.ProcessEnv, overrides: ServerEntryLike['env']): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const [name, value] of Object.entries(overrides ?? {})) {
    if (value === null || value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}
