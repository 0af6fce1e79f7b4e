/**
 * Upstream ids: every id the bridge puts on the child's stdio (rewritten client requests,
 * progress tokens, the bridge's own requests) and every id it hands a client for a
 * server->client request. One monotonic counter per upstream makes them unique across
 * sessions, generations and directions, so a number alone finds its owner.
 */
export class IdAllocator {
  private last = 0;

  next(): number {
    this.last += 1;
    return this.last;
  }
}
