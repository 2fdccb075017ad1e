import { Body, Controller, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { createValidationPipe } from '../../../platform/http/validation.js';
import { idOf, Route } from '../sales-routes.js';
import {
  CreateLeadAssignmentRuleInput,
  LeadAssignmentRuleDto,
  LeadAssignmentRuleListDto,
  RuleOrderInput,
  UpdateLeadAssignmentRuleInput,
} from './lead-assignment-rule.dto.js';
import { LeadAssignmentRulesService, RULES_MANAGE } from './lead-assignment-rules.service.js';

const id = idOf('lead assignment rule');
const PARAM = { id: 'The rule id.' };

@ApiTags('lead-assignment-rules')
@ApiBearerAuth('bearer')
@Controller('v1/lead-assignment-rules')
export class LeadAssignmentRulesController {
  constructor(private readonly rules: LeadAssignmentRulesService) {}

  @Route('GET', '', {
    summary: 'List assignment rules',
    description: 'The tenant’s lead assignment rules in evaluation order (position 1 first), in one page.',
    permissions: [RULES_MANAGE],
    response: LeadAssignmentRuleListDto,
    problems: [401, 403],
  })
  async list(@Ctx() ctx: RequestContext) {
    return { data: await this.rules.list(ctx) };
  }

  @Route('PUT', 'order', {
    summary: 'Reorder the assignment rules',
    description: 'ruleIds lists every rule exactly once, in the new evaluation order (400 otherwise).',
    permissions: [RULES_MANAGE],
    body: RuleOrderInput,
    response: LeadAssignmentRuleListDto,
    problems: [400, 401, 403],
  })
  async reorder(
    @Ctx() ctx: RequestContext,
    @Body(createValidationPipe(RuleOrderInput)) input: RuleOrderInput,
  ) {
    return { data: await this.rules.reorder(ctx, input.ruleIds) };
  }

  @Route('GET', ':id', {
    summary: 'Get an assignment rule',
    description: 'One rule.',
    permissions: [RULES_MANAGE],
    params: PARAM,
    response: LeadAssignmentRuleDto,
    problems: [401, 403, 404],
  })
  get(@Ctx() ctx: RequestContext, @Param('id', id) ruleId: string) {
    return this.rules.get(ctx, ruleId);
  }

  @Route('POST', '', {
    summary: 'Create an assignment rule',
    description:
      'Adds a rule at the end of the order, or at `position`. The condition is checked against the lead object (400 naming `condition`, with the position in the filter). assigneeType user needs userId (an active user), team needs teamId (round-robin over its active members), queue needs queueId.',
    permissions: [RULES_MANAGE],
    body: CreateLeadAssignmentRuleInput,
    status: 201,
    response: LeadAssignmentRuleDto,
    problems: [400, 401, 403, 409],
  })
  create(
    @Ctx() ctx: RequestContext,
    @Body(createValidationPipe(CreateLeadAssignmentRuleInput)) input: CreateLeadAssignmentRuleInput,
  ) {
    return this.rules.create(ctx, input);
  }

  @Route('PATCH', ':id', {
    summary: 'Update an assignment rule',
    description: 'Merge patch; changing assigneeType needs the matching target id. Reorder with PUT …/order.',
    permissions: [RULES_MANAGE],
    params: PARAM,
    body: UpdateLeadAssignmentRuleInput,
    response: LeadAssignmentRuleDto,
  })
  update(
    @Ctx() ctx: RequestContext,
    @Param('id', id) ruleId: string,
    @Body(createValidationPipe(UpdateLeadAssignmentRuleInput)) patch: UpdateLeadAssignmentRuleInput,
  ) {
    return this.rules.update(ctx, ruleId, patch);
  }

  @Route('DELETE', ':id', {
    summary: 'Delete an assignment rule',
    description: 'The later rules move up one. Leads it assigned keep their owner.',
    permissions: [RULES_MANAGE],
    params: PARAM,
    problems: [401, 403, 404],
  })
  async remove(@Ctx() ctx: RequestContext, @Param('id', id) ruleId: string): Promise<void> {
    await this.rules.remove(ctx, ruleId);
  }
}
