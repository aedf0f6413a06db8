import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Put,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { WorkspaceAuthGuard } from '@app/platform';
import { SendTestResponseDto } from '../send-test/dto/send-test-response.dto';
import { SendTestService } from '../send-test/send-test.service';
import { ChannelsService } from './channels.service';
import { DatabaseErrorFilter } from './database-error.filter';
import { ChannelResponseDto } from './dto/channel-response.dto';
import { CreateChannelDto } from './dto/create-channel.dto';
import { SigningSecretDto } from './dto/signing-secret.dto';
import { UpdateChannelDto } from './dto/update-channel.dto';

const ChannelId = () => Param('id', new ParseUUIDPipe({ version: '4', errorHttpStatusCode: 404 }));

@ApiTags('channels')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing, malformed or invalid bearer token' })
@ApiNotFoundResponse({ description: 'No such channel in this workspace' })
@ApiServiceUnavailableResponse({
  description: 'PostgreSQL is unreachable; nothing was changed, retry after `Retry-After` seconds',
})
@UseGuards(WorkspaceAuthGuard)
@UseFilters(DatabaseErrorFilter)
@Controller('v1/workspaces/:workspaceId/channels')
export class ChannelsController {
  constructor(
    private readonly channels: ChannelsService,
    private readonly sendTest: SendTestService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Add a PagerDuty channel' })
  async create(
    @Param('workspaceId') workspaceId: string,
    @Body() dto: CreateChannelDto,
  ): Promise<ChannelResponseDto> {
    return this.channels.respond(await this.channels.create(workspaceId, dto));
  }

  @Get()
  @ApiOperation({ summary: "List the workspace's channels" })
  @ApiOkResponse({ type: [ChannelResponseDto] })
  async list(@Param('workspaceId') workspaceId: string): Promise<ChannelResponseDto[]> {
    return (await this.channels.list(workspaceId)).map((c) => this.channels.respond(c));
  }

  @Get(':id')
  @ApiOkResponse({ type: ChannelResponseDto })
  async get(
    @Param('workspaceId') workspaceId: string,
    @ChannelId() id: string,
  ): Promise<ChannelResponseDto> {
    return this.channels.respond(await this.channels.get(workspaceId, id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a channel; fields left out stay as they are' })
  @ApiOkResponse({ type: ChannelResponseDto })
  async update(
    @Param('workspaceId') workspaceId: string,
    @ChannelId() id: string,
    @Body() dto: UpdateChannelDto,
  ): Promise<ChannelResponseDto> {
    return this.channels.respond(await this.channels.update(workspaceId, id, dto));
  }

  @Put(':id')
  @ApiOperation({ summary: 'Same as PATCH, for clients that update with PUT' })
  @ApiOkResponse({ type: ChannelResponseDto })
  replace(
    @Param('workspaceId') workspaceId: string,
    @ChannelId() id: string,
    @Body() dto: UpdateChannelDto,
  ): Promise<ChannelResponseDto> {
    return this.update(workspaceId, id, dto);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Deleted; its open PagerDuty incidents get resolved' })
  async remove(@Param('workspaceId') workspaceId: string, @ChannelId() id: string): Promise<void> {
    await this.channels.remove(workspaceId, id);
  }

  @Put(':id/signing-secret')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: "Save the signing secret PagerDuty showed for this channel's webhook" })
  @ApiBody({ type: SigningSecretDto })
  @ApiNoContentResponse({ description: 'Saved (sealed at rest when a credential key is set)' })
  async setSigningSecret(
    @Param('workspaceId') workspaceId: string,
    @ChannelId() id: string,
    @Body() dto: SigningSecretDto,
  ): Promise<void> {
    await this.channels.setSigningSecret(workspaceId, id, dto.signingSecret);
  }

  @Post(':id/test')
  @ApiOperation({ summary: 'Trigger a throwaway PagerDuty incident and resolve it at once' })
  @ApiOkResponse({ type: SendTestResponseDto })
  @ApiConflictResponse({
    description:
      'The stored routing key cannot be opened (credentials.usable is false); nothing was sent. Body: statusCode, error, message, problem',
  })
  async test(
    @Param('workspaceId') workspaceId: string,
    @ChannelId() id: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SendTestResponseDto> {
    const outcome = await this.sendTest.execute(workspaceId, id);
    res.status(outcome.httpStatus);
    return outcome.body;
  }
}
