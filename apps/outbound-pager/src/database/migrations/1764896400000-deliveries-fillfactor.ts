import type { MigrationInterface, QueryRunner } from 'typeorm';

const SCHEMA = 'outbound_pager';

/**
 * Every job row is updated twice after its insert (claimed, then answered). Leaving a third of
 * each page free lets those updates stay on the same page as heap-only tuples where no indexed
 * column changes (the claim's lease), instead of adding entries to every index.
 */
export class DeliveriesFillfactor1764896400000 implements MigrationInterface {
  name = 'DeliveriesFillfactor1764896400000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE "${SCHEMA}"."deliveries" SET (fillfactor = 70)`);
    await runner.query(`ALTER TABLE "${SCHEMA}"."pagerduty_incidents" SET (fillfactor = 70)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE "${SCHEMA}"."deliveries" RESET (fillfactor)`);
    await runner.query(`ALTER TABLE "${SCHEMA}"."pagerduty_incidents" RESET (fillfactor)`);
  }
}
