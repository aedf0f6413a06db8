import { randomUUID } from 'node:crypto';
import { HEADERS, readHeaders } from '@app/contracts';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { IncidentCommandError, type IncidentCommandErrorKind } from '../incident-command-error';
import type { CommandContext } from '../incident-inputs';
import type { IncidentService } from '../incident-service';
import { errorText, type SimulatorLogger } from '../simulator-logger';
import type { SyncEventLog } from '../sync-event-log';
import {
  parseOpenIncident,
  parseOutcome,
  parseResolutionReason,
  parseSweep,
  parseUpdateIncident,
  queryParam,
} from './request-parsers';

const STATUS: Readonly<Record<IncidentCommandErrorKind, number>> = {
  invalid: 400,
  not_found: 404,
  conflict: 409,
};

/** The caller's correlation id and traceparent, else a fresh correlation id. */
function contextOf(req: Request): CommandContext {
  const headers = readHeaders(req.headers);
  return {
    correlationId: headers.correlationId ?? randomUUID(),
    traceparent: headers.traceparent,
  };
}

function idParam(req: Request): string {
  const id = req.params.id;
  if (typeof id !== 'string') throw new IncidentCommandError('invalid', 'incident id is required');
  return id;
}

/** The simulator's JSON API (see README.md). */
export function createHttpApp(
  service: IncidentService,
  syncLog: SyncEventLog,
  logger: SimulatorLogger,
): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '256kb' }));

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.post('/incidents', async (req, res) => {
    const context = contextOf(req);
    const view = await service.open(parseOpenIncident(req.body), context);
    res.status(201).set(HEADERS.correlationId, context.correlationId).json(view);
  });

  app.get('/incidents', (req, res) => {
    res.json({ incidents: service.list(queryParam(req.query, 'workspaceId')) });
  });

  app.get('/incidents/:id', (req, res) => {
    const view = service.get(idParam(req));
    if (view === undefined) {
      throw new IncidentCommandError('not_found', `incident ${idParam(req)} not found`);
    }
    res.json(view);
  });

  app.post('/incidents/:id/update', async (req, res) => {
    res.json(await service.update(idParam(req), parseUpdateIncident(req.body), contextOf(req)));
  });

  app.post('/incidents/:id/acknowledge', async (req, res) => {
    res.json(await service.acknowledge(idParam(req), contextOf(req)));
  });

  app.post('/incidents/:id/resolve', async (req, res) => {
    const reason = parseResolutionReason(req.body);
    res.json(await service.resolve(idParam(req), reason, contextOf(req)));
  });

  app.post('/incidents/:id/reopen', async (req, res) => {
    res.json(await service.reopen(idParam(req), contextOf(req)));
  });

  app.post('/sweep', async (req, res) => {
    res.json(await service.sweep(parseSweep(req.body)));
  });

  app.get('/sync-events', (req, res) => {
    const syncEvents = syncLog.list({
      incidentId: queryParam(req.query, 'incidentId'),
      workspaceId: queryParam(req.query, 'workspaceId'),
      outcome: parseOutcome(queryParam(req.query, 'outcome')),
    });
    res.json({ syncEvents });
  });

  app.use((req: Request, res: Response) => {
    res.status(404).json({ error: `no route for ${req.method} ${req.path}` });
  });

  // Express recognises an error handler by its four parameters.
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof IncidentCommandError) {
      res.status(STATUS[error.kind]).json({ error: error.message });
      return;
    }
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      // body-parser's errors: malformed JSON, body too large, wrong charset.
      res.status(status).json({ error: errorText(error) });
      return;
    }
    logger.error('request failed', { error: errorText(error) });
    res.status(503).json({ error: `could not complete the change: ${errorText(error)}` });
  });

  return app;
}
