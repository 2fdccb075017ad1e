import { Args, Context, ID, Mutation, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { requestLoader } from '../../../platform/graphql/loaders.js';
import { createValidationPipe } from '../../../platform/http/validation.js';
import { DEFAULT_LIMIT } from '../../../platform/query/index.js';
import { Connection, ConnectionType } from '../../../platform/records/connection.js';
import {
  childQuery,
  ConnectionArgs,
  graphqlUuid,
  RecordResolver,
} from '../../../platform/records/record.resolver.js';
import type { RecordData } from '../../../platform/records/record.types.js';
import { RequirePermission } from '../../../platform/security/require-permission.decorator.js';
import { AccountDto } from '../../customers/accounts/account.dto.js';
import { AccountsService } from '../../customers/accounts/accounts.service.js';
import { ActivityDto } from '../../customers/activities/activity.dto.js';
import { ContactDto } from '../../customers/contacts/contact.dto.js';
import { ContactsService } from '../../customers/contacts/contacts.service.js';
import { loadById, loadChildren } from '../../customers/customers.loaders.js';
import { PipelineDto, StageDto } from '../pipelines/pipeline.dto.js';
import { PipelinesService } from '../pipelines/pipelines.service.js';
import { StagesService } from '../pipelines/stages.service.js';
import { AddContactRoleInput, ContactRoleDto } from './contact-role.dto.js';
import { ContactRolesService } from './contact-roles.service.js';
import { AddLineItemInput, LineItemDto, UpdateLineItemInput } from './line-item.dto.js';
import { LineItemsService } from './line-items.service.js';
import { CreateOpportunityInput, OpportunityDto, UpdateOpportunityInput } from './opportunity.dto.js';
import { OpportunitiesService } from './opportunities.service.js';
import { StageChangeDto, StageHistoryArgs } from './stage-history.dto.js';
import { StageHistoryService } from './stage-history.service.js';

const StageChangeConnection = ConnectionType(StageChangeDto, 'StageChange');

@Resolver(() => OpportunityDto)
export class OpportunitiesResolver extends RecordResolver({
  typeName: 'Opportunity',
  singular: 'opportunity',
  plural: 'opportunities',
  output: OpportunityDto,
  create: CreateOpportunityInput,
  update: UpdateOpportunityInput,
}) {
  constructor(
    protected readonly service: OpportunitiesService,
    private readonly accounts: AccountsService,
    private readonly contacts: ContactsService,
    private readonly pipelines: PipelinesService,
    private readonly stages: StagesService,
    private readonly history: StageHistoryService,
    private readonly roles: ContactRolesService,
    private readonly lineItems: LineItemsService,
  ) {
    super();
  }

  @ResolveField('account', () => AccountDto, { nullable: true, description: 'The account.' })
  account(@Parent() o: OpportunityDto, @Ctx() ctx: RequestContext, @Context('req') req: object) {
    return loadById(req, ctx, this.accounts, o.accountId);
  }

  @ResolveField('primaryContact', () => ContactDto, { nullable: true, description: 'The main contact.' })
  primaryContact(@Parent() o: OpportunityDto, @Ctx() ctx: RequestContext, @Context('req') req: object) {
    return loadById(req, ctx, this.contacts, o.primaryContactId);
  }

  @ResolveField('pipeline', () => PipelineDto, { nullable: true, description: 'The pipeline.' })
  pipeline(@Parent() o: OpportunityDto, @Ctx() ctx: RequestContext, @Context('req') req: object) {
    return loadById(req, ctx, this.pipelines, o.pipelineId);
  }

  @ResolveField('stage', () => StageDto, { nullable: true, description: 'The current stage.' })
  stage(@Parent() o: OpportunityDto, @Ctx() ctx: RequestContext, @Context('req') req: object) {
    return loadById(req, ctx, this.stages, o.stageId);
  }

  @ResolveField('activities', () => ConnectionType(ActivityDto, 'Activity'), {
    nullable: true,
    description: 'Activities linked to the opportunity (its timeline), newest first by default.',
  })
  activities(
    @Parent() o: OpportunityDto,
    @Ctx() ctx: RequestContext,
    @Context('req') req: object,
    @Args() args: ConnectionArgs,
  ) {
    return loadChildren(req, ctx, this.service, 'activities', o.id, childQuery(args));
  }

  @ResolveField('stageHistory', () => StageChangeConnection, {
    nullable: true,
    description: 'Every stage it entered, newest first (REST: GET /v1/opportunities/{id}/stage-history).',
  })
  stageHistory(
    @Parent() o: OpportunityDto,
    @Ctx() ctx: RequestContext,
    @Context('req') req: object,
    @Args() args: StageHistoryArgs,
  ): Promise<Connection> {
    const first = args.first ?? DEFAULT_LIMIT;
    const loader = requestLoader<string, Connection>(
      req,
      `opportunity.stageHistory:${first}:${args.after ?? ''}`,
      async (ids) => {
        const pages = await this.history.pages(ctx, ids, first, args.after);
        return ids.map((i) => {
          const page = pages.get(i)!;
          return {
            nodes: page.data as unknown as RecordData[],
            edges: page.data.map((node, k) => ({
              node: node as unknown as RecordData,
              cursor: page.cursors[k],
            })),
            pageInfo: {
              hasNextPage: page.nextCursor !== null,
              endCursor: page.cursors[page.cursors.length - 1] ?? null,
            },
          };
        });
      },
    );
    return loader.load(o.id);
  }

  @ResolveField('contactRoles', () => [ContactRoleDto], {
    nullable: true,
    description: 'The contacts involved and their roles (contacts visible to you).',
  })
  contactRoles(@Parent() o: OpportunityDto, @Ctx() ctx: RequestContext, @Context('req') req: object) {
    const loader = requestLoader<string, ContactRoleDto[]>(req, 'opportunity.contactRoles', async (ids) => {
      const found = await this.roles.listMany(ctx, ids);
      return ids.map((i) => found.get(i) ?? []);
    });
    return loader.load(o.id);
  }

  @ResolveField('lineItems', () => [LineItemDto], {
    nullable: true,
    description: 'The products on the deal; amount is the sum of their totals.',
  })
  lineItemList(@Parent() o: OpportunityDto, @Ctx() ctx: RequestContext, @Context('req') req: object) {
    const loader = requestLoader<string, LineItemDto[]>(req, 'opportunity.lineItems', async (ids) => {
      const found = await this.lineItems.listMany(ctx, ids);
      return ids.map((i) => found.get(i) ?? []);
    });
    return loader.load(o.id);
  }

  @RequirePermission('opportunities:update', 'contacts:read')
  @Mutation(() => ContactRoleDto, { description: 'Involve a contact in a deal with a role.' })
  addOpportunityContactRole(
    @Ctx() ctx: RequestContext,
    @Args('opportunityId', { type: () => ID }, graphqlUuid) opportunityId: string,
    @Args('input', { type: () => AddContactRoleInput }, createValidationPipe(AddContactRoleInput))
    input: AddContactRoleInput,
  ) {
    return this.roles.add(ctx, opportunityId, input);
  }

  @RequirePermission('opportunities:update')
  @Mutation(() => Boolean, { description: 'Remove a contact role from a deal.' })
  async removeOpportunityContactRole(
    @Ctx() ctx: RequestContext,
    @Args('opportunityId', { type: () => ID }, graphqlUuid) opportunityId: string,
    @Args('id', { type: () => ID }, graphqlUuid) id: string,
  ): Promise<boolean> {
    await this.roles.remove(ctx, opportunityId, id);
    return true;
  }

  @RequirePermission('opportunities:update', 'products:read')
  @Mutation(() => LineItemDto, { description: 'Add a product to a deal; its amount follows.' })
  addOpportunityLineItem(
    @Ctx() ctx: RequestContext,
    @Args('opportunityId', { type: () => ID }, graphqlUuid) opportunityId: string,
    @Args('input', { type: () => AddLineItemInput }, createValidationPipe(AddLineItemInput))
    input: AddLineItemInput,
  ) {
    return this.lineItems.add(ctx, opportunityId, input);
  }

  @RequirePermission('opportunities:update', 'products:read')
  @Mutation(() => LineItemDto, { description: 'Merge-update a line item; the deal’s amount follows.' })
  updateOpportunityLineItem(
    @Ctx() ctx: RequestContext,
    @Args('opportunityId', { type: () => ID }, graphqlUuid) opportunityId: string,
    @Args('id', { type: () => ID }, graphqlUuid) id: string,
    @Args('input', { type: () => UpdateLineItemInput }, createValidationPipe(UpdateLineItemInput))
    input: UpdateLineItemInput,
  ) {
    return this.lineItems.update(ctx, opportunityId, id, input);
  }

  @RequirePermission('opportunities:update')
  @Mutation(() => Boolean, { description: 'Remove a line item; the deal’s amount follows.' })
  async removeOpportunityLineItem(
    @Ctx() ctx: RequestContext,
    @Args('opportunityId', { type: () => ID }, graphqlUuid) opportunityId: string,
    @Args('id', { type: () => ID }, graphqlUuid) id: string,
  ): Promise<boolean> {
    await this.lineItems.remove(ctx, opportunityId, id);
    return true;
  }
}
