import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The `cases` table (migrations/0010); the service writes it with SQL, the entity documents it. */
@Entity('cases')
export class CaseEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' }) tenantId: string;
  @PrimaryColumn('uuid') id: string;
  @Column('text') number: string;
  @Column('text') subject: string;
  @Column('text', { nullable: true }) description: string | null;
  @Column('text', { default: 'new' }) status: string;
  @Column('text', { default: 'normal' }) priority: string;
  @Column('text', { nullable: true }) channel: string | null;
  @Column('uuid', { name: 'contact_id', nullable: true }) contactId: string | null;
  @Column('uuid', { name: 'account_id', nullable: true }) accountId: string | null;
  @Column('uuid', { name: 'queue_id', nullable: true }) queueId: string | null;
  @Column('uuid', { name: 'assignee_id', nullable: true }) assigneeId: string | null;
  @Column('text', { array: true, default: () => "'{}'" }) tags: string[];
  @Column('text', { name: 'external_id', nullable: true }) externalId: string | null;
  @Column('uuid', { name: 'sla_policy_id', nullable: true }) slaPolicyId: string | null;
  @Column('timestamptz', { name: 'first_response_due_at', nullable: true }) firstResponseDueAt: Date | null;
  @Column('timestamptz', { name: 'first_response_warn_at', nullable: true }) firstResponseWarnAt: Date | null;
  @Column('timestamptz', { name: 'resolution_due_at', nullable: true }) resolutionDueAt: Date | null;
  @Column('timestamptz', { name: 'resolution_warn_at', nullable: true }) resolutionWarnAt: Date | null;
  @Column('timestamptz', { name: 'first_responded_at', nullable: true }) firstRespondedAt: Date | null;
  @Column('timestamptz', { name: 'resolved_at', nullable: true }) resolvedAt: Date | null;
  @Column('timestamptz', { name: 'closed_at', nullable: true }) closedAt: Date | null;
  @Column('boolean', { name: 'first_response_breached', default: false }) firstResponseBreached: boolean;
  @Column('boolean', { name: 'resolution_breached', default: false }) resolutionBreached: boolean;
  @Column('numeric', { name: 'resolution_elapsed_minutes', precision: 14, scale: 3, default: 0 })
  resolutionElapsedMinutes: string;
  @Column('timestamptz', { name: 'resolution_clock_started_at', nullable: true })
  resolutionClockStartedAt: Date | null;
  @Column('timestamptz', { name: 'paused_at', nullable: true }) pausedAt: Date | null;
  @Column('numeric', { name: 'business_first_response_minutes', precision: 14, scale: 3, nullable: true })
  businessFirstResponseMinutes: string | null;
  @Column('numeric', { name: 'business_resolution_minutes', precision: 14, scale: 3, nullable: true })
  businessResolutionMinutes: string | null;
  @Column('smallint', { name: 'csat_score', nullable: true }) csatScore: number | null;
  @Column('text', { name: 'csat_comment', nullable: true }) csatComment: string | null;
  @Column('timestamptz', { name: 'csat_at', nullable: true }) csatAt: Date | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt: Date;
  @Column('timestamptz', { name: 'deleted_at', nullable: true }) deletedAt: Date | null;
  @Column('integer', { default: 1 }) version: number;
}

/** The `case_queues` table (migrations/0010). */
@Entity('case_queues')
export class CaseQueueEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' }) tenantId: string;
  @PrimaryColumn('uuid') id: string;
  @Column('text') name: string;
  @Column('text', { nullable: true }) description: string | null;
  @Column('boolean', { default: true }) active: boolean;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt: Date;
  @Column('timestamptz', { name: 'deleted_at', nullable: true }) deletedAt: Date | null;
  @Column('integer', { default: 1 }) version: number;
}

/** The `case_comments` table (migrations/0010). */
@Entity('case_comments')
export class CaseCommentEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' }) tenantId: string;
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'case_id' }) caseId: string;
  @Column('text') body: string;
  @Column('boolean', { name: 'is_public', default: false }) isPublic: boolean;
  @Column('uuid', { name: 'author_id', nullable: true }) authorId: string | null;
  @Column('uuid', { name: 'author_contact_id', nullable: true }) authorContactId: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
}
