import type { MessageChannel } from '@mcp-workstation/supervisor';

/**
 * Every supervised child the daemon created, so shutdown can make sure none is left: a
 * graceful stop of each (the bridge normally did that already; stop is idempotent) and, on
 * a forced exit, SIGKILL to each child's process group, which takes uvx's grandchildren too.
 */
export class ChildRegistry {
  private readonly channels = new Set<MessageChannel>();

  add<C extends MessageChannel>(channel: C): C {
    this.channels.add(channel);
    // Per-session children come and go: forget one once it is stopped for good.
    channel.on('state', (status) => {
      if (status.state === 'stopped') this.channels.delete(channel);
    });
    return channel;
  }

  async stopAll(): Promise<void> {
    await Promise.allSettled([...this.channels].map((channel) => channel.stop()));
  }

  /** Synchronous on purpose: it runs on the way out of a forced exit. */
  killAll(): void {
    for (const channel of this.channels) {
      const pid = pidOf(channel);
      if (pid === null) continue;
      killQuietly(-pid);
      killQuietly(pid);
    }
  }
}

function pidOf(channel: MessageChannel): number | null {
  try {
    return channel.status().pid;
  } catch {
    return null;
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // ESRCH: already gone. Nothing else can be done on the way out.
  }
}
