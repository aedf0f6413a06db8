import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventAction, Region } from '@app/pagerduty';
import type { ArrivalRecorder } from './arrival-recorder';
import { checkEnqueueBody, SIM_LIMITS } from './enqueue.validator';
import type { FaultInjector } from './fault-injector';
import { HttpError } from './http-error';
import { isRecord, readBody, sendJson } from './http-kit';
import { dedupKey as newDedupKey } from './ids';
import type { IncidentWebhooks } from './incident-webhooks';
import type { RollingWindowRateLimiter } from './rate-limiter';
import type { SimulatorStore } from './simulator-store';
import type { EnqueueRecord } from './simulator.types';
import type { SleepPool } from './sleep-pool';

/** Bodies beyond PagerDuty's limit are read (to answer 400 like PagerDuty) up to this hard cap. */
const HARD_BODY_CAP = 8 * 1024 * 1024;
const LOGGED_BODY_MAX = 64 * 1024;

export const THROTTLE_BODY = Object.freeze({
  status: 'throttle event',
  message: 'Requests for this service are arriving too quickly.  Please retry later.',
});

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  record: Omit<
    EnqueueRecord,
    'seq' | 'receivedAt' | 'region' | 'path' | 'bytes' | 'status' | 'response'
  >;
}

export interface EnqueueSettings {
  acceptAnyKey: boolean;
  enforceRate: boolean;
  fastMode: boolean;
}

/** `POST /v2/enqueue` and `POST /eu/v2/enqueue`. */
export class EnqueueHandler {
  private readonly hanging = new Set<ServerResponse>();

  constructor(
    private readonly settings: EnqueueSettings,
    private readonly store: SimulatorStore,
    private readonly limiter: RollingWindowRateLimiter,
    private readonly faults: FaultInjector,
    private readonly arrivals: ArrivalRecorder,
    private readonly webhooks: IncidentWebhooks,
    private readonly sleeps: SleepPool,
    private readonly clock: () => number,
    private readonly logger?: (entry: Record<string, unknown>) => void,
  ) {}

  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    region: Region,
    path: string,
  ): Promise<void> {
    const receivedAt = new Date(this.clock()).toISOString();
    let raw: Buffer;
    try {
      raw = await readBody(req, HARD_BODY_CAP);
    } catch (error) {
      if (error instanceof HttpError) {
        sendJson(
          res,
          413,
          { status: 'invalid event', message: error.message },
          { connection: 'close' },
        );
        return;
      }
      throw error;
    }

    if (this.settings.fastMode && this.faults.isInactive()) {
      // Bench path: no validation, rate limit, incidents or request log.
      const answer = this.fastAnswer(raw, region);
      sendJson(res, answer.status, answer.body);
      return;
    }

    const base = { receivedAt, region, path, bytes: raw.length };
    const fault = this.faults.next();
    // A faulted or hung request still names its event, so tests can count attempts per incident.
    const attributed = fault.kind === 'none' ? base : { ...base, ...identify(raw) };
    if (fault.kind === 'hang') {
      this.store.recordRequest({ ...attributed, status: null, outcome: 'hung' });
      this.hanging.add(res);
      res.on('close', () => this.hanging.delete(res));
      return;
    }
    if (fault.kind === 'fail') {
      const body = faultBody(fault.status);
      this.store.recordRequest({
        ...attributed,
        status: fault.status,
        outcome: 'fault',
        response: body,
      });
      sendJson(
        res,
        fault.status,
        body,
        fault.retryAfterSeconds === null ? {} : { 'retry-after': String(fault.retryAfterSeconds) },
      );
      return;
    }

    const answer = this.settings.fastMode
      ? this.fastAnswer(raw, region)
      : this.process(raw, region);
    this.store.recordRequest({
      ...base,
      ...answer.record,
      status: answer.status,
      response: answer.body,
    });
    this.logger?.({
      msg: 'enqueue',
      region,
      status: answer.status,
      action: answer.record.eventAction,
      dedupKey: answer.record.dedupKey,
      effect: answer.record.effect,
    });
    if (fault.latencyMs > 0) {
      // Processed first, answered late: the case where PagerDuty accepted but the client gave up.
      await this.sleeps.sleep(fault.latencyMs);
    }
    sendJson(res, answer.status, answer.body, answer.headers);
  }

  /** Ends hung requests (on stop). */
  releaseHanging(): void {
    this.hanging.forEach((res) => res.destroy());
    this.hanging.clear();
  }

  private fastAnswer(raw: Buffer, region: Region): Answer {
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      body = undefined;
    }
    const record = isRecord(body) ? body : {};
    const dedupKey =
      typeof record.dedup_key === 'string' && record.dedup_key !== ''
        ? record.dedup_key
        : newDedupKey();
    const action = typeof record.event_action === 'string' ? record.event_action : 'unknown';
    this.arrivals.record(region, dedupKey, action, this.clock());
    return {
      status: 202,
      body: { status: 'success', message: 'Event processed', dedup_key: dedupKey },
      record: { outcome: 'accepted', eventAction: action, dedupKey },
    };
  }

  private process(raw: Buffer, region: Region): Answer {
    if (raw.length >= SIM_LIMITS.maxBodyBytes) {
      return invalid([
        `Event object is too large (${raw.length} bytes; must be under ${SIM_LIMITS.maxBodyBytes})`,
      ]);
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return {
        status: 400,
        body: {
          status: 'Unrecognized object',
          message: 'Event object format is unrecognized',
          errors: ['JSON parse error'],
        },
        record: { outcome: 'invalid', errors: ['JSON parse error'] },
      };
    }
    if (!isRecord(body)) {
      return invalid(['Event must be a JSON object']);
    }
    const logged = raw.length <= LOGGED_BODY_MAX ? { body } : { bodyOmitted: true };
    const identity = {
      routingKey: typeof body.routing_key === 'string' ? body.routing_key : undefined,
      eventAction: typeof body.event_action === 'string' ? body.event_action : undefined,
      dedupKey: typeof body.dedup_key === 'string' ? body.dedup_key : undefined,
    };

    const check = checkEnqueueBody(
      body,
      (key) => this.settings.acceptAnyKey || this.store.serviceForKey(key) !== undefined,
    );
    if (check.errors.length > 0) {
      const answer = invalid(check.errors);
      return {
        ...answer,
        record: { ...answer.record, ...identity, ...logged, warnings: check.warnings },
      };
    }

    const routingKey = body.routing_key as string;
    const action = body.event_action as EventAction;
    if (this.settings.enforceRate && !this.limiter.tryAcquire(routingKey, this.clock())) {
      return {
        status: 429,
        body: { ...THROTTLE_BODY },
        record: { outcome: 'throttled', ...identity, ...logged },
      };
    }

    const service =
      this.store.serviceForKey(routingKey) ??
      this.store.registerService(
        { routingKey, name: `Auto-registered ${routingKey.slice(-4)}` },
        true,
      ).service;
    const dedupKey =
      typeof body.dedup_key === 'string' && body.dedup_key !== '' ? body.dedup_key : newDedupKey();
    const effect = this.store.applyEvent(
      { region, routingKey, dedupKey, action, payload: body.payload },
      service,
    );
    if (effect.webhookEvent !== null && effect.incident !== null) {
      this.webhooks.incidentChanged(effect.incident, effect.webhookEvent, { kind: 'integration' });
    }
    this.arrivals.record(region, dedupKey, action, this.clock());
    return {
      status: 202,
      body: { status: 'success', message: 'Event processed', dedup_key: dedupKey },
      record: {
        outcome: 'accepted',
        ...identity,
        dedupKey,
        effect: effect.outcome,
        incidentId: effect.incident?.id,
        warnings: check.warnings.length > 0 ? check.warnings : undefined,
        ...logged,
      },
    };
  }
}

function invalid(errors: string[]): Answer {
  return {
    status: 400,
    body: { status: 'invalid event', message: 'Event object is invalid', errors },
    record: { outcome: 'invalid', errors },
  };
}

/** Best-effort routing key, action and dedup key of a raw enqueue body (never throws). */
function identify(raw: Buffer): { routingKey?: string; eventAction?: string; dedupKey?: string } {
  try {
    const body: unknown = JSON.parse(raw.toString('utf8'));
    if (!isRecord(body)) return {};
    return {
      routingKey: typeof body.routing_key === 'string' ? body.routing_key : undefined,
      eventAction: typeof body.event_action === 'string' ? body.event_action : undefined,
      dedupKey: typeof body.dedup_key === 'string' ? body.dedup_key : undefined,
    };
  } catch {
    return {};
  }
}

function faultBody(status: number): unknown {
  if (status === 429) {
    return { ...THROTTLE_BODY };
  }
  if (status === 400) {
    return {
      status: 'invalid event',
      message: 'Event object is invalid',
      errors: ['Simulated failure'],
    };
  }
  return { status: 'error', message: `Simulated failure (${status})` };
}
