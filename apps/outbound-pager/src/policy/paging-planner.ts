import type { AlertEventV1, ChannelV1, IncidentEventV1, Origin } from '@app/contracts';
import type { EventAction, Region } from '@app/pagerduty';
import { meetsFloor } from '@app/severity';
import type { DeliveryPayload, DeliveryStatus } from '../deliveries/entities/delivery.entity';
import { isWithinQuietHours } from './quiet-hours';

/** Why an event pages nothing on a channel; shown in the delivery history. */
export const SKIP_REASONS = {
  noChannel: 'no_channel',
  originPagerDuty: 'origin_pagerduty',
  belowFloor: 'below_severity_floor',
  quietHours: 'quiet_hours',
  hourlyCap: 'hourly_cap',
} as const;

/** A job about to be recorded: pending work, or a skip/suppression kept for the history. */
export interface JobDraft {
  eventId: string;
  channelId: string | null;
  workspaceId: string;
  sourceType: string;
  dedupKey: string;
  action: EventAction;
  onlyIfOpen: boolean;
  status: Extract<DeliveryStatus, 'pending' | 'skipped' | 'suppressed'>;
  reason: string | null;
  routingKey: string | null;
  region: Region | null;
  payload: DeliveryPayload;
  occurredAt: Date;
  /** Alerts mode: the channel's hourly cap, checked against recorded pages when written. */
  hourlyCap: number | null;
}

const ACTIONS: Record<IncidentEventV1['type'], EventAction> = {
  'incident.opened': 'trigger',
  'incident.updated': 'trigger',
  'incident.acknowledged': 'acknowledge',
  'incident.resolved': 'resolve',
};

const incidentUrl = (appBaseUrl: string, workspaceId: string, id: string) =>
  `${appBaseUrl.replace(/\/+$/, '')}/workspaces/${encodeURIComponent(workspaceId)}/incidents/${encodeURIComponent(id)}`;

const alertUrl = (appBaseUrl: string, workspaceId: string, id: string) =>
  `${appBaseUrl.replace(/\/+$/, '')}/workspaces/${encodeURIComponent(workspaceId)}/alerts/${encodeURIComponent(id)}`;

/**
 * Incidents mode: one job per incidents-mode channel of the workspace, `dedup_key` = incident
 * id. A lifecycle event that came from PagerDuty (origin header) is recorded as skipped, never
 * sent: that is what stops a sync loop.
 */
export function planIncidentEvent(
  event: IncidentEventV1,
  origin: Origin | undefined,
  channels: readonly ChannelV1[],
  appBaseUrl: string,
): JobDraft[] {
  const { incident } = event;
  const payload: DeliveryPayload = {
    kind: 'incident',
    workspaceId: event.workspaceId,
    incident: {
      id: incident.id,
      title: incident.title,
      severity: incident.severity,
      alertCount: incident.alertCount,
      blastRadius: incident.blastRadius ?? null,
      recommendedActions: incident.recommendedActions ?? [],
      url: incident.url ?? incidentUrl(appBaseUrl, event.workspaceId, incident.id),
    },
  };
  const base = {
    eventId: event.eventId,
    workspaceId: event.workspaceId,
    sourceType: event.type,
    dedupKey: incident.id,
    action: ACTIONS[event.type],
    onlyIfOpen: event.type === 'incident.updated',
    payload,
    occurredAt: new Date(event.occurredAt),
    hourlyCap: null,
  };
  const targets = channels.filter((c) => c.mode === 'incidents');
  if (targets.length === 0) {
    return [
      {
        ...base,
        channelId: null,
        status: 'skipped',
        reason: SKIP_REASONS.noChannel,
        routingKey: null,
        region: null,
      },
    ];
  }
  return targets.map((channel) => ({
    ...base,
    channelId: channel.id,
    status: origin === 'pagerduty' ? 'skipped' : 'pending',
    reason: origin === 'pagerduty' ? SKIP_REASONS.originPagerDuty : null,
    routingKey: channel.routingKey,
    region: channel.region,
  }));
}

/**
 * Alerts mode (the older behaviour): one trigger per high-risk alert, `dedup_key` = alert id,
 * unless below the channel's severity floor or inside its quiet hours (judged at the alert's
 * own time, in the channel's time zone). The hourly cap is checked when the job is written.
 */
export function planAlertEvent(
  event: AlertEventV1,
  channels: readonly ChannelV1[],
  appBaseUrl: string,
): JobDraft[] {
  const { alert } = event;
  const occurredAt = new Date(event.occurredAt);
  const payload: DeliveryPayload = {
    kind: 'alert',
    workspaceId: event.workspaceId,
    alert: {
      id: alert.id,
      title: alert.title,
      severity: alert.severity,
      riskScore: alert.riskScore,
      agent: { id: alert.agent.id, name: alert.agent.name },
      tool: alert.tool,
      incidentId: alert.incidentId ?? null,
      url: alert.url ?? alertUrl(appBaseUrl, event.workspaceId, alert.id),
    },
  };
  const base = {
    eventId: event.eventId,
    workspaceId: event.workspaceId,
    sourceType: event.type,
    dedupKey: alert.id,
    action: 'trigger' as const,
    onlyIfOpen: false,
    payload,
    occurredAt,
  };
  const targets = channels.filter((c) => c.mode === 'alerts');
  if (targets.length === 0) {
    return [
      {
        ...base,
        channelId: null,
        status: 'skipped',
        reason: SKIP_REASONS.noChannel,
        routingKey: null,
        region: null,
        hourlyCap: null,
      },
    ];
  }
  return targets.map((channel) => {
    const suppressedBy = !meetsFloor(alert.severity, channel.severityFloor)
      ? SKIP_REASONS.belowFloor
      : isWithinQuietHours(occurredAt, channel.quietHours)
        ? SKIP_REASONS.quietHours
        : null;
    return {
      ...base,
      channelId: channel.id,
      status: suppressedBy ? 'suppressed' : 'pending',
      reason: suppressedBy,
      routingKey: channel.routingKey,
      region: channel.region,
      hourlyCap: channel.hourlyCap,
    };
  });
}
