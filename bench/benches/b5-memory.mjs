// B5 memory: peak RSS of each service while B1 and B2 ran (sampled from /proc/<pid>/status
// every 200 ms), beside the baselines', and the service's peak in two consecutive B1 runs.
export async function b5Memory(ctx) {
  const { b1, b2 } = ctx.memory;
  if (!b1 || !b2) throw new Error('B5 needs the samples of B1 and B2, which did not complete');
  ctx.figure({
    name: 'inbound-webhook peak RSS during B1 (MB)',
    project: b1.project,
    baseline: b1.baseline,
    ratio: b1.project / b1.baseline,
    goal: '< 200 MB',
    met: b1.project < 200,
  });
  ctx.figure({
    name: 'outbound-pager peak RSS during B2 (MB)',
    project: b2.project,
    baseline: b2.baseline,
    ratio: b2.project / b2.baseline,
    goal: '< 200 MB',
    met: b2.project < 200,
  });
  ctx.figure({
    name: 'RSS when ready, before any load: inbound-webhook / outbound-pager (MB)',
    project: `${b1.ready.project} / ${b2.ready}`,
  });
  if (b2.atEnd) {
    ctx.figure({
      name: 'outbound-pager after B2: V8 heap used / heap total / external (MB)',
      project: `${b2.atEnd.heapUsedMb} / ${b2.atEnd.heapTotalMb} / ${b2.atEnd.externalMb}`,
    });
  }
  const growth = b1.run2 / b1.run1;
  ctx.figure({
    name: 'inbound-webhook peak RSS, B1 saturation run 2 (baseline: run 1) (MB)',
    project: b1.run2,
    baseline: b1.run1,
    ratio: growth,
    goal: '≤ 1.10× (no growth)',
    met: growth <= 1.1,
  });
}
