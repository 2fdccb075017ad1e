import { Args, Context, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { Ctx } from '../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../platform/context/request-context.js';
import { ConnectionType } from '../../platform/records/connection.js';
import { childQuery, ConnectionArgs } from '../../platform/records/record.resolver.js';
import { AccountDto } from '../customers/accounts/account.dto.js';
import { AccountsService } from '../customers/accounts/accounts.service.js';
import { ActivityDto } from '../customers/activities/activity.dto.js';
import { loadById, loadChildren } from '../customers/customers.loaders.js';
import { LeadDto } from './leads/lead.dto.js';
import { LeadsService } from './leads/leads.service.js';
import { OpportunityDto } from './opportunities/opportunity.dto.js';
import { OpportunitiesService } from './opportunities/opportunities.service.js';

/** The sales objects seen from activities. */
@Resolver(() => ActivityDto)
export class ActivitySalesLinksResolver {
  constructor(
    private readonly leads: LeadsService,
    private readonly opportunities: OpportunitiesService,
  ) {}

  @ResolveField('lead', () => LeadDto, { nullable: true, description: 'The linked lead.' })
  lead(@Parent() activity: ActivityDto, @Ctx() ctx: RequestContext, @Context('req') req: object) {
    return loadById(req, ctx, this.leads, activity.leadId);
  }

  @ResolveField('opportunity', () => OpportunityDto, {
    nullable: true,
    description: 'The linked opportunity.',
  })
  opportunity(@Parent() activity: ActivityDto, @Ctx() ctx: RequestContext, @Context('req') req: object) {
    return loadById(req, ctx, this.opportunities, activity.opportunityId);
  }
}

/** The sales objects seen from accounts. */
@Resolver(() => AccountDto)
export class AccountSalesLinksResolver {
  constructor(private readonly accounts: AccountsService) {}

  @ResolveField('opportunities', () => ConnectionType(OpportunityDto, 'Opportunity'), {
    nullable: true,
    description: 'The account’s opportunities (filterable, paginated).',
  })
  opportunities(
    @Parent() account: AccountDto,
    @Ctx() ctx: RequestContext,
    @Context('req') req: object,
    @Args() args: ConnectionArgs,
  ) {
    return loadChildren(req, ctx, this.accounts, 'opportunities', account.id, childQuery(args));
  }
}
