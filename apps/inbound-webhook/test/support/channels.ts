import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { KeyRing, sealSecret } from '@app/crypto';
import { type ChannelSnapshotV1, makeChannelSnapshot, TOPICS } from '@app/contracts';

export interface TestChannel {
  id: string;
  workspaceId: string;
  version: number;
  snapshot: ChannelSnapshotV1;
}

export interface ChannelOptions {
  twoWaySync?: boolean;
  /** Stored as given (sealed or plaintext) or null. */
  storedSecret?: string | null;
}

/** Publishes channel snapshots to `axiorank.channels.v1`, as channel-config would. */
export class ChannelPublisher {
  private constructor(private readonly producer: Producer) {}

  static async connect(brokers: string): Promise<ChannelPublisher> {
    const kafka = new Kafka({
      clientId: 'inbound-webhook-test',
      brokers: [brokers],
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    return new ChannelPublisher(producer);
  }

  async create(options: ChannelOptions = {}): Promise<TestChannel> {
    const snapshot = makeChannelSnapshot({
      channel: {
        twoWaySync: {
          enabled: options.twoWaySync ?? true,
          signingSecret: options.storedSecret ?? null,
          verifiedAt: null,
        },
      },
    });
    const channel = {
      id: snapshot.channel.id,
      workspaceId: snapshot.channel.workspaceId,
      version: snapshot.version,
      snapshot,
    };
    await this.publish(snapshot);
    return channel;
  }

  /** A new version of the channel with another two-way sync setting. */
  async update(channel: TestChannel, options: ChannelOptions): Promise<TestChannel> {
    const snapshot: ChannelSnapshotV1 = {
      ...channel.snapshot,
      version: channel.version + 1,
      occurredAt: new Date().toISOString(),
      channel: {
        ...channel.snapshot.channel,
        twoWaySync: {
          enabled: options.twoWaySync ?? channel.snapshot.channel.twoWaySync.enabled,
          signingSecret:
            options.storedSecret === undefined
              ? channel.snapshot.channel.twoWaySync.signingSecret
              : options.storedSecret,
          verifiedAt: null,
        },
      },
    };
    await this.publish(snapshot);
    return { ...channel, version: snapshot.version, snapshot };
  }

  private async publish(snapshot: ChannelSnapshotV1): Promise<void> {
    await this.producer.send({
      topic: TOPICS.channels,
      acks: -1,
      messages: [{ key: snapshot.channel.id, value: JSON.stringify(snapshot) }],
    });
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }
}

/** A `CREDENTIAL_KEYS` value with one fresh key, and a sealer for it. */
export function testKeyRing(kid = 'test'): {
  spec: string;
  seal: (secret: string, workspaceId: string) => string;
} {
  const key = randomBytes(32).toString('base64');
  const spec = `${kid}:${key}`;
  const ring = KeyRing.parse(spec);
  return { spec, seal: (secret, workspaceId) => sealSecret(secret, workspaceId, ring) };
}
