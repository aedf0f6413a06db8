import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { Severity } from '@app/severity';
import type { ChannelMode, ChannelRegion, QuietHoursV1 } from '@app/contracts';

@Entity({ name: 'channels' })
@Index('channels_workspace_idx', ['workspaceId', 'createdAt'])
export class ChannelEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  @Column({ type: 'text' })
  name!: string;

  /** Sealed with the workspace-bound key ring, or plaintext from before a key was configured. */
  @Column({ name: 'routing_key', type: 'text' })
  routingKey!: string;

  @Column({ name: 'routing_key_hint', type: 'text' })
  routingKeyHint!: string;

  @Column({ type: 'text' })
  region!: ChannelRegion;

  @Column({ type: 'text' })
  mode!: ChannelMode;

  @Column({ name: 'severity_floor', type: 'text' })
  severityFloor!: Severity;

  @Column({ name: 'quiet_hours', type: 'jsonb', nullable: true })
  quietHours!: QuietHoursV1 | null;

  @Column({ name: 'hourly_cap', type: 'integer', nullable: true })
  hourlyCap!: number | null;

  @Column({ name: 'two_way_sync', type: 'boolean', default: false })
  twoWaySync!: boolean;

  /** PagerDuty's webhook signing secret, sealed like the routing key. */
  @Column({ name: 'signing_secret', type: 'text', nullable: true })
  signingSecret!: string | null;

  @Column({ name: 'webhook_verified_at', type: 'timestamptz', nullable: true })
  webhookVerifiedAt!: Date | null;

  /** Increases with every change; consumers of the channel topic ignore older snapshots. */
  @Column({ type: 'integer', default: 1 })
  version!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
