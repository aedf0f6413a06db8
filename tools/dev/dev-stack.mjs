// Shared by start.mjs and demo.mjs: where the local stack keeps its state.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const STATE_DIR = path.join(ROOT, '.cache', 'dev');
export const LOG_DIR = path.join(STATE_DIR, 'logs');
export const STATE_FILE = path.join(STATE_DIR, 'stack.json');

export const PORTS = {
  pagerdutySimulator: Number(process.env.PD_SIM_PORT ?? 8080),
  incidentSimulator: Number(process.env.INCIDENT_SIM_PORT ?? 4100),
  channelConfig: 3001,
  inboundWebhook: 3002,
  outboundPager: 3003,
};

export function readState() {
  if (!fs.existsSync(STATE_FILE)) {
    throw new Error(
      'the local stack is not running: start it with `npm start` (in another terminal)',
    );
  }
  return JSON.parse(fs.readFileSync(STATE_FILE, 'utf8'));
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** JSON over HTTP with a clear error naming the call. */
export async function http(method, url, body, headers = {}) {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15000),
  });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  if (!res.ok) throw new Error(`${method} ${url} answered ${res.status}: ${text.slice(0, 500)}`);
  return json;
}

export async function until(what, fn, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await sleep(250);
  }
  throw new Error(
    `timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? ` (${last.message})` : ''}`,
  );
}
