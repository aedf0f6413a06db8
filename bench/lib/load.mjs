// HTTP load with autocannon: signed ~1 KB PagerDuty V3 webhooks, a fresh event id per request.
import autocannon from 'autocannon';
import { sign, webhookBody } from './fixtures.mjs';

/**
 * Runs autocannon against `url + path` for durationS seconds with `connections` connections,
 * optionally capped at `overallRate` requests per second in total. Resolves with the figures.
 */
export async function webhookLoad({ url, path, secret, connections = 50, durationS, overallRate }) {
  let seq = 0;
  const result = await autocannon({
    url,
    connections,
    duration: durationS,
    overallRate,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path,
        setupRequest: (request) => {
          const body = webhookBody();
          seq += 1;
          return {
            ...request,
            method: 'POST',
            path,
            body,
            headers: {
              'content-type': 'application/json',
              'user-agent': 'PagerDuty-Webhook/V3.0',
              'x-webhook-id': `bench-${seq}`,
              'x-pagerduty-signature': sign(body, secret),
            },
          };
        },
      },
    ],
  });
  const seconds = result.duration;
  const ok = result['2xx'];
  return {
    seconds,
    requests: result.requests.total,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    rps: ok / seconds,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
  };
}
