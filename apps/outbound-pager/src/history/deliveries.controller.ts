import {
  Controller,
  DefaultValuePipe,
  Get,
  NotFoundException,
  Param,
  ParseIntPipe,
  ParseUUIDPipe,
  Query,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { ChannelReplicaService } from '@app/channel-replica';
import { WorkspaceAuthGuard } from '@app/platform';
import { DeliveryEntity } from '../deliveries/entities/delivery.entity';
import { DeliveryResponseDto } from './dto/delivery-response.dto';

@ApiTags('deliveries')
@ApiBearerAuth()
@UseGuards(WorkspaceAuthGuard)
@Controller('v1/workspaces/:workspaceId/channels/:id/deliveries')
export class DeliveriesController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly channels: ChannelReplicaService,
  ) {}

  @Get()
  @ApiOperation({
    summary: "A channel's recent deliveries, newest first, with PagerDuty's answers",
  })
  @ApiQuery({ name: 'limit', required: false, description: '1–500, default 50' })
  @ApiOkResponse({ type: [DeliveryResponseDto] })
  async list(
    @Param('workspaceId') workspaceId: string,
    @Param('id', new ParseUUIDPipe({ errorHttpStatusCode: 404 })) channelId: string,
    @Query('limit', new DefaultValuePipe(50), ParseIntPipe) limit: number,
  ): Promise<DeliveryResponseDto[]> {
    const repository = this.dataSource.getRepository(DeliveryEntity);
    const known = this.channels.get(channelId)?.workspaceId === workspaceId;
    const rows = await repository.find({
      where: { workspaceId, channelId },
      order: { id: 'DESC' },
      take: Math.min(Math.max(limit, 1), 500),
    });
    // A deleted channel keeps its history; a channel of another workspace is simply not found.
    if (!known && rows.length === 0) throw new NotFoundException(`channel ${channelId} not found`);
    return rows.map((d) => ({
      id: d.id,
      eventId: d.eventId,
      sourceType: d.sourceType,
      action: d.action,
      dedupKey: d.dedupKey,
      outcome: d.status,
      reason: d.reason,
      attempts: d.attempts,
      pagerduty: d.lastResponse ? { status: d.lastStatus, ...d.lastResponse } : null,
      nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
      occurredAt: d.occurredAt.toISOString(),
      createdAt: d.createdAt.toISOString(),
      deliveredAt: d.deliveredAt?.toISOString() ?? null,
    }));
  }
}
