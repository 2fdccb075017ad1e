import { InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { InputProp, OutputProp } from '../../../platform/records/field-decorators.js';
import {
  ConditionInputProp,
  ConditionOutputProp,
  OrderIdsProp,
} from '../../../platform/records/ordered-rules.js';
import { PartialInput } from '../../../platform/records/partial-input.js';

export const ASSIGNEE_TYPES = ['user', 'team', 'queue'] as const;
export type AssigneeType = (typeof ASSIGNEE_TYPES)[number];
export const AssigneeTypeEnum = Object.fromEntries(ASSIGNEE_TYPES.map((s) => [s, s]));
registerEnumType(AssigneeTypeEnum, {
  name: 'LeadAssigneeType',
  description: 'user (one owner), team (round-robin over its active members) or queue.',
});
const ASSIGNEE = { kind: 'enum' as const, enumValues: ASSIGNEE_TYPES, graphqlEnum: AssigneeTypeEnum };
export const MAX_RULES = 100;

const CONDITION_DOC =
  'Which leads the rule takes: a filter on leads in the query language (a filter string or its JSON AST, docs/query-language.md); null matches every lead.';

@ObjectType('LeadAssignmentRule', { description: 'One step of the tenant’s ordered lead assignment rules.' })
export class LeadAssignmentRuleDto {
  @OutputProp({ kind: 'uuid', description: 'Rule id.' }) id: string;
  @OutputProp({ kind: 'int', description: 'Place in the order, 1 = evaluated first.' }) position: number;
  @OutputProp({ kind: 'string', description: 'Rule name.', example: 'German SaaS leads' }) name: string;
  @ConditionOutputProp(CONDITION_DOC, "industry eq 'saas' and address.country eq 'DE'")
  condition: unknown;
  @OutputProp({ ...ASSIGNEE, description: 'Who gets the lead.' }) assigneeType: string;
  @OutputProp({ kind: 'uuid', nullable: true, description: 'The owner (assigneeType user).' }) userId:
    string | null;
  @OutputProp({ kind: 'uuid', nullable: true, description: 'The team (assigneeType team).' }) teamId:
    string | null;
  @OutputProp({ kind: 'uuid', nullable: true, description: 'The lead queue (assigneeType queue).' }) queueId:
    string | null;
  @OutputProp({ kind: 'boolean', description: 'Inactive rules are skipped.' }) active: boolean;
  @OutputProp({ kind: 'datetime', description: 'Created at.' }) createdAt: Date;
  @OutputProp({ kind: 'datetime', description: 'Last changed at.' }) updatedAt: Date;
  @OutputProp({ kind: 'int', description: 'Version; bumps on every change.' }) version: number;
}

@InputType({ isAbstract: true })
export class RuleFieldsInput {
  @InputProp({ kind: 'string', required: true, maxLength: 200, description: 'Rule name.' }) name: string;
  @ConditionInputProp(CONDITION_DOC)
  condition?: unknown;
  @InputProp({ ...ASSIGNEE, required: true, description: 'Who gets the lead: user, team or queue.' })
  assigneeType: string;
  @InputProp({ kind: 'uuid', description: 'The owner (assigneeType user; an active user).' }) userId?:
    string | null;
  @InputProp({ kind: 'uuid', description: 'The team (assigneeType team).' }) teamId?: string | null;
  @InputProp({ kind: 'uuid', description: 'The lead queue (assigneeType queue).' }) queueId?: string | null;
  @InputProp({ kind: 'boolean', description: 'Inactive rules are skipped (default true).' }) active?: boolean;
}

@InputType('CreateLeadAssignmentRuleInput')
export class CreateLeadAssignmentRuleInput extends RuleFieldsInput {
  @InputProp({
    kind: 'int',
    min: 1,
    max: MAX_RULES,
    description: 'Where to insert it (1 = evaluated first); default: last.',
  })
  position?: number;
}

@InputType('UpdateLeadAssignmentRuleInput')
export class UpdateLeadAssignmentRuleInput extends PartialInput(RuleFieldsInput) {}

@InputType('LeadAssignmentRuleOrderInput')
export class RuleOrderInput {
  @OrderIdsProp({
    graphql: 'Every rule id, in the new order.',
    openapi: 'Every rule id, in the new order (each exactly once).',
    max: MAX_RULES,
  })
  ruleIds: string[];
}

export class LeadAssignmentRuleListDto {
  @ApiProperty({ type: [LeadAssignmentRuleDto], description: 'The rules in evaluation order.' })
  data: LeadAssignmentRuleDto[];
}
