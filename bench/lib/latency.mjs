// Live traffic for the latency benches (B3, B4): incident events produced on a fixed schedule,
// each produce time remembered, matched against the simulator's arrival times per dedup key.
import { setTimeout as sleep } from 'node:timers/promises';
import { incidentMessage, TOPICS } from './fixtures.mjs';
import { simJson } from './drain.mjs';

/**
 * Produces `plan(tick)` → messages at every tick of `tickMs` for `ticks` ticks, on schedule
 * (drift-corrected), without waiting for one send before the next. Answers the produce times
 * per `${dedupKey}|${action}`.
 */
export async function produceOnSchedule(p, { ticks, tickMs, plan }) {
  const sentAt = new Map();
  const inFlight = new Set();
  const failures = [];
  const t0 = Date.now() + 50;
  for (let tick = 0; tick < ticks; tick++) {
    const due = t0 + tick * tickMs;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    const items = plan(tick);
    if (items.length === 0) continue;
    const now = Date.now();
    for (const item of items) sentAt.set(`${item.incidentId}|${item.action}`, now);
    const send = p
      .send({
        topic: TOPICS.incidents,
        acks: -1,
        messages: items.map((item) =>
          incidentMessage({
            workspaceId: item.workspaceId,
            incidentId: item.incidentId,
            type: item.action === 'resolve' ? 'incident.resolved' : 'incident.opened',
          }),
        ),
      })
      .catch((error) => failures.push(error))
      .finally(() => inFlight.delete(send));
    inFlight.add(send);
    // Bounded: never more than 200 sends outstanding (the broker is local; this never binds
    // unless it stalls, and then the schedule slips rather than memory growing).
    while (inFlight.size > 200) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  if (failures.length > 0)
    throw new Error(`${failures.length} produce calls failed: ${failures[0].message}`);
  return sentAt;
}

/** Waits until the simulator accepted `expected` events (or the timeout); answers the count. */
export async function waitAccepted(sim, expected, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let accepted = 0;
  while (Date.now() < deadline) {
    accepted = (await simJson(sim, 'stats')).accepted.total;
    if (accepted >= expected) break;
    await sleep(250);
  }
  return accepted;
}

/** Latency (ms) of every produced event that arrived: first arrival of its dedup key and action. */
export async function latencies(sim, sentAt) {
  const arrivals = await simJson(sim, 'arrivals');
  const byKey = new Map();
  for (const [dedupKey, list] of Object.entries(arrivals)) {
    for (const { at, action } of list) {
      const key = `${dedupKey}|${action}`;
      if (!byKey.has(key)) byKey.set(key, at);
    }
  }
  const result = [];
  let missing = 0;
  for (const [key, at] of sentAt) {
    const arrived = byKey.get(key);
    if (arrived === undefined) missing++;
    else result.push({ key, ms: arrived - at, action: key.split('|')[1] });
  }
  return { samples: result, missing };
}
