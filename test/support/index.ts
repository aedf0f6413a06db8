export * from './auth';
export * from './infra';
export * from './private-kafka';
export * from './service-process';
export * from './infra-servers';
export * from './scratch-database';
// PagerDuty V3 webhook bodies, shared with inbound-webhook's own specs.
export {
  makeIncidentWebhook,
  makePingWebhook,
} from '../../apps/inbound-webhook/src/testing/pagerduty-webhook.factory';
