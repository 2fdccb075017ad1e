import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The `products` table (migrations/0006). */
@Entity('products')
export class ProductEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' }) tenantId: string;
  @PrimaryColumn('uuid') id: string;
  @Column('text') sku: string;
  @Column('text') name: string;
  @Column('text', { nullable: true }) description: string | null;
  @Column('numeric', { name: 'unit_price', precision: 20, scale: 2 }) unitPrice: string;
  @Column('character', { length: 3 }) currency: string;
  @Column('boolean', { default: true }) active: boolean;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt: Date;
  @Column('timestamptz', { name: 'deleted_at', nullable: true }) deletedAt: Date | null;
  @Column('integer', { default: 1 }) version: number;
}
