import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The `lead_assignment_rules` table (migrations/0006). */
@Entity('lead_assignment_rules')
export class LeadAssignmentRuleEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' }) tenantId: string;
  @PrimaryColumn('uuid') id: string;
  @Column('integer') position: number;
  @Column('text') name: string;
  @Column('jsonb', { nullable: true }) condition: unknown;
  @Column('text', { name: 'assignee_type' }) assigneeType: string;
  @Column('uuid', { name: 'user_id', nullable: true }) userId: string | null;
  @Column('uuid', { name: 'team_id', nullable: true }) teamId: string | null;
  @Column('uuid', { name: 'queue_id', nullable: true }) queueId: string | null;
  @Column('boolean', { default: true }) active: boolean;
  @Column('uuid', { name: 'last_assigned_user_id', nullable: true }) lastAssignedUserId: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt: Date;
  @Column('integer', { default: 1 }) version: number;
}
