import { randomUUID } from 'node:crypto';
import { Controller, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { PAGERDUTY_WEBHOOK_HEADERS } from '@app/pagerduty';
import { ReceivePagerDutyWebhook } from './receive-pagerduty-webhook.use-case';

const MAX_WEBHOOK_ID_LENGTH = 255;

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * `POST /v1/webhooks/pagerduty/{channelId}`: PagerDuty V3 webhooks, authenticated by their
 * signature alone. The body arrives as raw bytes (see `mountWebhookBodyParser`).
 */
@Controller('v1/webhooks/pagerduty')
export class PagerDutyWebhookController {
  constructor(private readonly receiveWebhook: ReceivePagerDutyWebhook) {}

  @Post(':channelId')
  async receive(
    @Param('channelId') channelId: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const given = header(req, PAGERDUTY_WEBHOOK_HEADERS.webhookId)?.trim();
    const webhookId =
      given !== undefined && given.length > 0 && given.length <= MAX_WEBHOOK_ID_LENGTH
        ? given
        : null;
    const requestId = (req as Request & { id?: unknown }).id;
    const answer = await this.receiveWebhook.execute({
      channelId,
      rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
      signature: header(req, PAGERDUTY_WEBHOOK_HEADERS.signature),
      webhookId,
      correlationId: webhookId ?? (typeof requestId === 'string' ? requestId : randomUUID()),
    });
    if (answer.headers !== undefined) res.set(answer.headers);
    res.status(answer.status).json(answer.body);
  }
}
