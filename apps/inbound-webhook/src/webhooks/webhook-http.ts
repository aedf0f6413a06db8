import type { NestExpressApplication } from '@nestjs/platform-express';
import { raw, type ErrorRequestHandler, type RequestHandler } from 'express';
import { rejected } from './webhook-answer';
import { WebhookMetrics } from './webhook.metrics';

/** The webhook route prefix; the channel id follows it. */
export const WEBHOOK_ROUTE = '/v1/webhooks/pagerduty';

/** 256 KB, PagerDuty's own largest webhook body. */
export const WEBHOOK_BODY_LIMIT_BYTES = 262_144;

/** Times every webhook answer, including those the body parser gives. */
function responseTimer(metrics: WebhookMetrics): RequestHandler {
  return (req, res, next) => {
    if (req.method === 'POST') {
      const started = process.hrtime.bigint();
      res.once('finish', () => {
        metrics.observeResponse(res.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
      });
    }
    next();
  };
}

/** The parser's 413/400/415 as a small JSON body instead of express's HTML page. */
function parserErrors(metrics: WebhookMetrics): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const status =
      typeof error === 'object' &&
      error !== null &&
      'status' in error &&
      typeof error.status === 'number'
        ? error.status
        : 400;
    if (status === 413) {
      metrics.request('too_large');
      const answer = rejected('too_large');
      res.status(answer.status).json(answer.body);
      return;
    }
    metrics.request('malformed');
    if (status === 415) {
      res.status(415).json({
        statusCode: 415,
        error: 'Unsupported Media Type',
        message: 'compressed bodies are not accepted',
      });
      return;
    }
    res
      .status(400)
      .json(rejected('malformed', undefined, 'the request body could not be read').body);
  };
}

/**
 * Mounts, for the webhook route only and before any JSON parser, a parser that keeps the body
 * as the exact bytes PagerDuty signed. The size limit applies while reading (to the declared
 * length at once), so an oversized body is refused before any HMAC work. Compressed bodies
 * are refused rather than inflated: the signature covers the bytes on the wire.
 */
export function mountWebhookBodyParser(app: NestExpressApplication): void {
  const metrics = app.get(WebhookMetrics);
  app.use(WEBHOOK_ROUTE, responseTimer(metrics));
  app.use(
    WEBHOOK_ROUTE,
    raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT_BYTES, inflate: false }),
  );
  app.use(WEBHOOK_ROUTE, parserErrors(metrics));
}
