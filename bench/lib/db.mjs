// The bench's own PostgreSQL connections (small pools, one per bench database).
import pg from 'pg';

const pools = new Map();

function poolFor(url) {
  let pool = pools.get(url);
  if (!pool) {
    pool = new pg.Pool({ connectionString: url, max: 3, connectionTimeoutMillis: 10_000 });
    pool.on('error', () => undefined);
    pools.set(url, pool);
  }
  return pool;
}

export async function query(url, sql, params = []) {
  const { rows } = await poolFor(url).query(sql, params);
  return rows;
}

/** One client for statements that must share a session (BEGIN … ROLLBACK). */
export async function withClient(url, fn) {
  const client = await poolFor(url).connect();
  try {
    return await fn(client);
  } finally {
    client.release();
  }
}

export async function closePools() {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((pool) => pool.end().catch(() => undefined)));
}

/**
 * CPU seconds used so far by the PostgreSQL backends that serve `applicationName` on this
 * database, per backend pid (PostgreSQL runs on this machine; its /proc entries are readable).
 */
export async function backendCpu(url, applicationName, cpuSeconds) {
  const rows = await query(
    url,
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1',
    [applicationName],
  );
  return new Map(rows.map(({ pid }) => [pid, cpuSeconds(pid)]));
}

/** CPU seconds the backends used between two backendCpu() snapshots (new backends count whole). */
export function backendCpuDelta(before, after) {
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
  return total;
}

/** Transactions committed or rolled back in this database so far (PostgreSQL's statistics). */
export async function transactions(url) {
  const [{ x }] = await query(
    url,
    `SELECT (xact_commit + xact_rollback)::float AS x FROM pg_stat_database
      WHERE datname = current_database()`,
  );
  return x;
}
