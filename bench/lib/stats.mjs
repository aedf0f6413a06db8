// Small numeric helpers and the RSS sampler (B5).
import fs from 'node:fs';

/** The q-quantile (0..1) of numbers, nearest-rank; NaN for none. */
export function quantile(values, q) {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

export const round = (value, digits = 1) =>
  Number.isFinite(value) ? Number(value.toFixed(digits)) : value;

/** kB figure of one `/proc/<pid>/status` line (VmRSS, VmHWM), or undefined. */
export function procStatusKb(pid, field) {
  try {
    const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Polls VmRSS of the given processes every `everyMs` until stop(); stop() answers the peak
 * RSS per name in MB (what was seen while sampling, plus VmHWM for processes started for the
 * window alone, where the lifetime peak is the window's peak).
 */
export function sampleRss(processes, everyMs = 200) {
  const peaks = new Map(processes.map(({ name }) => [name, 0]));
  const tick = () => {
    for (const { name, pid } of processes) {
      const kb = procStatusKb(pid, 'VmRSS');
      if (kb !== undefined) peaks.set(name, Math.max(peaks.get(name), kb));
    }
  };
  tick();
  const timer = setInterval(tick, everyMs);
  return {
    stop({ includeHwmOf = [] } = {}) {
      clearInterval(timer);
      tick();
      for (const { name, pid } of processes) {
        if (!includeHwmOf.includes(name)) continue;
        const hwm = procStatusKb(pid, 'VmHWM');
        if (hwm !== undefined) peaks.set(name, Math.max(peaks.get(name), hwm));
      }
      return Object.fromEntries([...peaks].map(([name, kb]) => [name, round(kb / 1024, 1)]));
    },
  };
}

/** CPU seconds (user + system) a process used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime are fields 14 and 15 of stat, i.e. 11 and 12 after "pid (comm)".
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** One sample of a Prometheus text exposition (first series of that name), or NaN. */
export function metricValue(text, name) {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : Number.NaN;
}

/** GET <service>/metrics as text ('' when it cannot be read). */
export async function scrape(service) {
  try {
    const res = await fetch(`${service.url}/metrics`, { signal: AbortSignal.timeout(5000) });
    return await res.text();
  } catch {
    return '';
  }
}

/** The sum of every series of `name` (e.g. GC seconds over all kinds), or NaN when none. */
export function metricSum(text, name) {
  const values = [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].map((m) =>
    Number(m[1]),
  );
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0);
}
