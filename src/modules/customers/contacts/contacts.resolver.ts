import { Args, Context, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { ConnectionType } from '../../../platform/records/connection.js';
import { childQuery, ConnectionArgs, RecordResolver } from '../../../platform/records/record.resolver.js';
import { AccountDto } from '../accounts/account.dto.js';
import { AccountsService } from '../accounts/accounts.service.js';
import { ActivityDto } from '../activities/activity.dto.js';
import { loadById, loadChildren } from '../customers.loaders.js';
import { ContactDto, CreateContactInput, UpdateContactInput } from './contact.dto.js';
import { ContactsService } from './contacts.service.js';

@Resolver(() => ContactDto)
export class ContactsResolver extends RecordResolver({
  typeName: 'Contact',
  singular: 'contact',
  plural: 'contacts',
  output: ContactDto,
  create: CreateContactInput,
  update: UpdateContactInput,
}) {
  constructor(
    protected readonly service: ContactsService,
    private readonly accounts: AccountsService,
  ) {
    super();
  }

  @ResolveField('account', () => AccountDto, {
    nullable: true,
    description: 'The account this contact works for.',
  })
  account(@Parent() contact: ContactDto, @Ctx() ctx: RequestContext, @Context('req') req: object) {
    return loadById(req, ctx, this.accounts, contact.accountId);
  }

  @ResolveField('activities', () => ConnectionType(ActivityDto, 'Activity'), {
    // null with an error when the caller may not list them (permission, or activity.contactId hidden)
    nullable: true,
    description: 'Activities linked to this contact, newest first by default.',
  })
  activities(
    @Parent() contact: ContactDto,
    @Ctx() ctx: RequestContext,
    @Context('req') req: object,
    @Args() args: ConnectionArgs,
  ) {
    return loadChildren(req, ctx, this.service, 'activities', contact.id, childQuery(args));
  }
}
