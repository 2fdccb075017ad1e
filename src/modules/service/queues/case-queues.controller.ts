import { Body, Controller, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { createValidationPipe } from '../../../platform/http/validation.js';
import { RecordController } from '../../../platform/records/record.controller.js';
import { idOf, Route } from '../../sales/sales-routes.js';
import {
  CaseQueueDto,
  CaseQueueMemberListDto,
  CreateCaseQueueInput,
  SetCaseQueueMembersInput,
  UpdateCaseQueueInput,
} from './case-queue.dto.js';
import { CaseQueuesService } from './case-queues.service.js';

const id = idOf('case queue');

@ApiTags('case-queues')
@ApiBearerAuth('bearer')
@Controller('v1/case-queues')
export class CaseQueuesController extends RecordController({
  typeName: 'CaseQueue',
  plural: 'case-queues',
  output: CaseQueueDto,
  create: CreateCaseQueueInput,
  update: UpdateCaseQueueInput,
}) {
  constructor(protected readonly service: CaseQueuesService) {
    super();
  }

  @Route('GET', ':id/members', {
    summary: 'List a queue’s members',
    description: 'The agents in the queue’s round-robin, in position order, with their rotation state.',
    permissions: ['case-queues:read'],
    params: { id: 'The queue id.' },
    response: CaseQueueMemberListDto,
    problems: [401, 403, 404],
  })
  async members(@Ctx() ctx: RequestContext, @Param('id', id) queueId: string) {
    return { data: await this.service.members(ctx, queueId) };
  }

  @Route('PUT', ':id/members', {
    summary: 'Replace a queue’s members',
    description:
      'The complete member list (active users of the tenant, each once); its order is the round-robin tie-break order. Members who stay keep their rotation state. Audited as an update of the queue.',
    permissions: ['case-queues:update'],
    params: { id: 'The queue id.' },
    body: SetCaseQueueMembersInput,
    response: CaseQueueMemberListDto,
  })
  async setMembers(
    @Ctx() ctx: RequestContext,
    @Param('id', id) queueId: string,
    @Body(createValidationPipe(SetCaseQueueMembersInput)) input: SetCaseQueueMembersInput,
  ) {
    return { data: await this.service.setMembers(ctx, queueId, input.members) };
  }
}
