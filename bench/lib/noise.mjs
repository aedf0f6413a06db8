// How much CPU other work on the machine took while a bench ran. On 2 cores a neighbour's
// build or test run moves every figure, so each bench reports the cores used by processes that
// are not the bench's own (the bench process and its children, which include Kafka, plus the
// PostgreSQL backends serving the bench's databases).
import fs from 'node:fs';
import { query } from './db.mjs';

const HZ = 100; // USER_HZ: /proc times are in 1/100 s on Linux

function machineBusyTicks() {
  const [, ...fields] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
  const [user, nice, system, , , irq, softirq, steal] = fields.map(Number);
  return user + nice + system + irq + softirq + (steal ?? 0);
}

function procTimes(pid) {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // Fields after "pid (comm)": state ppid … utime(11) stime(12) cutime(13) cstime(14).
    return {
      ppid: Number(rest[1]),
      ticks: Number(rest[11]) + Number(rest[12]) + Number(rest[13]) + Number(rest[14]),
    };
  } catch {
    return undefined;
  }
}

/** CPU ticks of this process and all its descendants (children that exited count through cutime). */
function ownTreeTicks() {
  const all = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const times = procTimes(name);
    if (times) all.set(Number(name), times);
  }
  const children = new Map();
  for (const [pid, { ppid }] of all) {
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(pid);
  }
  let ticks = 0;
  const stack = [process.pid];
  while (stack.length > 0) {
    const pid = stack.pop();
    ticks += all.get(pid)?.ticks ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return ticks;
}

/**
 * Starts watching; stop() answers the mean number of cores that other work used meanwhile.
 * PostgreSQL backends of databases named `${databasePrefix}…` count as the bench's own; they
 * are sampled every second so that a backend that exits is still counted.
 */
export function watchOtherLoad(serverUrl, databasePrefix) {
  const t0 = Date.now();
  const busy0 = machineBusyTicks();
  const own0 = ownTreeTicks();
  const backends = new Map(); // pid → { first, last } ticks
  const sampleBackends = async () => {
    try {
      const rows = await query(
        serverUrl,
        'SELECT pid FROM pg_stat_activity WHERE datname LIKE $1',
        [`${databasePrefix}%`],
      );
      for (const { pid } of rows) {
        const times = procTimes(pid);
        if (!times) continue;
        const seen = backends.get(pid);
        if (seen) seen.last = times.ticks;
        else
          backends.set(pid, {
            first: times.ticks,
            last: times.ticks,
            isNew: Date.now() - t0 > 1500,
          });
      }
    } catch {
      // statistics are best effort
    }
  };
  void sampleBackends();
  const timer = setInterval(sampleBackends, 1000);
  return {
    async stop() {
      clearInterval(timer);
      await sampleBackends();
      const seconds = (Date.now() - t0) / 1000;
      const busy = machineBusyTicks() - busy0;
      const own = ownTreeTicks() - own0;
      let pg = 0;
      // A backend first seen after the start was born during the bench: all its time counts.
      for (const b of backends.values()) pg += b.last - (b.isNew ? 0 : b.first);
      const otherCores = Math.max(0, (busy - own - pg) / HZ / seconds);
      const ownCores = (own + pg) / HZ / seconds;
      return { otherCores: Number(otherCores.toFixed(2)), ownCores: Number(ownCores.toFixed(2)) };
    },
  };
}
