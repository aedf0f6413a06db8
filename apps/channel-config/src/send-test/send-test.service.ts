import { randomUUID } from 'node:crypto';
import {
  ConflictException,
  HttpStatus,
  Inject,
  Injectable,
  Logger,
  OnApplicationShutdown,
} from '@nestjs/common';
import { Counter } from 'prom-client';
import {
  buildIncidentEvent,
  PagerDutyClient,
  type EventAction,
  type PagerDutyResult,
} from '@app/pagerduty';
import { MetricsRegistry, SECRET_VAULT, SecretVault } from '@app/platform';
import { ChannelsService } from '../channels/channels.service';
import type { ChannelEntity } from '../channels/entities/channel.entity';
import type { PagerDutyStepDto, SendTestResponseDto } from './dto/send-test-response.dto';

export const SEND_TEST_CLIENT = Symbol('SEND_TEST_CLIENT');

export interface SendTestOutcome {
  /** 200 when PagerDuty accepted both steps; otherwise PagerDuty's own status (or 502). */
  httpStatus: number;
  body: SendTestResponseDto;
}

const RESOLVE_ATTEMPTS = 3;

const step = (result: PagerDutyResult): PagerDutyStepDto => {
  switch (result.outcome) {
    case 'accepted':
      return { status: result.status, message: result.message };
    case 'permanent':
      return { status: result.status ?? null, message: result.message, errors: result.errors };
    case 'transient':
      return { status: result.status ?? null, message: result.message };
  }
};

/**
 * "Send test": triggers a throwaway PagerDuty incident and resolves it as soon as PagerDuty
 * accepted the trigger, so a user confirms the routing key without leaving an incident open.
 * A failure reports PagerDuty's own status and message (a wrong key shows PagerDuty's words).
 * A trigger whose answer was lost is resolved as well, since PagerDuty may have taken it.
 */
@Injectable()
export class SendTestService implements OnApplicationShutdown {
  private readonly logger = new Logger(SendTestService.name);
  private readonly outcomes: Counter;

  constructor(
    private readonly channels: ChannelsService,
    @Inject(SEND_TEST_CLIENT) private readonly client: PagerDutyClient,
    @Inject(SECRET_VAULT) private readonly vault: SecretVault,
    metrics: MetricsRegistry,
  ) {
    this.outcomes = new Counter({
      name: 'send_test_total',
      help: 'Send test requests, by outcome',
      labelNames: ['outcome'],
      registers: [metrics],
    });
  }

  async execute(workspaceId: string, channelId: string): Promise<SendTestOutcome> {
    const channel = await this.channels.get(workspaceId, channelId);
    const unusable = this.channels
      .credentialIssues(channel)
      .find((issue) => issue.secret === 'routingKey');
    if (unusable) {
      // Nothing goes to PagerDuty with a key that cannot be trusted; the user can repair it.
      this.outcomes.inc({ outcome: 'routing_key_unusable' });
      this.logger.warn(
        { channelId, problem: unusable.problem },
        'send test refused: the stored routing key cannot be opened',
      );
      throw new ConflictException({
        statusCode: HttpStatus.CONFLICT,
        error: 'Conflict',
        message: `the channel's stored routing key cannot be used (${unusable.problem}); save the routing key again`,
        problem: unusable.problem,
      });
    }
    const routingKey = this.vault.reveal(channel.routingKey, workspaceId);
    const dedupKey = `axiorank-test-${randomUUID()}`;
    const send = (action: EventAction) =>
      this.client.send(this.event(action, channel, routingKey, dedupKey), channel.region);

    const trigger = await send('trigger');
    if (
      trigger.outcome === 'permanent' ||
      (trigger.outcome === 'transient' && trigger.status === 429)
    ) {
      // PagerDuty refused the trigger (or never got it): nothing was opened, nothing to resolve.
      this.outcomes.inc({ outcome: `trigger_${trigger.outcome}` });
      return {
        httpStatus: this.failureStatus(trigger),
        body: { ok: false, dedupKey, trigger: step(trigger), resolve: null },
      };
    }
    // Also after a trigger whose answer was lost (timeout, network error, 5xx): PagerDuty may
    // have opened the incident all the same, and a resolve for a key it never saw is dropped.
    let resolve = await send('resolve');
    for (
      let attempt = 2;
      attempt <= RESOLVE_ATTEMPTS && resolve.outcome === 'transient';
      attempt++
    ) {
      await new Promise((r) => setTimeout(r, 250 * attempt));
      resolve = await send('resolve');
    }
    if (trigger.outcome !== 'accepted') {
      this.outcomes.inc({ outcome: `trigger_${trigger.outcome}` });
      return {
        httpStatus: this.failureStatus(trigger),
        body: { ok: false, dedupKey, trigger: step(trigger), resolve: step(resolve) },
      };
    }
    if (resolve.outcome !== 'accepted') {
      this.logger.warn({ channelId, dedupKey }, 'send test: trigger accepted but resolve failed');
      this.outcomes.inc({ outcome: `resolve_${resolve.outcome}` });
      return {
        httpStatus: this.failureStatus(resolve),
        body: { ok: false, dedupKey, trigger: step(trigger), resolve: step(resolve) },
      };
    }
    this.outcomes.inc({ outcome: 'ok' });
    return {
      httpStatus: HttpStatus.OK,
      body: { ok: true, dedupKey, trigger: step(trigger), resolve: step(resolve) },
    };
  }

  private event(action: EventAction, channel: ChannelEntity, routingKey: string, dedupKey: string) {
    return buildIncidentEvent({
      action,
      routingKey,
      dedupKey,
      summary: `Test incident from AxioRank for channel "${channel.name}" (safe to ignore; resolved automatically)`,
      severity: 'info',
      source: 'AxioRank',
      component: 'send-test',
      customDetails: {
        purpose: 'AxioRank "Send test": confirms the routing key; resolved immediately',
        channel: channel.name,
        workspace: channel.workspaceId,
      },
      client: 'AxioRank',
    });
  }

  /** PagerDuty's status when it answered; 502 when it could not be reached at all. */
  private failureStatus(result: PagerDutyResult): number {
    if (result.outcome === 'permanent' && result.status === undefined)
      return HttpStatus.BAD_REQUEST;
    return result.status !== undefined && result.status >= 400
      ? result.status
      : HttpStatus.BAD_GATEWAY;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
