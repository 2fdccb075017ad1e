import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AddressDto } from '../../customers/address.dto.js';

/** The `leads` and `lead_queues` tables (migrations/0006). */
@Entity('leads')
export class LeadEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' }) tenantId: string;
  @PrimaryColumn('uuid') id: string;
  @Column('text', { name: 'first_name', nullable: true }) firstName: string | null;
  @Column('text', { name: 'last_name' }) lastName: string;
  @Column('text', { nullable: true }) email: string | null;
  @Column('text', { nullable: true }) phone: string | null;
  @Column('text', { nullable: true }) title: string | null;
  @Column('text', { nullable: true }) company: string | null;
  @Column('text', { nullable: true }) website: string | null;
  @Column('text', { nullable: true }) industry: string | null;
  @Column('integer', { nullable: true }) employees: number | null;
  @Column('jsonb', { nullable: true }) address: AddressDto | null;
  @Column('text', { nullable: true }) source: string | null;
  @Column('text', { default: 'new' }) status: string;
  @Column('text', { nullable: true }) rating: string | null;
  @Column('integer', { nullable: true }) score: number | null;
  @Column('uuid', { name: 'owner_id', nullable: true }) ownerId: string | null;
  @Column('uuid', { name: 'queue_id', nullable: true }) queueId: string | null;
  @Column('uuid', { name: 'assignment_rule_id', nullable: true }) assignmentRuleId: string | null;
  @Column('uuid', { name: 'converted_account_id', nullable: true }) convertedAccountId: string | null;
  @Column('uuid', { name: 'converted_contact_id', nullable: true }) convertedContactId: string | null;
  @Column('uuid', { name: 'converted_opportunity_id', nullable: true }) convertedOpportunityId: string | null;
  @Column('timestamptz', { name: 'converted_at', nullable: true }) convertedAt: Date | null;
  @Column('uuid', { name: 'converted_by', nullable: true }) convertedBy: string | null;
  @Column('text', { name: 'external_id', nullable: true }) externalId: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt: Date;
  @Column('timestamptz', { name: 'deleted_at', nullable: true }) deletedAt: Date | null;
  @Column('integer', { default: 1 }) version: number;
}

@Entity('lead_queues')
export class LeadQueueEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' }) tenantId: string;
  @PrimaryColumn('uuid') id: string;
  @Column('text') name: string;
  @Column('text', { nullable: true }) description: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt: Date;
  @Column('timestamptz', { name: 'deleted_at', nullable: true }) deletedAt: Date | null;
  @Column('integer', { default: 1 }) version: number;
}
