import type { DataSource } from 'typeorm';
import { advisoryLockId } from './advisory-lock';

export interface MigrationReport {
  schema: string;
  applied: string[];
}

/**
 * Creates the service's schema and applies its pending migrations while holding a PostgreSQL
 * advisory lock, so replicas starting together run them once, one after another.
 */
export async function migrateUnderLock(
  dataSource: DataSource,
  schema: string,
): Promise<MigrationReport> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  const lockId = advisoryLockId(`axiorank:migrations:${schema}`);
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [lockId]);
    await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema.replace(/"/g, '""')}"`);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return { schema, applied: applied.map((m) => m.name) };
  } finally {
    try {
      await runner.query('SELECT pg_advisory_unlock($1)', [lockId]);
    } finally {
      await runner.release();
    }
  }
}
