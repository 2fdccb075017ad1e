import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { createValidationPipe } from '../../../platform/http/validation.js';
import { graphqlUuid } from '../../../platform/records/record.resolver.js';
import { RequirePermission } from '../../../platform/security/require-permission.decorator.js';
import {
  CaseAssignmentRuleDto,
  CaseRuleOrderInput,
  CreateCaseAssignmentRuleInput,
  UpdateCaseAssignmentRuleInput,
} from './case-assignment-rule.dto.js';
import { CaseAssignmentRulesService, rulePermission } from './case-assignment-rules.service.js';

@Resolver(() => CaseAssignmentRuleDto)
export class CaseAssignmentRulesResolver {
  constructor(private readonly rules: CaseAssignmentRulesService) {}

  @RequirePermission(rulePermission('read'))
  @Query(() => [CaseAssignmentRuleDto], {
    name: 'caseAssignmentRules',
    description: 'The case assignment rules in evaluation order. REST: GET /v1/case-assignment-rules.',
  })
  list(@Ctx() ctx: RequestContext) {
    return this.rules.list(ctx);
  }

  @RequirePermission(rulePermission('read'))
  @Query(() => CaseAssignmentRuleDto, {
    name: 'caseAssignmentRule',
    description: 'One rule (NOT_FOUND if absent).',
  })
  get(@Ctx() ctx: RequestContext, @Args('id', { type: () => ID }, graphqlUuid) id: string) {
    return this.rules.get(ctx, id);
  }

  @RequirePermission(rulePermission('create'))
  @Mutation(() => CaseAssignmentRuleDto, {
    description: 'Add a case assignment rule (at the end or at input.position).',
  })
  createCaseAssignmentRule(
    @Ctx() ctx: RequestContext,
    @Args(
      'input',
      { type: () => CreateCaseAssignmentRuleInput },
      createValidationPipe(CreateCaseAssignmentRuleInput),
    )
    input: CreateCaseAssignmentRuleInput,
  ) {
    return this.rules.create(ctx, input);
  }

  @RequirePermission(rulePermission('update'))
  @Mutation(() => CaseAssignmentRuleDto, { description: 'Merge-update a case assignment rule.' })
  updateCaseAssignmentRule(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, graphqlUuid) id: string,
    @Args(
      'input',
      { type: () => UpdateCaseAssignmentRuleInput },
      createValidationPipe(UpdateCaseAssignmentRuleInput),
    )
    input: UpdateCaseAssignmentRuleInput,
  ) {
    return this.rules.update(ctx, id, input);
  }

  @RequirePermission(rulePermission('delete'))
  @Mutation(() => Boolean, { description: 'Delete a case assignment rule.' })
  async deleteCaseAssignmentRule(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, graphqlUuid) id: string,
  ): Promise<boolean> {
    await this.rules.remove(ctx, id);
    return true;
  }

  @RequirePermission(rulePermission('update'))
  @Mutation(() => [CaseAssignmentRuleDto], {
    description: 'Set the evaluation order (every rule exactly once).',
  })
  reorderCaseAssignmentRules(
    @Ctx() ctx: RequestContext,
    @Args('input', { type: () => CaseRuleOrderInput }, createValidationPipe(CaseRuleOrderInput))
    input: CaseRuleOrderInput,
  ) {
    return this.rules.reorder(ctx, input.ruleIds);
  }
}
