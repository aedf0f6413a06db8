import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { HEADERS } from '@app/contracts';
import { isQuietPath, REDACTED_PATHS } from './redaction';

export interface LoggingOptions {
  service: string;
  level: string;
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
