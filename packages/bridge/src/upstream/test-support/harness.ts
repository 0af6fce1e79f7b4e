import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestRecord, UpstreamOptions } from '../types.js';
import { PerSessionUpstream } from '../per-session-upstream.js';
import { SharedUpstream, type SharedUpstreamTuning } from '../shared-upstream.js';
import { createFixtureServer, FixtureObserver } from './fixture-server.js';
import { InProcessChannel, type InProcessChannelOptions } from './in-process-channel.js';

type ChannelOverrides = Partial<Omit<InProcessChannelOptions, 'makeServer'>>;

export interface SharedHarness {
  upstream: SharedUpstream;
  channel: InProcessChannel;
  observer: FixtureObserver;
  records: RequestRecord[];
}

/** Builds the child of each generation; default the fixture server. */
export type ServerFactory = (observer: FixtureObserver, generation: number) => Server;

/** A SharedUpstream over one in-process fixture child. */
export function sharedHarness(
  options: Partial<UpstreamOptions> = {},
  channelOptions: ChannelOverrides = {},
  tuning: SharedUpstreamTuning = {},
  makeServer: ServerFactory = createFixtureServer,
): SharedHarness {
  const observer = new FixtureObserver();
  const records: RequestRecord[] = [];
  let channel: InProcessChannel | undefined;
  const upstream = new SharedUpstream(
    {
      name: 'fixture',
      mode: 'shared',
      createChannel: () => {
        channel = new InProcessChannel('fixture', { makeServer: (generation) => makeServer(observer, generation), ...channelOptions });
        return channel;
      },
      onRequest: (record) => records.push(record),
      ...options,
    },
    tuning,
  );
  if (!channel) throw new Error('the upstream did not create its channel');
  return { upstream, channel, observer, records };
}

export interface PerSessionHarness {
  upstream: PerSessionUpstream;
  /** Every channel made, in order: [probe, first spare, ...]. */
  channels: InProcessChannel[];
  observers: FixtureObserver[];
  records: RequestRecord[];
}

/** A PerSessionUpstream whose n-th child is a fixture server named "fixture-<n>". */
export function perSessionHarness(options: Partial<UpstreamOptions> = {}, channelOptions: ChannelOverrides = {}): PerSessionHarness {
  const channels: InProcessChannel[] = [];
  const observers: FixtureObserver[] = [];
  const records: RequestRecord[] = [];
  const upstream = new PerSessionUpstream({
    name: 'fixture',
    mode: 'per-session',
    createChannel: () => {
      const index = channels.length + 1;
      const observer = new FixtureObserver();
      const channel = new InProcessChannel(`fixture-${index}`, {
        makeServer: (generation) => createFixtureServer(observer, generation, `fixture-${index}`),
        ...channelOptions,
      });
      channels.push(channel);
      observers.push(observer);
      return channel;
    },
    onRequest: (record) => records.push(record),
    ...options,
  });
  return { upstream, channels, observers, records };
}
