import { Body, Controller, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { createValidationPipe } from '../../../platform/http/validation.js';
import { idOf, Route } from '../../sales/sales-routes.js';
import {
  CaseAssignmentRuleDto,
  CaseAssignmentRuleListDto,
  CaseRuleOrderInput,
  CreateCaseAssignmentRuleInput,
  UpdateCaseAssignmentRuleInput,
} from './case-assignment-rule.dto.js';
import { CaseAssignmentRulesService, rulePermission } from './case-assignment-rules.service.js';

const id = idOf('case assignment rule');
const PARAM = { id: 'The rule id.' };

@ApiTags('case-assignment-rules')
@ApiBearerAuth('bearer')
@Controller('v1/case-assignment-rules')
export class CaseAssignmentRulesController {
  constructor(private readonly rules: CaseAssignmentRulesService) {}

  @Route('GET', '', {
    summary: 'List case assignment rules',
    description: 'The tenant’s case assignment rules in evaluation order (position 1 first), in one page.',
    permissions: [rulePermission('read')],
    response: CaseAssignmentRuleListDto,
    problems: [401, 403],
  })
  async list(@Ctx() ctx: RequestContext) {
    return { data: await this.rules.list(ctx) };
  }

  @Route('PUT', 'order', {
    summary: 'Reorder the case assignment rules',
    description: 'ruleIds lists every rule exactly once, in the new evaluation order (400 otherwise).',
    permissions: [rulePermission('update')],
    body: CaseRuleOrderInput,
    response: CaseAssignmentRuleListDto,
    problems: [400, 401, 403],
  })
  async reorder(
    @Ctx() ctx: RequestContext,
    @Body(createValidationPipe(CaseRuleOrderInput)) input: CaseRuleOrderInput,
  ) {
    return { data: await this.rules.reorder(ctx, input.ruleIds) };
  }

  @Route('GET', ':id', {
    summary: 'Get a case assignment rule',
    description: 'One rule.',
    permissions: [rulePermission('read')],
    params: PARAM,
    response: CaseAssignmentRuleDto,
    problems: [401, 403, 404],
  })
  get(@Ctx() ctx: RequestContext, @Param('id', id) ruleId: string) {
    return this.rules.get(ctx, ruleId);
  }

  @Route('POST', '', {
    summary: 'Create a case assignment rule',
    description:
      'Adds a rule at the end of the order, or at `position`. The condition is a filter on cases, checked when saved (400 naming `condition`). strategy roundRobin needs queueId (round-robin among the queue’s active members); fixed needs assigneeId (an active user) and may name a queue.',
    permissions: [rulePermission('create')],
    body: CreateCaseAssignmentRuleInput,
    status: 201,
    response: CaseAssignmentRuleDto,
    problems: [400, 401, 403, 409],
  })
  create(
    @Ctx() ctx: RequestContext,
    @Body(createValidationPipe(CreateCaseAssignmentRuleInput)) input: CreateCaseAssignmentRuleInput,
  ) {
    return this.rules.create(ctx, input);
  }

  @Route('PATCH', ':id', {
    summary: 'Update a case assignment rule',
    description: 'Merge patch. Reorder with PUT …/order.',
    permissions: [rulePermission('update')],
    params: PARAM,
    body: UpdateCaseAssignmentRuleInput,
    response: CaseAssignmentRuleDto,
  })
  update(
    @Ctx() ctx: RequestContext,
    @Param('id', id) ruleId: string,
    @Body(createValidationPipe(UpdateCaseAssignmentRuleInput)) patch: UpdateCaseAssignmentRuleInput,
  ) {
    return this.rules.update(ctx, ruleId, patch);
  }

  @Route('DELETE', ':id', {
    summary: 'Delete a case assignment rule',
    description: 'The later rules move up one. Cases it assigned keep their queue and assignee.',
    permissions: [rulePermission('delete')],
    params: PARAM,
    problems: [401, 403, 404],
  })
  async remove(@Ctx() ctx: RequestContext, @Param('id', id) ruleId: string): Promise<void> {
    await this.rules.remove(ctx, ruleId);
  }
}
