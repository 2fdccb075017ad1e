import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The `opportunities` table and the tables that hang off it (migrations/0006). */
@Entity('opportunities')
export class OpportunityEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' }) tenantId: string;
  @PrimaryColumn('uuid') id: string;
  @Column('text') name: string;
  @Column('uuid', { name: 'account_id', nullable: true }) accountId: string | null;
  @Column('uuid', { name: 'primary_contact_id', nullable: true }) primaryContactId: string | null;
  @Column('uuid', { name: 'pipeline_id' }) pipelineId: string;
  @Column('uuid', { name: 'stage_id' }) stageId: string;
  @Column('numeric', { precision: 20, scale: 2, nullable: true }) amount: string | null;
  @Column('character', { length: 3, nullable: true }) currency: string | null;
  @Column('timestamptz', { name: 'close_date', nullable: true }) closeDate: Date | null;
  @Column('integer') probability: number;
  @Column('text', { name: 'forecast_category' }) forecastCategory: string;
  @Column('uuid', { name: 'owner_id', nullable: true }) ownerId: string | null;
  @Column('text', { name: 'next_step', nullable: true }) nextStep: string | null;
  @Column('text', { name: 'loss_reason', nullable: true }) lossReason: string | null;
  @Column('text', { nullable: true }) source: string | null;
  @Column('timestamptz', { name: 'closed_at', nullable: true }) closedAt: Date | null;
  @Column('text', { name: 'external_id', nullable: true }) externalId: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt: Date;
  @Column('timestamptz', { name: 'deleted_at', nullable: true }) deletedAt: Date | null;
  @Column('integer', { default: 1 }) version: number;
}

@Entity('opportunity_stage_history')
export class StageChangeEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' }) tenantId: string;
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'opportunity_id' }) opportunityId: string;
  @Column('uuid', { name: 'from_stage_id', nullable: true }) fromStageId: string | null;
  @Column('uuid', { name: 'to_stage_id' }) toStageId: string;
  @Column('timestamptz', { name: 'changed_at', default: () => 'clock_timestamp()' }) changedAt: Date;
  @Column('uuid', { name: 'changed_by', nullable: true }) changedBy: string | null;
  @Column('float8', { name: 'seconds_in_from_stage', nullable: true }) secondsInFromStage: number | null;
}

@Entity('opportunity_contact_roles')
export class ContactRoleEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' }) tenantId: string;
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'opportunity_id' }) opportunityId: string;
  @Column('uuid', { name: 'contact_id' }) contactId: string;
  @Column('text') role: string;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
}

@Entity('opportunity_line_items')
export class LineItemEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' }) tenantId: string;
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'opportunity_id' }) opportunityId: string;
  @Column('uuid', { name: 'product_id' }) productId: string;
  @Column('numeric', { precision: 18, scale: 4 }) quantity: string;
  @Column('numeric', { name: 'unit_price', precision: 20, scale: 2 }) unitPrice: string;
  @Column('numeric', { name: 'discount_percent', precision: 5, scale: 2, default: 0 })
  discountPercent: string;
  @Column({
    type: 'numeric',
    precision: 20,
    scale: 2,
    generatedType: 'STORED',
    asExpression: 'round(quantity * unit_price * (100 - discount_percent) / 100, 2)',
  })
  total: string;
  @Column('character', { length: 3 }) currency: string;
  @Column('text', { nullable: true }) description: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt: Date;
  @Column('integer', { default: 1 }) version: number;
}
