import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ChannelV1 } from '@app/contracts';
import { PagerDutyIncidentEntity } from '../deliveries/entities/pagerduty-incident.entity';
import { Not } from 'typeorm';
import { derivedEventId, DeliveryRecorder } from './delivery-recorder.service';

/**
 * A deleted channel must not leave PagerDuty incidents open behind it: its tombstone records a
 * resolve for each, sent with the routing key that opened it. The event ids are derived from
 * the channel and dedup key, so reading the tombstone again records nothing new.
 */
@Injectable()
export class ChannelDeletionListener {
  private readonly logger = new Logger(ChannelDeletionListener.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly recorder: DeliveryRecorder,
  ) {}

  async onDeleted(channel: ChannelV1): Promise<void> {
    const open = await this.dataSource
      .getRepository(PagerDutyIncidentEntity)
      .findBy({ channelId: channel.id, status: Not('resolved') });
    if (open.length === 0) return;
    await this.recorder.record(
      open.map((incident) => ({
        eventId: derivedEventId('channel-deleted', channel.id, incident.dedupKey),
        channelId: channel.id,
        workspaceId: channel.workspaceId,
        sourceType: 'channel.deleted',
        dedupKey: incident.dedupKey,
        action: 'resolve',
        onlyIfOpen: false,
        status: 'pending',
        reason: null,
        routingKey: incident.routingKey,
        region: incident.region,
        payload: incident.payload,
        occurredAt: new Date(),
        hourlyCap: null,
      })),
    );
    this.logger.log(
      { channelId: channel.id, open: open.length },
      'channel deleted: resolving its open PagerDuty incidents',
    );
  }
}
