import { InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { InputProp, OutputProp } from '../../../platform/records/field-decorators.js';
import {
  ConditionInputProp,
  ConditionOutputProp,
  OrderIdsProp,
} from '../../../platform/records/ordered-rules.js';
import { PartialInput } from '../../../platform/records/partial-input.js';

export const CASE_RULE_STRATEGIES = ['roundRobin', 'fixed'] as const;
export type CaseRuleStrategy = (typeof CASE_RULE_STRATEGIES)[number];
export const CaseRuleStrategyEnum = Object.fromEntries(CASE_RULE_STRATEGIES.map((s) => [s, s]));
registerEnumType(CaseRuleStrategyEnum, {
  name: 'CaseAssignmentStrategy',
  description: 'roundRobin (among the queue’s active members) or fixed (one assignee).',
});
const STRATEGY = {
  kind: 'enum' as const,
  enumValues: CASE_RULE_STRATEGIES,
  graphqlEnum: CaseRuleStrategyEnum,
};
export const MAX_CASE_RULES = 100;

const CONDITION_DOC =
  'Which cases the rule takes: a filter on cases in the query language (a filter string or its JSON AST, docs/query-language.md); null matches every case.';

@ObjectType('CaseAssignmentRule', { description: 'One step of the tenant’s ordered case assignment rules.' })
export class CaseAssignmentRuleDto {
  @OutputProp({ kind: 'uuid', description: 'Rule id.' }) id: string;
  @OutputProp({ kind: 'int', description: 'Place in the order, 1 = evaluated first.' }) position: number;
  @OutputProp({ kind: 'string', description: 'Rule name.', example: 'Urgent to tier 2' }) name: string;
  @ConditionOutputProp(CONDITION_DOC, "priority eq 'urgent'")
  condition: unknown;
  @OutputProp({ kind: 'uuid', nullable: true, description: 'The queue the case goes to.' }) queueId:
    string | null;
  @OutputProp({ ...STRATEGY, description: 'roundRobin or fixed.' }) strategy: string;
  @OutputProp({ kind: 'uuid', nullable: true, description: 'The assignee (strategy fixed).' }) assigneeId:
    string | null;
  @OutputProp({ kind: 'boolean', description: 'Inactive rules are skipped.' }) active: boolean;
  @OutputProp({ kind: 'datetime', description: 'Created at.' }) createdAt: Date;
  @OutputProp({ kind: 'datetime', description: 'Last changed at.' }) updatedAt: Date;
  @OutputProp({ kind: 'int', description: 'Version; bumps on every change.' }) version: number;
}

@InputType({ isAbstract: true })
export class CaseRuleFieldsInput {
  @InputProp({ kind: 'string', required: true, maxLength: 200, description: 'Rule name.' }) name: string;
  @ConditionInputProp(CONDITION_DOC)
  condition?: unknown;
  @InputProp({ kind: 'uuid', description: 'The queue (a live, active case queue); required for roundRobin.' })
  queueId?: string | null;
  @InputProp({ ...STRATEGY, required: true, description: 'roundRobin or fixed.' }) strategy: string;
  @InputProp({ kind: 'uuid', description: 'The assignee (strategy fixed; an active user).' }) assigneeId?:
    string | null;
  @InputProp({ kind: 'boolean', description: 'Inactive rules are skipped (default true).' }) active?: boolean;
}

@InputType('CreateCaseAssignmentRuleInput')
export class CreateCaseAssignmentRuleInput extends CaseRuleFieldsInput {
  @InputProp({
    kind: 'int',
    min: 1,
    max: MAX_CASE_RULES,
    description: 'Where to insert it (1 = evaluated first); default: last.',
  })
  position?: number;
}

@InputType('UpdateCaseAssignmentRuleInput')
export class UpdateCaseAssignmentRuleInput extends PartialInput(CaseRuleFieldsInput) {}

@InputType('CaseAssignmentRuleOrderInput')
export class CaseRuleOrderInput {
  @OrderIdsProp({
    graphql: 'Every rule id, in the new order.',
    openapi: 'Every rule id, in the new order (each exactly once).',
    max: MAX_CASE_RULES,
  })
  ruleIds: string[];
}

export class CaseAssignmentRuleListDto {
  @ApiProperty({ type: [CaseAssignmentRuleDto], description: 'The rules in evaluation order.' })
  data: CaseAssignmentRuleDto[];
}
