import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The `pipelines` and `pipeline_stages` tables (migrations/0006). The record layer reads and
 * writes through the object registry; the entities keep the mapping checked against the schema.
 */
@Entity('pipelines')
export class PipelineEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' }) tenantId: string;
  @PrimaryColumn('uuid') id: string;
  @Column('text') name: string;
  @Column('text', { nullable: true }) description: string | null;
  @Column('boolean', { default: true }) active: boolean;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt: Date;
  @Column('timestamptz', { name: 'deleted_at', nullable: true }) deletedAt: Date | null;
  @Column('integer', { default: 1 }) version: number;
}

@Entity('pipeline_stages')
export class StageEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' }) tenantId: string;
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'pipeline_id' }) pipelineId: string;
  @Column('text') name: string;
  @Column('integer') position: number;
  @Column('integer') probability: number;
  @Column('text') category: string;
  @Column('text', { nullable: true }) description: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt: Date;
  @Column('timestamptz', { name: 'deleted_at', nullable: true }) deletedAt: Date | null;
  @Column('integer', { default: 1 }) version: number;
}
