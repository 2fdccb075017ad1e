import { Body, Controller, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { DomainError } from '../../../platform/http/domain-error.js';
import { createValidationPipe } from '../../../platform/http/validation.js';
import { RecordController } from '../../../platform/records/record.controller.js';
import { idOf, Route } from '../../sales/sales-routes.js';
import {
  CaseAssignmentListDto,
  CaseCommentDto,
  CaseCommentListDto,
  CaseCsatInput,
  CaseDto,
  CreateCaseCommentInput,
  CreateCaseInput,
  UpdateCaseInput,
} from './case.dto.js';
import { CasesService } from './cases.service.js';

const id = idOf('case');
const PARAM = { id: 'The case id.' };
/** `isPublic=true|false` (absent: all); anything else is a 400 naming it. */
function parseIsPublic(value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new DomainError('VALIDATION_FAILED', 'isPublic must be true or false.', [
    { field: 'isPublic', code: 'invalid', message: 'isPublic must be true or false' },
  ]);
}

@ApiTags('cases')
@ApiBearerAuth('bearer')
@Controller('v1/cases')
export class CasesController extends RecordController({
  typeName: 'Case',
  output: CaseDto,
  create: CreateCaseInput,
  update: UpdateCaseInput,
}) {
  constructor(protected readonly service: CasesService) {
    super();
  }

  @Route('GET', ':id/comments', {
    summary: 'List a case’s comments',
    description:
      'Oldest first, public and internal (internal notes are for whoever may read the case; `isPublic=true` lists only the customer-facing ones).',
    permissions: ['cases:read'],
    params: PARAM,
    response: CaseCommentListDto,
    problems: [400, 401, 403, 404],
  })
  @ApiQuery({
    name: 'isPublic',
    required: false,
    type: Boolean,
    description: 'Only public (true) or internal (false).',
  })
  async comments(
    @Ctx() ctx: RequestContext,
    @Param('id', id) caseId: string,
    @Query('isPublic') isPublic?: string,
  ) {
    return { data: await this.service.comments(ctx, caseId, parseIsPublic(isPublic)) };
  }

  @Route('POST', ':id/comments', {
    summary: 'Comment on a case',
    description:
      'Author: the caller. The first public comment by an agent (a user, not one recorded for a contact via authorContactId) sets firstRespondedAt and settles the first-response SLA. A closed case takes no comments (409). Needs cases:update and write access to the case.',
    permissions: ['cases:update'],
    params: PARAM,
    body: CreateCaseCommentInput,
    status: 201,
    response: CaseCommentDto,
    problems: [400, 401, 403, 404, 409],
  })
  addComment(
    @Ctx() ctx: RequestContext,
    @Param('id', id) caseId: string,
    @Body(createValidationPipe(CreateCaseCommentInput)) input: CreateCaseCommentInput,
  ) {
    return this.service.addComment(ctx, caseId, input);
  }

  @Route('PUT', ':id/csat', {
    summary: 'Record CSAT',
    description:
      'The customer’s satisfaction (1–5) and comment, on a solved or closed case (409 otherwise); replaces an earlier rating.',
    permissions: ['cases:update'],
    params: PARAM,
    body: CaseCsatInput,
    response: CaseDto,
    problems: [400, 401, 403, 404, 409],
  })
  setCsat(
    @Ctx() ctx: RequestContext,
    @Param('id', id) caseId: string,
    @Body(createValidationPipe(CaseCsatInput)) input: CaseCsatInput,
  ) {
    return this.service.setCsat(ctx, caseId, input);
  }

  @Route('GET', ':id/assignments', {
    summary: 'Reassignment history',
    description:
      'Every change of the case’s queue or assignee (rule, manual, queue routing, escalation), oldest first.',
    permissions: ['cases:read'],
    params: PARAM,
    response: CaseAssignmentListDto,
    problems: [401, 403, 404],
  })
  async assignments(@Ctx() ctx: RequestContext, @Param('id', id) caseId: string) {
    return { data: await this.service.assignments(ctx, caseId) };
  }
}
