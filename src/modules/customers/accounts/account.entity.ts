import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AddressDto } from '../address.dto.js';

/**
 * The `accounts` table as TypeORM sees it (migrations/0001). The record layer reads and writes
 * through the object registry; the entity keeps the mapping checked against the migrated schema.
 */
@Entity('accounts')
export class AccountEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' }) tenantId: string;
  @PrimaryColumn('uuid') id: string;
  @Column('text') name: string;
  @Column('text', { nullable: true }) domain: string | null;
  @Column('text', { nullable: true }) industry: string | null;
  @Column('integer', { nullable: true }) employees: number | null;
  @Column('numeric', { name: 'annual_revenue', precision: 20, scale: 2, nullable: true }) annualRevenue:
    string | null;
  @Column('character', { length: 3, nullable: true }) currency: string | null;
  @Column('text', { nullable: true }) website: string | null;
  @Column('text', { nullable: true }) phone: string | null;
  @Column('jsonb', { name: 'billing_address', nullable: true }) billingAddress: AddressDto | null;
  @Column('jsonb', { name: 'shipping_address', nullable: true }) shippingAddress: AddressDto | null;
  @Column('uuid', { name: 'parent_account_id', nullable: true }) parentAccountId: string | null;
  @Column('uuid', { name: 'owner_id', nullable: true }) ownerId: string | null;
  @Column('text', { name: 'external_id', nullable: true }) externalId: string | null;
  @Column('text', { array: true, default: () => "'{}'" }) tags: string[];
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt: Date;
  @Column('timestamptz', { name: 'deleted_at', nullable: true }) deletedAt: Date | null;
  @Column('integer', { default: 1 }) version: number;
}
