import type { SharedSession } from './session-state.js';

interface UriSubscription {
  readonly sessions: Set<SharedSession>;
  /** Sessions whose subscribe waits for the child's answer. */
  readonly joining: Set<SharedSession>;
  /** Settles when the child answered the subscribe (rejects with its error). */
  readonly confirmed: Promise<void>;
}

export interface SubscriptionChild {
  subscribe(uri: string): Promise<void>;
  /** Best effort: the child may be gone, and nobody waits for the answer. */
  unsubscribe(uri: string): void;
}

/**
 * resources/subscribe across sessions on one child: the child is subscribed once per uri, on
 * the first subscriber, and unsubscribed on the last; notifications/resources/updated reach
 * only the sessions subscribed to that uri.
 */
export class ResourceSubscriptions {
  private readonly byUri = new Map<string, UriSubscription>();

  constructor(private readonly child: SubscriptionChild) {}

  /** Resolves once the session is subscribed; rejects with the child's error. */
  async subscribe(session: SharedSession, uri: string): Promise<void> {
    const subscription = this.byUri.get(uri) ?? this.create(uri);
    if (subscription.sessions.has(session)) return;
    subscription.joining.add(session);
    try {
      await subscription.confirmed;
    } finally {
      subscription.joining.delete(session);
    }
    if (session.closed || this.byUri.get(uri) !== subscription) {
      this.releaseIfUnused(uri, subscription);
      return;
    }
    subscription.sessions.add(session);
  }

  unsubscribe(session: SharedSession, uri: string): void {
    const subscription = this.byUri.get(uri);
    if (!subscription) return;
    subscription.sessions.delete(session);
    this.releaseIfUnused(uri, subscription);
  }

  sessionClosed(session: SharedSession): void {
    for (const [uri, subscription] of [...this.byUri]) {
      subscription.sessions.delete(session);
      this.releaseIfUnused(uri, subscription);
    }
  }

  subscribersOf(uri: unknown): SharedSession[] {
    return typeof uri === 'string' ? [...(this.byUri.get(uri)?.sessions ?? [])] : [];
  }

  /** Uris a new child must be subscribed to again after a restart. */
  activeUris(): string[] {
    return [...this.byUri].filter(([, subscription]) => subscription.sessions.size > 0).map(([uri]) => uri);
  }

  get size(): number {
    return this.byUri.size;
  }

  private create(uri: string): UriSubscription {
    const subscription: UriSubscription = {
      sessions: new Set(),
      joining: new Set(),
      confirmed: this.child.subscribe(uri).catch((error: unknown) => {
        if (this.byUri.get(uri) === subscription) this.byUri.delete(uri);
        throw error;
      }),
    };
    this.byUri.set(uri, subscription);
    return subscription;
  }

  private releaseIfUnused(uri: string, subscription: UriSubscription): void {
    if (subscription.sessions.size > 0 || subscription.joining.size > 0) return;
    if (this.byUri.get(uri) !== subscription) return;
    this.byUri.delete(uri);
    subscription.confirmed.then(
      () => this.child.unsubscribe(uri),
      () => undefined,
    );
  }
}
