import { Column, Entity, PrimaryColumn } from 'typeorm';

/** outbox_events (migrations/0008_outbox.sql): appended in the transaction of the write it reports. */
@Entity({ name: 'outbox_events' })
export class OutboxEventEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'bigint', insert: false, update: false })
  seq!: string;

  @Column('text')
  type!: string;

  @Column('text')
  object!: string;

  @Column('uuid', { name: 'record_id', nullable: true })
  recordId!: string | null;

  @Column('jsonb')
  payload!: Record<string, unknown>;

  @Column('text', { name: 'request_id', nullable: true })
  requestId!: string | null;

  @Column('text')
  channel!: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;
}
