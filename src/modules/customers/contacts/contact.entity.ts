import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AddressDto } from '../address.dto.js';

/** The `contacts` table (migrations/0001); see AccountEntity for the entity's role. */
@Entity('contacts')
export class ContactEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' }) tenantId: string;
  @PrimaryColumn('uuid') id: string;
  @Column('text', { name: 'first_name', nullable: true }) firstName: string | null;
  @Column('text', { name: 'last_name' }) lastName: string;
  @Column('text', { nullable: true }) email: string | null;
  @Column('text', { nullable: true }) phone: string | null;
  @Column('text', { nullable: true }) title: string | null;
  @Column('uuid', { name: 'account_id', nullable: true }) accountId: string | null;
  @Column('uuid', { name: 'owner_id', nullable: true }) ownerId: string | null;
  @Column('text', { name: 'lifecycle_stage', nullable: true }) lifecycleStage: string | null;
  @Column('text', { name: 'lead_source', nullable: true }) leadSource: string | null;
  @Column('boolean', { name: 'do_not_contact', default: false }) doNotContact: boolean;
  @Column('jsonb', { nullable: true }) address: AddressDto | null;
  @Column('text', { name: 'external_id', nullable: true }) externalId: string | null;
  @Column('text', { array: true, default: () => "'{}'" }) tags: string[];
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt: Date;
  @Column('timestamptz', { name: 'deleted_at', nullable: true }) deletedAt: Date | null;
  @Column('integer', { default: 1 }) version: number;
}
