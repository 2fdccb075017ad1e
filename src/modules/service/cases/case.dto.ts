import { InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { InputProp, OutputProp, RecordProp } from '../../../platform/records/field-decorators.js';
import { PartialInput } from '../../../platform/records/partial-input.js';
import { CASE_CHANNELS, CASE_PRIORITIES, CASE_STATUSES } from './case.object.js';

export const CaseStatusEnum = Object.fromEntries(CASE_STATUSES.map((s) => [s, s]));
registerEnumType(CaseStatusEnum, {
  name: 'CaseStatus',
  description: 'new, open, pending, onHold, solved, closed (docs/service.md#lifecycle).',
});
export const CasePriorityEnum = Object.fromEntries(CASE_PRIORITIES.map((s) => [s, s]));
registerEnumType(CasePriorityEnum, { name: 'CasePriority', description: 'low, normal, high or urgent.' });
export const CaseChannelEnum = Object.fromEntries(CASE_CHANNELS.map((s) => [s, s]));
registerEnumType(CaseChannelEnum, { name: 'CaseChannel', description: 'email, phone, web, chat or social.' });

const STATUS = { kind: 'enum' as const, enumValues: CASE_STATUSES, graphqlEnum: CaseStatusEnum };
const PRIORITY = { kind: 'enum' as const, enumValues: CASE_PRIORITIES, graphqlEnum: CasePriorityEnum };
const CHANNEL = { kind: 'enum' as const, enumValues: CASE_CHANNELS, graphqlEnum: CaseChannelEnum };
/** A case is created open-ish; solved and closed come through the lifecycle. */
const CREATE_STATUSES = ['new', 'open', 'pending', 'onHold'] as const;

@ObjectType('Case', { description: 'A support case (ticket) with its SLA clock and CSAT.' })
export class CaseDto {
  @RecordProp({ kind: 'uuid', description: 'Record id (UUIDv7).' }) id: string;
  @RecordProp({ kind: 'string', description: 'Number, gap-free per tenant.', example: 'CS-000123' })
  number: string;
  @RecordProp({ kind: 'string', description: 'Subject line.', example: 'Cannot export invoices' })
  subject: string;
  @RecordProp({ kind: 'text', nullable: true, description: 'What the customer reported.' }) description:
    string | null;
  @RecordProp({ ...STATUS, description: 'Lifecycle status.' }) status: string;
  @RecordProp({ ...PRIORITY, description: 'Priority.' }) priority: string;
  @RecordProp({ ...CHANNEL, nullable: true, description: 'How it came in.' }) channel: string | null;
  @RecordProp({ kind: 'uuid', nullable: true, description: 'The customer contact.' }) contactId:
    string | null;
  @RecordProp({ kind: 'uuid', nullable: true, description: 'The customer account.' }) accountId:
    string | null;
  @RecordProp({ kind: 'uuid', nullable: true, description: 'The queue it waits in.' }) queueId: string | null;
  @RecordProp({ kind: 'uuid', nullable: true, description: 'The agent working it.' }) assigneeId:
    string | null;
  @RecordProp({
    kind: 'uuid',
    nullable: true,
    description: 'Record owner for record-level security: always the assignee (read-only).',
  })
  ownerId: string | null;
  @RecordProp({ kind: 'stringArray', description: 'Free-form tags.' }) tags: string[];
  @RecordProp({ kind: 'string', nullable: true, description: 'Your system’s id; unique per tenant.' })
  externalId: string | null;
  @RecordProp({ kind: 'uuid', nullable: true, description: 'The SLA policy that matched.' }) slaPolicyId:
    string | null;
  @RecordProp({
    kind: 'datetime',
    nullable: true,
    description: 'First public agent reply due (business time).',
  })
  firstResponseDueAt: Date | null;
  @RecordProp({
    kind: 'datetime',
    nullable: true,
    description: 'Resolution due (business time); null while the clock is paused or stopped.',
  })
  resolutionDueAt: Date | null;
  @RecordProp({ kind: 'datetime', nullable: true, description: 'First public agent reply.' })
  firstRespondedAt: Date | null;
  @RecordProp({ kind: 'datetime', nullable: true, description: 'When it was solved.' })
  resolvedAt: Date | null;
  @RecordProp({ kind: 'datetime', nullable: true, description: 'When it was closed.' }) closedAt: Date | null;
  @RecordProp({ kind: 'boolean', description: 'First response late (or still missing past due).' })
  firstResponseBreached: boolean;
  @RecordProp({ kind: 'boolean', description: 'Resolution late (or still missing past due).' })
  resolutionBreached: boolean;
  @RecordProp({ kind: 'datetime', nullable: true, description: 'Since when the resolution clock is paused.' })
  slaPausedAt: Date | null;
  @RecordProp({
    kind: 'decimal',
    description: 'Business minutes the resolution clock ran before its current run.',
  })
  resolutionElapsedMinutes: string;
  @RecordProp({ kind: 'decimal', nullable: true, description: 'Business minutes to the first response.' })
  businessFirstResponseMinutes: string | null;
  @RecordProp({
    kind: 'decimal',
    nullable: true,
    description: 'Business minutes to resolution (pauses excluded).',
  })
  businessResolutionMinutes: string | null;
  @RecordProp({ kind: 'int', nullable: true, description: 'Customer satisfaction 1–5.' }) csatScore:
    number | null;
  @RecordProp({ kind: 'text', nullable: true, description: 'The customer’s CSAT comment.' }) csatComment:
    string | null;
  @RecordProp({ kind: 'datetime', nullable: true, description: 'When CSAT was given.' }) csatAt: Date | null;
  @RecordProp({ kind: 'datetime', description: 'Created at (the first-response clock starts here).' })
  createdAt: Date;
  @RecordProp({ kind: 'datetime', description: 'Last changed at.' }) updatedAt: Date;
  @RecordProp({ kind: 'int', description: 'Version; bumps on every change (ETag).' }) version: number;
}

@InputType({ isAbstract: true })
export class CaseFieldsInput {
  @InputProp({ kind: 'string', required: true, maxLength: 500, description: 'Subject line.' })
  subject: string;
  @InputProp({ kind: 'text', maxLength: 100_000, description: 'What the customer reported.' }) description?:
    string | null;
  @InputProp({ ...PRIORITY, description: 'Priority (default normal).' }) priority?: string;
  @InputProp({ ...CHANNEL, description: 'How it came in.' }) channel?: string | null;
  @InputProp({ kind: 'uuid', description: 'The customer contact.' }) contactId?: string | null;
  @InputProp({ kind: 'uuid', description: 'The customer account.' }) accountId?: string | null;
  @InputProp({
    kind: 'uuid',
    description: 'A case queue. Without an assignee, round-robin among its active members picks one.',
  })
  queueId?: string | null;
  @InputProp({
    kind: 'uuid',
    description:
      'The agent (needs cases:assign unless it is you). Without assigneeId and queueId the assignment rules route the case.',
  })
  assigneeId?: string | null;
  @InputProp({ kind: 'stringArray', description: 'Free-form tags.' }) tags?: string[];
  @InputProp({ kind: 'string', maxLength: 255, description: 'Your system’s id; unique per tenant.' })
  externalId?: string | null;
}

@InputType('CreateCaseInput')
export class CreateCaseInput extends CaseFieldsInput {
  @InputProp({
    kind: 'enum',
    enumValues: CREATE_STATUSES,
    graphqlEnum: CaseStatusEnum,
    description: 'Initial status: new (default), open, pending or onHold.',
  })
  status?: string;
}

@InputType('UpdateCaseInput')
export class UpdateCaseInput extends PartialInput(CaseFieldsInput) {
  @InputProp({
    ...STATUS,
    description:
      'New status; allowed moves: docs/service.md#lifecycle (a closed case is final: 409; solved → open/pending/onHold reopens).',
  })
  status?: string;
}

@ObjectType('CaseComment', { description: 'A comment on a case: public (customer-facing) or internal.' })
export class CaseCommentDto {
  @OutputProp({ kind: 'uuid', description: 'Comment id.' }) id: string;
  @OutputProp({ kind: 'uuid', description: 'The case.' }) caseId: string;
  @OutputProp({ kind: 'text', description: 'Body (plain text or Markdown).' }) body: string;
  @OutputProp({ kind: 'boolean', description: 'Customer-facing (true) or internal note (false).' })
  isPublic: boolean;
  @OutputProp({ kind: 'uuid', nullable: true, description: 'The user who wrote it.' }) authorId:
    string | null;
  @OutputProp({
    kind: 'uuid',
    nullable: true,
    description: 'The contact it came from, when written for the customer.',
  })
  authorContactId: string | null;
  @OutputProp({ kind: 'datetime', description: 'Written at.' }) createdAt: Date;
}

@InputType('CreateCaseCommentInput')
export class CreateCaseCommentInput {
  @InputProp({ kind: 'text', required: true, maxLength: 100_000, description: 'Body.' }) body: string;
  @InputProp({ kind: 'boolean', description: 'Customer-facing (default false: an internal note).' })
  isPublic?: boolean;
  @InputProp({
    kind: 'uuid',
    description:
      'Record the comment as the customer’s (a contact of the tenant), e.g. a mail importer; such a comment is no agent response.',
  })
  authorContactId?: string | null;
}

export class CaseCommentListDto {
  @ApiProperty({ type: [CaseCommentDto], description: 'The comments, oldest first.' })
  data: CaseCommentDto[];
}

@InputType('CaseCsatInput')
export class CaseCsatInput {
  @InputProp({
    kind: 'int',
    required: true,
    min: 1,
    max: 5,
    description: 'Satisfaction 1 (worst) – 5 (best).',
  })
  score: number;
  @InputProp({ kind: 'text', maxLength: 10_000, description: 'The customer’s comment.' }) comment?:
    string | null;
}

@ObjectType('CaseAssignment', { description: 'One (re)assignment of a case: queue and/or assignee.' })
export class CaseAssignmentDto {
  @OutputProp({ kind: 'uuid', description: 'History entry id.' }) id: string;
  @OutputProp({ kind: 'uuid', description: 'The case.' }) caseId: string;
  @OutputProp({ kind: 'uuid', nullable: true, description: 'Queue before.' }) fromQueueId: string | null;
  @OutputProp({ kind: 'uuid', nullable: true, description: 'Queue after.' }) toQueueId: string | null;
  @OutputProp({ kind: 'uuid', nullable: true, description: 'Assignee before.' }) fromAssigneeId:
    string | null;
  @OutputProp({ kind: 'uuid', nullable: true, description: 'Assignee after.' }) toAssigneeId: string | null;
  @OutputProp({ kind: 'uuid', nullable: true, description: 'The assignment rule, when a rule did it.' })
  ruleId: string | null;
  @OutputProp({ kind: 'string', description: 'rule, manual, queueRouting or escalation.' }) reason: string;
  @OutputProp({ kind: 'uuid', nullable: true, description: 'The acting user (null: system or API client).' })
  actorId: string | null;
  @OutputProp({ kind: 'datetime', description: 'When.' }) assignedAt: Date;
}

export class CaseAssignmentListDto {
  @ApiProperty({ type: [CaseAssignmentDto], description: 'Oldest first.' })
  data: CaseAssignmentDto[];
}
