import { Args, ID, Mutation, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { createValidationPipe } from '../../../platform/http/validation.js';
import { graphqlUuid, RecordResolver } from '../../../platform/records/record.resolver.js';
import { RequirePermission } from '../../../platform/security/require-permission.decorator.js';
import {
  CaseQueueDto,
  CaseQueueMemberDto,
  CreateCaseQueueInput,
  SetCaseQueueMembersInput,
  UpdateCaseQueueInput,
} from './case-queue.dto.js';
import { CaseQueuesService } from './case-queues.service.js';

@Resolver(() => CaseQueueDto)
export class CaseQueuesResolver extends RecordResolver({
  typeName: 'CaseQueue',
  singular: 'caseQueue',
  plural: 'caseQueues',
  permissionObject: 'case-queues',
  output: CaseQueueDto,
  create: CreateCaseQueueInput,
  update: UpdateCaseQueueInput,
}) {
  constructor(protected readonly service: CaseQueuesService) {
    super();
  }

  @ResolveField('members', () => [CaseQueueMemberDto], {
    nullable: true,
    description: 'The agents in the queue’s round-robin, in position order.',
  })
  members(@Parent() queue: CaseQueueDto, @Ctx() ctx: RequestContext) {
    return this.service.members(ctx, queue.id);
  }

  @RequirePermission('case-queues:update')
  @Mutation(() => [CaseQueueMemberDto], {
    description: 'Replace a queue’s members (REST: PUT /v1/case-queues/{id}/members).',
  })
  setCaseQueueMembers(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, graphqlUuid) id: string,
    @Args('input', { type: () => SetCaseQueueMembersInput }, createValidationPipe(SetCaseQueueMembersInput))
    input: SetCaseQueueMembersInput,
  ) {
    return this.service.setMembers(ctx, id, input.members);
  }
}
