import type { DynamicModule, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { migrateUnderLock } from '../database/migrate';

/** The service's modules without HTTP or consumers, for one-off commands (migrate, reseal). */
export const commandContext = (appModule: DynamicModule): Promise<INestApplicationContext> =>
  NestFactory.createApplicationContext(appModule, { logger: ['error', 'warn', 'log'] });

/** `main.js migrate`: applies the service's pending migrations (under the advisory lock) and exits. */
export async function runMigrateCommand(appModule: DynamicModule, schema: string): Promise<void> {
  const app = await commandContext(appModule);
  try {
    const report = await migrateUnderLock(app.get(DataSource), schema);
    process.stdout.write(
      `${schema}: ${report.applied.length} migration(s) applied ${report.applied.join(', ')}\n`,
    );
  } finally {
    await app.close();
  }
}
