import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { HEADERS } from '@app/contracts';
import { isQuietPath, REDACTED_PATHS } from './redaction';

export interface LoggingOptions {
  service: string;
  level: string;
  /**
   * Paths whose successful answers are logged at debug rather than info: a webhook receiver
   * answering thousands of requests a second counts them in its metrics, and an info line per
   * request would cost more than the request. Failures are still logged at warn/error.
   */
  routinePaths?: RegExp;
}

type AccessLogLevel = 'debug' | 'info' | 'error';

/**
 * The access log line's level: 5xx and errors at error; a refused request (4xx) at info, as
 * before (a webhook endpoint on the internet refuses strangers all day; its metrics count them);
 * success at info, or debug on a routine path.
 */
export function accessLogLevel(
  url: string | undefined,
  statusCode: number,
  failed: boolean,
  routinePaths?: RegExp,
): AccessLogLevel {
  if (failed || statusCode >= 500) return 'error';
  if (statusCode >= 400) return 'info';
  return routinePaths !== undefined && url !== undefined && routinePaths.test(url)
    ? 'debug'
    : 'info';
}

/** JSON logs through pino, with correlation ids and secrets redacted. */
@Module({})
export class LoggingModule {
  static forRoot(options: LoggingOptions): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: options.level,
            base: { service: options.service },
            redact: { paths: [...REDACTED_PATHS], censor: '[REDACTED]' },
            autoLogging: { ignore: (req: IncomingMessage) => isQuietPath(req.url) },
            customLogLevel: (req: IncomingMessage, res: ServerResponse, err?: Error) =>
              accessLogLevel(req.url, res.statusCode, err !== undefined, options.routinePaths),
            genReqId: (req: IncomingMessage) => {
              const given = req.headers[HEADERS.correlationId];
              return typeof given === 'string' && given.length <= 128 ? given : randomUUID();
            },
            customAttributeKeys: { reqId: 'correlationId' },
            serializers: {
              // Request bodies are never logged; the URL and method are enough to trace a call.
              req: (req: { method?: string; url?: string; id?: unknown }) => ({
                method: req.method,
                url: req.url,
                id: req.id,
              }),
            },
          },
        }),
      ],
      exports: [LoggerModule],
    };
  }
}
