import { Context, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { RecordResolver } from '../../../platform/records/record.resolver.js';
import { AccountDto } from '../accounts/account.dto.js';
import { AccountsService } from '../accounts/accounts.service.js';
import { ContactDto } from '../contacts/contact.dto.js';
import { ContactsService } from '../contacts/contacts.service.js';
import { loadById } from '../customers.loaders.js';
import { ActivityDto, CreateActivityInput, UpdateActivityInput } from './activity.dto.js';
import { ActivitiesService } from './activities.service.js';

@Resolver(() => ActivityDto)
export class ActivitiesResolver extends RecordResolver({
  typeName: 'Activity',
  singular: 'activity',
  plural: 'activities',
  output: ActivityDto,
  create: CreateActivityInput,
  update: UpdateActivityInput,
}) {
  constructor(
    protected readonly service: ActivitiesService,
    private readonly accounts: AccountsService,
    private readonly contacts: ContactsService,
  ) {
    super();
  }

  @ResolveField('account', () => AccountDto, { nullable: true, description: 'The linked account.' })
  account(@Parent() activity: ActivityDto, @Ctx() ctx: RequestContext, @Context('req') req: object) {
    return loadById(req, ctx, this.accounts, activity.accountId);
  }

  @ResolveField('contact', () => ContactDto, { nullable: true, description: 'The linked contact.' })
  contact(@Parent() activity: ActivityDto, @Ctx() ctx: RequestContext, @Context('req') req: object) {
    return loadById(req, ctx, this.contacts, activity.contactId);
  }
}
