import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The `activities` table (migrations/0001; lead_id and opportunity_id: 0006); see AccountEntity for the entity's role. */
@Entity('activities')
export class ActivityEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' }) tenantId: string;
  @PrimaryColumn('uuid') id: string;
  @Column('text') type: string;
  @Column('text') subject: string;
  @Column('text', { nullable: true }) body: string | null;
  @Column('timestamptz', { name: 'occurred_at', default: () => 'now()' }) occurredAt: Date;
  @Column('timestamptz', { name: 'due_at', nullable: true }) dueAt: Date | null;
  @Column('text', { default: 'completed' }) status: string;
  @Column('uuid', { name: 'owner_id', nullable: true }) ownerId: string | null;
  @Column('uuid', { name: 'account_id', nullable: true }) accountId: string | null;
  @Column('uuid', { name: 'contact_id', nullable: true }) contactId: string | null;
  @Column('uuid', { name: 'lead_id', nullable: true }) leadId: string | null;
  @Column('uuid', { name: 'opportunity_id', nullable: true }) opportunityId: string | null;
  @Column('text', { name: 'external_id', nullable: true }) externalId: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt: Date;
  @Column('timestamptz', { name: 'deleted_at', nullable: true }) deletedAt: Date | null;
  @Column('integer', { default: 1 }) version: number;
}
