import { Args, Context, ID, Mutation, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { requestLoader } from '../../../platform/graphql/loaders.js';
import { createValidationPipe } from '../../../platform/http/validation.js';
import { graphqlUuid, RecordResolver } from '../../../platform/records/record.resolver.js';
import { RequirePermission } from '../../../platform/security/require-permission.decorator.js';
import { AccountDto } from '../../customers/accounts/account.dto.js';
import { AccountsService } from '../../customers/accounts/accounts.service.js';
import { ContactDto } from '../../customers/contacts/contact.dto.js';
import { ContactsService } from '../../customers/contacts/contacts.service.js';
import { loadById } from '../../customers/customers.loaders.js';
import { CaseQueueDto } from '../queues/case-queue.dto.js';
import { CaseQueuesService } from '../queues/case-queues.service.js';
import {
  CaseAssignmentDto,
  CaseCommentDto,
  CaseCsatInput,
  CaseDto,
  CreateCaseCommentInput,
  CreateCaseInput,
  UpdateCaseInput,
} from './case.dto.js';
import { CasesService } from './cases.service.js';

@Resolver(() => CaseDto)
export class CasesResolver extends RecordResolver({
  typeName: 'Case',
  singular: 'case',
  plural: 'cases',
  output: CaseDto,
  create: CreateCaseInput,
  update: UpdateCaseInput,
}) {
  constructor(
    protected readonly service: CasesService,
    private readonly queues: CaseQueuesService,
    private readonly accounts: AccountsService,
    private readonly contacts: ContactsService,
  ) {
    super();
  }

  @RequirePermission('cases:update')
  @Mutation(() => CaseCommentDto, {
    description:
      'Comment on a case (public or internal); the first public agent comment is the first response. REST: POST /v1/cases/{id}/comments.',
  })
  addCaseComment(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, graphqlUuid) id: string,
    @Args('input', { type: () => CreateCaseCommentInput }, createValidationPipe(CreateCaseCommentInput))
    input: CreateCaseCommentInput,
  ) {
    return this.service.addComment(ctx, id, input);
  }

  @RequirePermission('cases:update')
  @Mutation(() => CaseDto, {
    description: 'Record CSAT on a solved or closed case. REST: PUT /v1/cases/{id}/csat.',
  })
  setCaseCsat(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, graphqlUuid) id: string,
    @Args('input', { type: () => CaseCsatInput }, createValidationPipe(CaseCsatInput)) input: CaseCsatInput,
  ) {
    return this.service.setCsat(ctx, id, input);
  }

  @ResolveField('comments', () => [CaseCommentDto], {
    nullable: true,
    description: 'Comments, oldest first (isPublic: only public or only internal ones).',
  })
  comments(
    @Parent() c: CaseDto,
    @Ctx() ctx: RequestContext,
    @Context('req') req: object,
    @Args('isPublic', { type: () => Boolean, nullable: true }) isPublic?: boolean | null,
  ) {
    const filter = isPublic ?? undefined;
    const loader = requestLoader<string, CaseCommentDto[]>(
      req,
      `case:comments:${String(filter)}`,
      async (ids) => {
        const found = await this.service.commentsOf(ctx, ids, filter);
        return ids.map((id) => found.get(id) ?? []);
      },
    );
    return loader.load(c.id);
  }

  @ResolveField('assignments', () => [CaseAssignmentDto], {
    nullable: true,
    description: 'Reassignment history, oldest first.',
  })
  assignments(@Parent() c: CaseDto, @Ctx() ctx: RequestContext, @Context('req') req: object) {
    const loader = requestLoader<string, CaseAssignmentDto[]>(req, 'case:assignments', async (ids) => {
      const found = await this.service.assignmentsOf(ctx, ids);
      return ids.map((id) => found.get(id) ?? []);
    });
    return loader.load(c.id);
  }

  @ResolveField('contact', () => ContactDto, { nullable: true, description: 'The customer contact.' })
  contact(@Parent() c: CaseDto, @Ctx() ctx: RequestContext, @Context('req') req: object) {
    return loadById(req, ctx, this.contacts, c.contactId);
  }

  @ResolveField('account', () => AccountDto, { nullable: true, description: 'The customer account.' })
  account(@Parent() c: CaseDto, @Ctx() ctx: RequestContext, @Context('req') req: object) {
    return loadById(req, ctx, this.accounts, c.accountId);
  }

  @ResolveField('queue', () => CaseQueueDto, { nullable: true, description: 'The queue it waits in.' })
  queue(@Parent() c: CaseDto, @Ctx() ctx: RequestContext, @Context('req') req: object) {
    return loadById(req, ctx, this.queues, c.queueId);
  }
}
