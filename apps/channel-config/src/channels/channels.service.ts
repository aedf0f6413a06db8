import { randomUUID } from 'node:crypto';
import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { DataSource, type EntityManager } from 'typeorm';
import { buildHeaders, TOPICS } from '@app/contracts';
import {
  MetricsRegistry,
  OutboxRelay,
  SECRET_VAULT,
  SecretVault,
  writeToOutbox,
} from '@app/platform';
import {
  CHANNEL_CONFIG_SETTINGS,
  type ChannelConfigSettings,
} from '../config/channel-config.settings';
import {
  CHANNEL_SECRETS,
  CREDENTIAL_PROBLEMS,
  credentialIssues,
  type CredentialIssue,
} from './channel-credentials';
import { routingKeyHint, toResponse, toSnapshot } from './channel.mapper';
import type { ChannelResponseDto } from './dto/channel-response.dto';
import type { CreateChannelDto } from './dto/create-channel.dto';
import type { UpdateChannelDto } from './dto/update-channel.dto';
import { ChannelEntity } from './entities/channel.entity';

/**
 * Channel use cases. Every change and the snapshot announcing it commit in one transaction
 * (the outbox), so the channel topic never misses or reorders a change, even with Kafka down.
 */
@Injectable()
export class ChannelsService {
  private readonly changes: Counter;

  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
    @Inject(SECRET_VAULT) private readonly vault: SecretVault,
    @Inject(CHANNEL_CONFIG_SETTINGS) private readonly settings: ChannelConfigSettings,
    metrics: MetricsRegistry,
  ) {
    this.changes = new Counter({
      name: 'channel_changes_total',
      help: 'Channel changes committed, by action',
      labelNames: ['action'],
      registers: [metrics],
    });
    const unusable: Gauge = new Gauge({
      name: 'channel_credentials_unusable',
      help: 'Channels whose stored secret cannot be opened with CREDENTIAL_KEYS (nothing is sent for them), by secret and problem',
      labelNames: ['secret', 'problem'],
      registers: [metrics],
      collect: async () => {
        try {
          const counts = await this.countCredentialIssues();
          for (const secret of CHANNEL_SECRETS) {
            for (const problem of CREDENTIAL_PROBLEMS) {
              unusable.set({ secret, problem }, counts.get(`${secret}/${problem}`) ?? 0);
            }
          }
        } catch {
          // Readiness reports the database; keep the last values.
        }
      },
    });
  }

  respond(channel: ChannelEntity): ChannelResponseDto {
    return toResponse(
      channel,
      this.settings.publicWebhookBaseUrl,
      (s) => this.vault.isSealed(s),
      this.credentialIssues(channel),
    );
  }

  /** The channel's stored secrets that cannot be opened (typed reasons only, never the values). */
  credentialIssues(channel: ChannelEntity): CredentialIssue[] {
    return credentialIssues(channel, this.vault);
  }

  async list(workspaceId: string): Promise<ChannelEntity[]> {
    return this.dataSource
      .getRepository(ChannelEntity)
      .find({ where: { workspaceId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** A channel of this workspace; another workspace's channel is "not found" as well. */
  async get(workspaceId: string, id: string, manager?: EntityManager): Promise<ChannelEntity> {
    const repository = (manager ?? this.dataSource.manager).getRepository(ChannelEntity);
    const channel = await repository.findOne({
      where: { id, workspaceId },
      lock: manager ? { mode: 'pessimistic_write' } : undefined,
    });
    if (!channel) throw new NotFoundException(`channel ${id} not found`);
    return channel;
  }

  async create(workspaceId: string, dto: CreateChannelDto): Promise<ChannelEntity> {
    const now = new Date();
    const channel = Object.assign(new ChannelEntity(), {
      id: randomUUID(),
      workspaceId,
      name: dto.name,
      routingKey: this.vault.protect(dto.routingKey, workspaceId),
      routingKeyHint: routingKeyHint(dto.routingKey),
      region: dto.region ?? 'us',
      mode: dto.mode ?? 'incidents',
      severityFloor: dto.severityFloor ?? 'high',
      quietHours: dto.quietHours ? { ...dto.quietHours } : null,
      hourlyCap: dto.hourlyCap ?? null,
      twoWaySync: dto.twoWaySync ?? false,
      signingSecret: null,
      webhookVerifiedAt: null,
      version: 1,
      createdAt: now,
      updatedAt: now,
    });
    await this.dataSource.transaction(async (manager) => {
      await manager.getRepository(ChannelEntity).insert(channel);
      await this.announce(manager, channel);
    });
    this.committed('create');
    return channel;
  }

  async update(workspaceId: string, id: string, dto: UpdateChannelDto): Promise<ChannelEntity> {
    return this.change(workspaceId, id, 'update', (channel) => {
      if (dto.name !== undefined) channel.name = dto.name;
      if (dto.routingKey !== undefined) {
        channel.routingKey = this.vault.protect(dto.routingKey, workspaceId);
        channel.routingKeyHint = routingKeyHint(dto.routingKey);
      }
      if (dto.region !== undefined) channel.region = dto.region;
      if (dto.mode !== undefined) channel.mode = dto.mode;
      if (dto.severityFloor !== undefined) channel.severityFloor = dto.severityFloor;
      if (dto.quietHours !== undefined)
        channel.quietHours = dto.quietHours ? { ...dto.quietHours } : null;
      if (dto.hourlyCap !== undefined) channel.hourlyCap = dto.hourlyCap;
      if (dto.twoWaySync !== undefined) channel.twoWaySync = dto.twoWaySync;
    });
  }

  async setSigningSecret(workspaceId: string, id: string, secret: string): Promise<void> {
    await this.change(workspaceId, id, 'signing-secret', (channel) => {
      if (!channel.twoWaySync) {
        throw new ConflictException(
          'two-way sync is off for this channel; turn it on (twoWaySync: true) before saving a signing secret',
        );
      }
      channel.signingSecret = this.vault.protect(secret, workspaceId);
      // A new secret has not been proven by a ping yet.
      channel.webhookVerifiedAt = null;
    });
  }

  /** Records PagerDuty's verified ping (reported by inbound-webhook over Kafka). */
  async markWebhookVerified(workspaceId: string, id: string, at: Date): Promise<boolean> {
    try {
      await this.change(workspaceId, id, 'webhook-verified', (channel) => {
        if (channel.webhookVerifiedAt && channel.webhookVerifiedAt >= at) return false;
        channel.webhookVerifiedAt = at;
      });
      return true;
    } catch (error) {
      if (error instanceof NotFoundException) return false;
      throw error;
    }
  }

  async remove(workspaceId: string, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const channel = await this.get(workspaceId, id, manager);
      await manager.getRepository(ChannelEntity).delete({ id: channel.id });
      await writeToOutbox(manager, [
        {
          topic: TOPICS.channels,
          key: channel.id,
          value: null,
          headers: buildHeaders({ origin: 'axiorank', channelId: channel.id }),
        },
      ]);
    });
    this.committed('delete');
  }

  /** Re-seals one channel's secrets under the current primary key; false when nothing changed. */
  async reseal(id: string): Promise<boolean> {
    let changed = false;
    await this.dataSource.transaction(async (manager) => {
      const channel = await manager
        .getRepository(ChannelEntity)
        .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!channel) return;
      const resealed = (stored: string) =>
        this.vault.protect(this.vault.reveal(stored, channel.workspaceId), channel.workspaceId);
      if (this.vault.needsReseal(channel.routingKey)) {
        channel.routingKey = resealed(channel.routingKey);
        changed = true;
      }
      if (channel.signingSecret !== null && this.vault.needsReseal(channel.signingSecret)) {
        channel.signingSecret = resealed(channel.signingSecret);
        changed = true;
      }
      if (!changed) return;
      channel.version += 1;
      channel.updatedAt = new Date();
      await manager.getRepository(ChannelEntity).save(channel);
      await this.announce(manager, channel);
    });
    if (changed) this.committed('reseal');
    return changed;
  }

  /** Applies `mutate` under a row lock; a mutation returning false leaves the channel as it was. */
  private async change(
    workspaceId: string,
    id: string,
    action: string,
    mutate: (channel: ChannelEntity) => void | false,
  ): Promise<ChannelEntity> {
    let changed = true;
    const channel = await this.dataSource.transaction(async (manager) => {
      const current = await this.get(workspaceId, id, manager);
      if (mutate(current) === false) {
        changed = false;
        return current;
      }
      current.version += 1;
      current.updatedAt = new Date();
      await manager.getRepository(ChannelEntity).save(current);
      await this.announce(manager, current);
      return current;
    });
    if (changed) this.committed(action);
    return channel;
  }

  /** Unusable secrets over every channel, keyed `secret/problem`; read on each /metrics scrape. */
  private async countCredentialIssues(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    const PAGE = 1000;
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const page = await this.dataSource
        .getRepository(ChannelEntity)
        .createQueryBuilder('c')
        .select(['c.id', 'c.workspaceId', 'c.routingKey', 'c.signingSecret'])
        .where('c.id > :after', { after })
        .orderBy('c.id', 'ASC')
        .limit(PAGE)
        .getMany();
      for (const channel of page) {
        for (const { secret, problem } of this.credentialIssues(channel)) {
          const key = `${secret}/${problem}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
      }
      if (page.length < PAGE) return counts;
      after = page[page.length - 1].id;
    }
  }

  private async announce(manager: EntityManager, channel: ChannelEntity): Promise<void> {
    await writeToOutbox(manager, [
      {
        topic: TOPICS.channels,
        key: channel.id,
        value: JSON.stringify(toSnapshot(channel)),
        headers: buildHeaders({ origin: 'axiorank', channelId: channel.id }),
      },
    ]);
  }

  private committed(action: string): void {
    this.changes.inc({ action });
    this.relay.nudge();
  }
}
