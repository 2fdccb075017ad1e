import { Args, Context, ID, Mutation, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { createValidationPipe } from '../../../platform/http/validation.js';
import { ConnectionType } from '../../../platform/records/connection.js';
import {
  childQuery,
  ConnectionArgs,
  graphqlUuid,
  RecordResolver,
} from '../../../platform/records/record.resolver.js';
import { RequirePermission } from '../../../platform/security/require-permission.decorator.js';
import { AccountDto } from '../../customers/accounts/account.dto.js';
import { AccountsService } from '../../customers/accounts/accounts.service.js';
import { ActivityDto } from '../../customers/activities/activity.dto.js';
import { ContactDto } from '../../customers/contacts/contact.dto.js';
import { ContactsService } from '../../customers/contacts/contacts.service.js';
import { loadById, loadChildren } from '../../customers/customers.loaders.js';
import { OpportunityDto } from '../opportunities/opportunity.dto.js';
import { OpportunitiesService } from '../opportunities/opportunities.service.js';
import { LeadConversionService } from './lead-conversion.service.js';
import {
  ConvertLeadInput,
  CreateLeadInput,
  LeadConversionDto,
  LeadDto,
  UpdateLeadInput,
} from './lead.dto.js';
import { CreateLeadQueueInput, LeadQueueDto, UpdateLeadQueueInput } from './lead-queue.dto.js';
import { LeadQueuesService, LeadsService } from './leads.service.js';

@Resolver(() => LeadDto)
export class LeadsResolver extends RecordResolver({
  typeName: 'Lead',
  singular: 'lead',
  plural: 'leads',
  output: LeadDto,
  create: CreateLeadInput,
  update: UpdateLeadInput,
}) {
  constructor(
    protected readonly service: LeadsService,
    private readonly conversion: LeadConversionService,
    private readonly queues: LeadQueuesService,
    private readonly accounts: AccountsService,
    private readonly contacts: ContactsService,
    private readonly opportunities: OpportunitiesService,
  ) {
    super();
  }

  @RequirePermission('leads:update')
  @Mutation(() => LeadConversionDto, {
    description:
      'Convert a lead into an account (linked or created), a contact (linked or created) and optionally an opportunity, in one transaction. REST: POST /v1/leads/{id}/convert.',
  })
  convertLead(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, graphqlUuid) id: string,
    @Args('input', { type: () => ConvertLeadInput, nullable: true }, createValidationPipe(ConvertLeadInput))
    input?: ConvertLeadInput | null,
  ) {
    return this.conversion.convert(ctx, id, input ?? {});
  }

  @ResolveField('queue', () => LeadQueueDto, { nullable: true, description: 'The queue it waits in.' })
  queue(@Parent() lead: LeadDto, @Ctx() ctx: RequestContext, @Context('req') req: object) {
    return loadById(req, ctx, this.queues, lead.queueId);
  }

  @ResolveField('convertedAccount', () => AccountDto, {
    nullable: true,
    description: 'The account it became.',
  })
  convertedAccount(@Parent() lead: LeadDto, @Ctx() ctx: RequestContext, @Context('req') req: object) {
    return loadById(req, ctx, this.accounts, lead.convertedAccountId);
  }

  @ResolveField('convertedContact', () => ContactDto, {
    nullable: true,
    description: 'The contact it became.',
  })
  convertedContact(@Parent() lead: LeadDto, @Ctx() ctx: RequestContext, @Context('req') req: object) {
    return loadById(req, ctx, this.contacts, lead.convertedContactId);
  }

  @ResolveField('convertedOpportunity', () => OpportunityDto, {
    nullable: true,
    description: 'The opportunity its conversion created.',
  })
  convertedOpportunity(@Parent() lead: LeadDto, @Ctx() ctx: RequestContext, @Context('req') req: object) {
    return loadById(req, ctx, this.opportunities, lead.convertedOpportunityId);
  }

  @ResolveField('activities', () => ConnectionType(ActivityDto, 'Activity'), {
    nullable: true,
    description: 'Activities linked to the lead (its timeline), newest first by default.',
  })
  activities(
    @Parent() lead: LeadDto,
    @Ctx() ctx: RequestContext,
    @Context('req') req: object,
    @Args() args: ConnectionArgs,
  ) {
    return loadChildren(req, ctx, this.service, 'activities', lead.id, childQuery(args));
  }
}

@Resolver(() => LeadQueueDto)
export class LeadQueuesResolver extends RecordResolver({
  typeName: 'LeadQueue',
  singular: 'leadQueue',
  plural: 'leadQueues',
  permissionObject: 'lead-queues',
  output: LeadQueueDto,
  create: CreateLeadQueueInput,
  update: UpdateLeadQueueInput,
}) {
  constructor(protected readonly service: LeadQueuesService) {
    super();
  }
}
