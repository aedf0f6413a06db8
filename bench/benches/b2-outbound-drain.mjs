// B2 outbound drain: N incident.opened events pre-produced over many channels, drained by
// outbound-pager (durable queue in PostgreSQL, offsets committed after the queue write) into the
// simulator in fast mode; then the same events by a bare kafkajs + undici consumer.
// Also feeds B5 (peak RSS of outbound-pager during the drain).
import { baselineDrain, produceIncidents, projectDrain, publishChannels } from '../lib/drain.mjs';

export async function b2OutboundDrain(ctx) {
  const { stack, params, log } = ctx;
  const { events, channels: channelCount, timeoutS } = params;
  const { channels, file } = await publishChannels(stack, 'b2', channelCount);
  const { start, produceS } = await produceIncidents(stack, channels, events, 'b2');
  log(
    `  produced ${events} incident.opened events over ${channelCount} channels in ${produceS.toFixed(1)} s`,
  );

  const sim = await stack.simulator('b2-pagerduty-simulator-fast', { fast: true });
  try {
    const databaseUrl = await stack.database('b2');
    const project = await projectDrain(stack, {
      label: 'b2-outbound-pager',
      databaseUrl,
      start,
      count: events,
      sim,
      timeoutS,
      log,
    });
    const baseline = await baselineDrain(stack, {
      label: 'b2-bare-consumer',
      start,
      count: events,
      sim,
      channelsFile: file,
      timeoutS,
      log,
    });
    ctx.data.B2 = { project, baseline, produceS };
    ctx.memory.b2 = {
      project: project.peakRssMb,
      baseline: baseline.peakRssMb,
      ready: project.readyRssMb,
      atEnd: project.memoryAtEnd,
    };
    if (project.timedOut || baseline.timedOut) {
      ctx.notes.push(
        `B2: ${project.timedOut ? 'outbound-pager' : 'the baseline'} did not deliver all ${events} events within ${timeoutS} s; rates are over what arrived`,
      );
    }
    if (!ctx.smoke && events < 50_000) {
      ctx.notes.push(
        `B2 drained ${events} events, not the 50,000 the issue names (see the parameters).`,
      );
    }

    ctx.figure({
      name: `events/s recorded into the durable queue (${events} events)`,
      project: project.recordedPerS,
      goal: '≥ 1,000/s',
      met: project.recordedPerS >= 1000,
    });
    const ratio = project.deliveredPerS / baseline.deliveredPerS;
    ctx.figure({
      name: 'events/s delivered to PagerDuty',
      project: project.deliveredPerS,
      baseline: baseline.deliveredPerS,
      ratio,
      goal: '≥ 0.5×',
      met: ratio >= 0.5,
    });
    ctx.figure({
      name: 'duplicates (arrivals per dedup key and action > 1)',
      project: project.duplicates,
      baseline: baseline.duplicates,
      goal: '0',
      met: project.duplicates === 0,
    });
    ctx.figure({
      name: 'events never delivered',
      project: project.missing,
      baseline: baseline.missing,
      goal: '0',
      met: project.missing === 0,
    });
    ctx.figure({
      name: 'CPU per event, the process (ms)',
      project: project.cpuMsPerEvent,
      baseline: baseline.cpuMsPerEvent,
      ratio: project.cpuMsPerEvent / baseline.cpuMsPerEvent,
    });
    ctx.figure({
      name: 'PostgreSQL transactions per event',
      project: project.transactionsPerEvent,
    });
    if (Number.isFinite(project.dbCpuMsPerEvent)) {
      ctx.figure({
        name: 'CPU per event, its PostgreSQL backends (ms; the baseline has none)',
        project: project.dbCpuMsPerEvent,
      });
    }
  } finally {
    await sim.stop();
  }
}
