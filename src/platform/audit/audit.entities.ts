import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The `audit_events` table (migrations/0005). Described for the schema test and tooling only:
 * AuditService writes it with SQL (one statement that also advances the chain head), and the
 * app role may never update or delete a row.
 */
@Entity('audit_events')
export class AuditEventEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' }) tenantId: string;
  @PrimaryColumn('uuid') id: string;
  @Column('timestamptz', { name: 'occurred_at' }) occurredAt: Date;
  @Column('text', { name: 'actor_type' }) actorType: string;
  @Column('text', { name: 'actor_id' }) actorId: string;
  @Column('uuid', { name: 'user_id', nullable: true }) userId: string | null;
  @Column('text', { name: 'client_id', nullable: true }) clientId: string | null;
  @Column('text') channel: string;
  @Column('text', { name: 'request_id', nullable: true }) requestId: string | null;
  @Column('text', { nullable: true }) object: string | null;
  @Column('uuid', { name: 'record_id', nullable: true }) recordId: string | null;
  @Column('text') action: string;
  @Column('text') outcome: string;
  @Column('jsonb', { nullable: true }) changes: Record<string, { before: unknown; after: unknown }> | null;
  @Column('jsonb', { nullable: true }) details: Record<string, unknown> | null;
  @Column('uuid', { name: 'subject_key_id', nullable: true }) subjectKeyId: string | null;
  @Column('int2') chain: number;
  @Column('int8') seq: string;
  @Column('text', { name: 'prev_hash' }) prevHash: string;
  @Column('text') hash: string;
}

/** The `audit_chain_heads` table (migrations/0005): last seq and hash of each chain of a tenant. */
@Entity('audit_chain_heads')
export class AuditChainHeadEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' }) tenantId: string;
  @PrimaryColumn('int2') chain: number;
  @Column('int8') seq: string;
  @Column('text') hash: string;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt: Date;
}
