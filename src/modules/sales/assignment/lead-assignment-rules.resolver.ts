import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { createValidationPipe } from '../../../platform/http/validation.js';
import { graphqlUuid } from '../../../platform/records/record.resolver.js';
import { RequirePermission } from '../../../platform/security/require-permission.decorator.js';
import {
  CreateLeadAssignmentRuleInput,
  LeadAssignmentRuleDto,
  RuleOrderInput,
  UpdateLeadAssignmentRuleInput,
} from './lead-assignment-rule.dto.js';
import { LeadAssignmentRulesService, RULES_MANAGE } from './lead-assignment-rules.service.js';

@Resolver(() => LeadAssignmentRuleDto)
export class LeadAssignmentRulesResolver {
  constructor(private readonly rules: LeadAssignmentRulesService) {}

  @RequirePermission(RULES_MANAGE)
  @Query(() => [LeadAssignmentRuleDto], {
    name: 'leadAssignmentRules',
    description: 'The lead assignment rules in evaluation order. REST: GET /v1/lead-assignment-rules.',
  })
  list(@Ctx() ctx: RequestContext) {
    return this.rules.list(ctx);
  }

  @RequirePermission(RULES_MANAGE)
  @Query(() => LeadAssignmentRuleDto, {
    name: 'leadAssignmentRule',
    description: 'One rule (NOT_FOUND if absent).',
  })
  get(@Ctx() ctx: RequestContext, @Args('id', { type: () => ID }, graphqlUuid) id: string) {
    return this.rules.get(ctx, id);
  }

  @RequirePermission(RULES_MANAGE)
  @Mutation(() => LeadAssignmentRuleDto, {
    description: 'Add a lead assignment rule (at the end or at input.position).',
  })
  createLeadAssignmentRule(
    @Ctx() ctx: RequestContext,
    @Args(
      'input',
      { type: () => CreateLeadAssignmentRuleInput },
      createValidationPipe(CreateLeadAssignmentRuleInput),
    )
    input: CreateLeadAssignmentRuleInput,
  ) {
    return this.rules.create(ctx, input);
  }

  @RequirePermission(RULES_MANAGE)
  @Mutation(() => LeadAssignmentRuleDto, { description: 'Merge-update a lead assignment rule.' })
  updateLeadAssignmentRule(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, graphqlUuid) id: string,
    @Args(
      'input',
      { type: () => UpdateLeadAssignmentRuleInput },
      createValidationPipe(UpdateLeadAssignmentRuleInput),
    )
    input: UpdateLeadAssignmentRuleInput,
  ) {
    return this.rules.update(ctx, id, input);
  }

  @RequirePermission(RULES_MANAGE)
  @Mutation(() => Boolean, { description: 'Delete a lead assignment rule.' })
  async deleteLeadAssignmentRule(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, graphqlUuid) id: string,
  ): Promise<boolean> {
    await this.rules.remove(ctx, id);
    return true;
  }

  @RequirePermission(RULES_MANAGE)
  @Mutation(() => [LeadAssignmentRuleDto], {
    description: 'Set the evaluation order (every rule exactly once).',
  })
  reorderLeadAssignmentRules(
    @Ctx() ctx: RequestContext,
    @Args('input', { type: () => RuleOrderInput }, createValidationPipe(RuleOrderInput))
    input: RuleOrderInput,
  ) {
    return this.rules.reorder(ctx, input.ruleIds);
  }
}
