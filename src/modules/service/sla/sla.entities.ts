import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The `business_calendars` and `sla_policies` tables (migrations/0009). The record layer reads and
 * writes through the object registry; the entities keep the mapping checked against the schema.
 */
@Entity('business_calendars')
export class BusinessCalendarEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' }) tenantId: string;
  @PrimaryColumn('uuid') id: string;
  @Column('text') name: string;
  @Column('text', { nullable: true }) description: string | null;
  @Column('text', { name: 'time_zone' }) timeZone: string;
  @Column('jsonb', { name: 'weekly_hours' }) weeklyHours: unknown;
  @Column('jsonb', { default: () => "'[]'" }) holidays: unknown;
  @Column('boolean', { name: 'is_default', default: false }) isDefault: boolean;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt: Date;
  @Column('timestamptz', { name: 'deleted_at', nullable: true }) deletedAt: Date | null;
  @Column('integer', { default: 1 }) version: number;
}

@Entity('sla_policies')
export class SlaPolicyEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' }) tenantId: string;
  @PrimaryColumn('uuid') id: string;
  @Column('text') name: string;
  @Column('text', { nullable: true }) description: string | null;
  @Column('integer') position: number;
  @Column('jsonb', { nullable: true }) condition: unknown;
  @Column('uuid', { name: 'calendar_id', nullable: true }) calendarId: string | null;
  @Column('integer', { name: 'first_response_minutes', nullable: true }) firstResponseMinutes: number | null;
  @Column('integer', { name: 'resolution_minutes', nullable: true }) resolutionMinutes: number | null;
  @Column('boolean', { name: 'pause_on_pending', default: true }) pauseOnPending: boolean;
  @Column('boolean', { name: 'pause_on_hold', default: true }) pauseOnHold: boolean;
  @Column('boolean', { default: true }) active: boolean;
  @Column('text', { name: 'escalate_priority_to', nullable: true }) escalatePriorityTo: string | null;
  @Column('uuid', { name: 'escalate_queue_id', nullable: true }) escalateQueueId: string | null;
  @Column('uuid', { name: 'escalate_assignee_id', nullable: true }) escalateAssigneeId: string | null;
  @Column('integer', { name: 'warn_before_minutes', nullable: true }) warnBeforeMinutes: number | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt: Date;
  @Column('timestamptz', { name: 'deleted_at', nullable: true }) deletedAt: Date | null;
  @Column('integer', { default: 1 }) version: number;
}
