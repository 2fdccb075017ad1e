import { InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { InputProp, RecordProp } from '../../../platform/records/field-decorators.js';
import { PartialInput } from '../../../platform/records/partial-input.js';
import { ACTIVITY_STATUSES, ACTIVITY_TYPES } from './activity.object.js';

export const ActivityType = Object.fromEntries(ACTIVITY_TYPES.map((s) => [s, s]));
registerEnumType(ActivityType, { name: 'ActivityType', description: 'Kind of activity.' });
export const ActivityStatus = Object.fromEntries(ACTIVITY_STATUSES.map((s) => [s, s]));
registerEnumType(ActivityStatus, { name: 'ActivityStatus', description: 'open, completed or cancelled.' });
const TYPE = { kind: 'enum' as const, enumValues: ACTIVITY_TYPES, graphqlEnum: ActivityType };
const STATUS = { kind: 'enum' as const, enumValues: ACTIVITY_STATUSES, graphqlEnum: ActivityStatus };

@ObjectType('Activity', { description: 'A call, email, meeting, note or task on the customer timeline.' })
export class ActivityDto {
  @RecordProp({ kind: 'uuid', description: 'Record id (UUIDv7).' }) id: string;
  @RecordProp({ ...TYPE, description: 'Kind of activity.' }) type: string;
  @RecordProp({ kind: 'string', description: 'One-line summary.', example: 'Intro call' }) subject: string;
  @RecordProp({ kind: 'text', nullable: true, description: 'Notes or body.' }) body: string | null;
  @RecordProp({ kind: 'datetime', description: 'When it happened or is planned.' }) occurredAt: Date;
  @RecordProp({ kind: 'datetime', nullable: true, description: 'Due time (tasks).' }) dueAt: Date | null;
  @RecordProp({ ...STATUS, description: 'Status.' }) status: string;
  @RecordProp({ kind: 'uuid', nullable: true, description: 'Owning user.' }) ownerId: string | null;
  @RecordProp({ kind: 'uuid', nullable: true, description: 'Linked account.' }) accountId: string | null;
  @RecordProp({ kind: 'uuid', nullable: true, description: 'Linked contact.' }) contactId: string | null;
  @RecordProp({ kind: 'uuid', nullable: true, description: 'Linked lead.' }) leadId: string | null;
  @RecordProp({ kind: 'uuid', nullable: true, description: 'Linked opportunity.' }) opportunityId:
    string | null;
  @RecordProp({ kind: 'string', nullable: true, description: 'Your system’s id; unique per tenant.' })
  externalId: string | null;
  @RecordProp({ kind: 'datetime', description: 'Created at.' }) createdAt: Date;
  @RecordProp({ kind: 'datetime', description: 'Last changed at.' }) updatedAt: Date;
  @RecordProp({ kind: 'int', description: 'Version; bumps on every change (ETag).' }) version: number;
}

@InputType('CreateActivityInput')
export class CreateActivityInput {
  @InputProp({ ...TYPE, required: true, description: 'Kind of activity.' }) type: string;
  @InputProp({ kind: 'string', required: true, maxLength: 500, description: 'One-line summary.' })
  subject: string;
  @InputProp({ kind: 'text', description: 'Notes or body.' }) body?: string | null;
  @InputProp({ kind: 'datetime', description: 'When it happened (default now).' }) occurredAt?: string;
  @InputProp({ kind: 'datetime', description: 'Due time (tasks).' }) dueAt?: string | null;
  @InputProp({ ...STATUS, description: 'Status (default: open for tasks, completed otherwise).' })
  status?: string;
  @InputProp({ kind: 'uuid', description: 'Owning user id.' }) ownerId?: string | null;
  @InputProp({ kind: 'uuid', description: 'Linked account id.' }) accountId?: string | null;
  @InputProp({ kind: 'uuid', description: 'Linked contact id.' }) contactId?: string | null;
  @InputProp({ kind: 'uuid', description: 'Linked lead id.' }) leadId?: string | null;
  @InputProp({ kind: 'uuid', description: 'Linked opportunity id.' }) opportunityId?: string | null;
  @InputProp({ kind: 'string', maxLength: 255, description: 'Your system’s id; unique per tenant.' })
  externalId?: string | null;
}

@InputType('UpdateActivityInput')
export class UpdateActivityInput extends PartialInput(CreateActivityInput) {}
