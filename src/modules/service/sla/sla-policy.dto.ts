import { InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { InputProp, RecordProp } from '../../../platform/records/field-decorators.js';
import {
  ConditionInputProp,
  ConditionOutputProp,
  OrderIdsProp,
} from '../../../platform/records/ordered-rules.js';
import { PartialInput } from '../../../platform/records/partial-input.js';
import { ESCALATION_PRIORITIES } from './sla-policy.object.js';

export const EscalationPriorityEnum = Object.fromEntries(ESCALATION_PRIORITIES.map((s) => [s, s]));
registerEnumType(EscalationPriorityEnum, {
  name: 'SlaEscalationPriority',
  description: 'The case priority a breach raises the case to.',
});
const PRIORITY = {
  kind: 'enum' as const,
  enumValues: ESCALATION_PRIORITIES,
  graphqlEnum: EscalationPriorityEnum,
};

/** Most live SLA policies a tenant may have. */
export const MAX_POLICIES = 100;
/** Largest target: a year of business minutes around the clock. */
export const MAX_TARGET_MINUTES = 525_600;

const CONDITION_DOC =
  'Which cases the policy applies to: a filter on cases in the query language (a filter string or its JSON AST, docs/query-language.md), e.g. "priority eq \'urgent\'"; null matches every case.';

@ObjectType('SlaPolicy', {
  description:
    'An SLA policy: the first active one (by position) whose condition matches a case sets its targets in business time (docs/service.md#sla-policies).',
})
export class SlaPolicyDto {
  @RecordProp({ kind: 'uuid', description: 'Record id (UUIDv7).' }) id: string;
  @RecordProp({ kind: 'string', description: 'Policy name.', example: 'Urgent cases' }) name: string;
  @RecordProp({ kind: 'text', nullable: true, description: 'What the policy is for.' }) description:
    string | null;
  @RecordProp({ kind: 'int', description: 'Place in the evaluation order, 1 = evaluated first.' })
  position: number;
  @ConditionOutputProp(CONDITION_DOC, "priority eq 'urgent'")
  condition: unknown;
  @RecordProp({
    kind: 'uuid',
    nullable: true,
    description: 'Business calendar of the targets; null = the tenant’s default calendar, else 24/7 UTC.',
  })
  calendarId: string | null;
  @RecordProp({
    kind: 'int',
    nullable: true,
    description: 'First-response target, business minutes.',
    example: 60,
  })
  firstResponseMinutes: number | null;
  @RecordProp({
    kind: 'int',
    nullable: true,
    description: 'Resolution target, business minutes.',
    example: 480,
  })
  resolutionMinutes: number | null;
  @RecordProp({ kind: 'boolean', description: 'Whether status pending pauses the resolution clock.' })
  pauseOnPending: boolean;
  @RecordProp({ kind: 'boolean', description: 'Whether status onHold pauses the resolution clock.' })
  pauseOnHold: boolean;
  @RecordProp({ kind: 'boolean', description: 'Inactive policies are skipped.' }) active: boolean;
  @RecordProp({ ...PRIORITY, nullable: true, description: 'On a breach, raise the case to this priority.' })
  escalatePriorityTo: string | null;
  @RecordProp({ kind: 'uuid', nullable: true, description: 'On a breach, move the case to this queue.' })
  escalateQueueId: string | null;
  @RecordProp({ kind: 'uuid', nullable: true, description: 'On a breach, assign the case to this user.' })
  escalateAssigneeId: string | null;
  @RecordProp({
    kind: 'int',
    nullable: true,
    description: 'A case approaches a breach this many business minutes before a due time.',
  })
  warnBeforeMinutes: number | null;
  @RecordProp({ kind: 'datetime', description: 'Created at.' }) createdAt: Date;
  @RecordProp({ kind: 'datetime', description: 'Last changed at.' }) updatedAt: Date;
  @RecordProp({ kind: 'int', description: 'Version; bumps on every change (ETag).' }) version: number;
}

@InputType({ isAbstract: true })
export class PolicyFieldsInput {
  @InputProp({
    kind: 'string',
    required: true,
    maxLength: 200,
    description: 'Policy name.',
    example: 'Urgent cases',
  })
  name: string;
  @InputProp({ kind: 'text', maxLength: 2000, description: 'What the policy is for.' })
  description?: string | null;
  @ConditionInputProp(CONDITION_DOC)
  condition?: unknown;
  @InputProp({ kind: 'uuid', description: 'Business calendar; null = the tenant’s default calendar.' })
  calendarId?: string | null;
  @InputProp({
    kind: 'int',
    min: 1,
    max: MAX_TARGET_MINUTES,
    description: 'First-response target in business minutes (a policy sets at least one target).',
    example: 60,
  })
  firstResponseMinutes?: number | null;
  @InputProp({
    kind: 'int',
    min: 1,
    max: MAX_TARGET_MINUTES,
    description: 'Resolution target in business minutes (a policy sets at least one target).',
    example: 480,
  })
  resolutionMinutes?: number | null;
  @InputProp({ kind: 'boolean', description: 'Whether pending pauses the resolution clock (default true).' })
  pauseOnPending?: boolean;
  @InputProp({ kind: 'boolean', description: 'Whether onHold pauses the resolution clock (default true).' })
  pauseOnHold?: boolean;
  @InputProp({ kind: 'boolean', description: 'Inactive policies are skipped (default true).' })
  active?: boolean;
  @InputProp({ ...PRIORITY, description: 'On a breach, raise the case to this priority.' })
  escalatePriorityTo?: string | null;
  @InputProp({ kind: 'uuid', description: 'On a breach, move the case to this queue (a live queue).' })
  escalateQueueId?: string | null;
  @InputProp({ kind: 'uuid', description: 'On a breach, assign the case to this user (an active user).' })
  escalateAssigneeId?: string | null;
  @InputProp({
    kind: 'int',
    min: 1,
    max: MAX_TARGET_MINUTES,
    description: 'Mark a case as approaching a breach this many business minutes before a due time.',
  })
  warnBeforeMinutes?: number | null;
}

@InputType('CreateSlaPolicyInput')
export class CreateSlaPolicyInput extends PolicyFieldsInput {
  @InputProp({
    kind: 'int',
    min: 1,
    max: MAX_POLICIES,
    description:
      'Where to insert it (1 = evaluated first); the policies from there on move down. Default: last.',
  })
  position?: number;
}

@InputType('UpdateSlaPolicyInput')
export class UpdateSlaPolicyInput extends PartialInput(PolicyFieldsInput) {}

@InputType('SlaPolicyOrderInput')
export class SlaPolicyOrderInput {
  @OrderIdsProp({
    graphql: 'Every live policy id, in the new order.',
    openapi: 'Every live policy id, in the new evaluation order (a missing or extra id is a 400).',
    max: MAX_POLICIES,
  })
  policyIds: string[];
}

export class SlaPolicyListDto {
  @ApiProperty({ type: [SlaPolicyDto], description: 'The live policies in evaluation order.' })
  data: SlaPolicyDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Always null: the policies come in one page.' })
  nextCursor: string | null;
}
