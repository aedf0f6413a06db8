import { Logger } from '@nestjs/common';
import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ChannelsService } from '../channels/channels.service';
import { ChannelEntity } from '../channels/entities/channel.entity';

export interface ResealReport {
  scanned: number;
  changed: number;
  failed: { id: string; reason: string }[];
}

const PAGE = 200;

/**
 * Re-seals every channel's secrets under the first key of CREDENTIAL_KEYS (key rotation, or
 * sealing legacy plaintext rows). Each channel commits on its own with its new snapshot, so the
 * command can be stopped at any point and run again: it is idempotent and resumes by itself.
 */
export async function runReseal(app: INestApplicationContext): Promise<ResealReport> {
  const logger = new Logger('reseal');
  const channels = app.get(ChannelsService);
  const repository = app.get(DataSource).getRepository(ChannelEntity);
  const report: ResealReport = { scanned: 0, changed: 0, failed: [] };
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const page = await repository
      .createQueryBuilder('c')
      .select(['c.id'])
      .where('c.id > :after', { after })
      .orderBy('c.id', 'ASC')
      .limit(PAGE)
      .getMany();
    if (page.length === 0) break;
    for (const { id } of page) {
      report.scanned++;
      try {
        if (await channels.reseal(id)) report.changed++;
      } catch (error) {
        // Never the secret: SecretOpenError messages carry the reason and key id only.
        report.failed.push({ id, reason: error instanceof Error ? error.message : String(error) });
      }
    }
    after = page[page.length - 1].id;
    logger.log(`re-seal progress: ${report.scanned} scanned, ${report.changed} changed`);
  }
  return report;
}
