import { createInterface } from 'node:readline';
import { runLogin, type AwsCredentialsMonitor, type LoginOutcome } from '../aws/index.js';
import type { DaemonLogger } from '../logging/logger.js';

/**
 * `up --interactive`: when a server's AWS credentials are seen expired, the daemon in the
 * foreground asks on its terminal whether to run the refresh (`aws login`, `aws sso login
 * --profile P`) right there, instead of leaving the person to read the log and open a second
 * terminal. The login runs in a real terminal (node-pty) through `login aws`'s own code; the
 * credential watch then restarts the child, as it would after a login anywhere else.
 *
 * One question at a time: an expiry seen while a question is open or a login runs is the
 * same event. A "no" is kept until the credentials work again and expire anew.
 */

export interface LoginOfferTerminal {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
}

export interface LoginOfferOptions {
  terminal: LoginOfferTerminal;
  logger: DaemonLogger;
  /** Runs the refresh for a profile in the child's environment. Default `login aws`'s runLogin on this terminal. */
  login?: (target: { profile: string; env: NodeJS.ProcessEnv }) => Promise<LoginOutcome>;
}

export class LoginOffer {
  private busy = false;
  private closed = false;

  constructor(private readonly options: LoginOfferOptions) {}

  /** Offers the login each time this server's credentials go from not expired to expired. */
  watch(server: string, monitor: AwsCredentialsMonitor): void {
    monitor.state.on('change', (snapshot) => {
      if (snapshot.state === 'expired') void this.offer(server, monitor);
    });
  }

  close(): void {
    this.closed = true;
  }

  private async offer(server: string, monitor: AwsCredentialsMonitor): Promise<void> {
    if (this.busy || this.closed) return;
    this.busy = true;
    const { logger } = this.options;
    const { profile, refreshCommand } = monitor.describe();
    const command = refreshCommand.join(' ');
    try {
      const yes = await this.ask(`\nAWS credentials for profile ${profile} (server ${server}) have expired. Run \`${command}\` here now? [Y/n] `);
      if (!yes) {
        logger.info(`not running \`${command}\`: run \`mcp-workstation login aws\` (or \`${command}\`) in another terminal when you are ready; ${server} restarts once the credentials change`);
        return;
      }
      const outcome = await (this.options.login ?? defaultLogin)(monitor.loginTarget());
      if (outcome.note) logger.info(outcome.note);
      if (outcome.exitCode === 0) logger.info(`\`${command}\` finished: ${server} restarts as soon as it sees the new credentials`);
      else logger.warn(`\`${command}\` exited with code ${outcome.exitCode}: the credentials are still expired. Run \`mcp-workstation login aws\` to try again`);
    } catch (error) {
      logger.warn(`could not run \`${command}\`: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.busy = false;
    }
  }

  /** One yes/no question on the terminal; Enter alone is yes, end of input is no. */
  private ask(question: string): Promise<boolean> {
    const { input, output } = this.options.terminal;
    const prompt = createInterface({ input, output });
    return new Promise((resolve) => {
      let answered = false;
      prompt.once('close', () => {
        if (!answered) resolve(false);
      });
      prompt.question(question, (answer) => {
        answered = true;
        prompt.close();
        resolve(/^\s*(y|yes)?\s*$/i.test(answer));
      });
    });
  }
}

function defaultLogin(target: { profile: string; env: NodeJS.ProcessEnv }): Promise<LoginOutcome> {
  return runLogin({ profile: target.profile, env: target.env });
}
