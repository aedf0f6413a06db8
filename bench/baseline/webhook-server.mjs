// B1 baseline: what a user could write by hand to take PagerDuty V3 webhooks. A bare node:http
// server that reads the raw body, verifies X-PagerDuty-Signature (HMAC-SHA256, constant time)
// and does one INSERT (idempotent on the event id) into PostgreSQL with a pg Pool.
// Env: PORT, DATABASE_URL, CHANNEL_ID, SIGNING_SECRET.
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import pg from 'pg';

const { PORT, DATABASE_URL, CHANNEL_ID, SIGNING_SECRET } = process.env;
const LIMIT = 262_144;
const pool = new pg.Pool({
  connectionString: DATABASE_URL,
  max: 10,
  application_name: 'bench-baseline-webhook',
});

await pool.query(`CREATE SCHEMA IF NOT EXISTS bench_baseline;
  CREATE TABLE IF NOT EXISTS bench_baseline.webhook_events (
    id bigserial PRIMARY KEY, channel_id uuid NOT NULL, event_id text NOT NULL,
    event_type text NOT NULL, raw_body bytea NOT NULL, received_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (channel_id, event_id))`);

function verified(body, header) {
  if (typeof header !== 'string') return false;
  const expected = createHmac('sha256', SIGNING_SECRET).update(body).digest();
  return header.split(',').some((part) => {
    const hex = part.trim().replace(/^v1=/, '');
    if (!/^[0-9a-f]{64}$/i.test(hex)) return false;
    return timingSafeEqual(expected, Buffer.from(hex, 'hex'));
  });
}

function answer(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/health') return answer(res, 200, { ok: true });
  if (req.method !== 'POST' || req.url !== `/v1/webhooks/pagerduty/${CHANNEL_ID}`) {
    return answer(res, 404, { error: 'not found' });
  }
  const chunks = [];
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size > LIMIT) req.destroy();
    else chunks.push(chunk);
  });
  req.on('end', async () => {
    const body = Buffer.concat(chunks);
    if (!verified(body, req.headers['x-pagerduty-signature'])) {
      return answer(res, 401, { error: 'bad signature' });
    }
    let event;
    try {
      event = JSON.parse(body.toString('utf8')).event;
    } catch {
      return answer(res, 400, { error: 'malformed' });
    }
    try {
      await pool.query(
        `INSERT INTO bench_baseline.webhook_events (channel_id, event_id, event_type, raw_body)
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
        [CHANNEL_ID, event.id, event.event_type, body],
      );
      answer(res, 202, { status: 'accepted' });
    } catch {
      answer(res, 503, { error: 'database unavailable' });
    }
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(PORT), '127.0.0.1');

const stop = () => server.close(() => pool.end().then(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
