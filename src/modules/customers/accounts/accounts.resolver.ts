import { Args, Context, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { ConnectionType } from '../../../platform/records/connection.js';
import { childQuery, ConnectionArgs, RecordResolver } from '../../../platform/records/record.resolver.js';
import { ActivityDto } from '../activities/activity.dto.js';
import { ContactDto } from '../contacts/contact.dto.js';
import { loadById, loadChildren } from '../customers.loaders.js';
import { AccountDto, CreateAccountInput, UpdateAccountInput } from './account.dto.js';
import { AccountsService } from './accounts.service.js';

@Resolver(() => AccountDto)
export class AccountsResolver extends RecordResolver({
  typeName: 'Account',
  singular: 'account',
  plural: 'accounts',
  output: AccountDto,
  create: CreateAccountInput,
  update: UpdateAccountInput,
}) {
  constructor(protected readonly service: AccountsService) {
    super();
  }

  @ResolveField('parentAccount', () => AccountDto, {
    nullable: true,
    description: 'The parent account, for hierarchies.',
  })
  parentAccount(@Parent() account: AccountDto, @Ctx() ctx: RequestContext, @Context('req') req: object) {
    return loadById(req, ctx, this.service, account.parentAccountId);
  }

  @ResolveField('contacts', () => ConnectionType(ContactDto, 'Contact'), {
    // null with an error when the caller may not list them (permission, or contact.accountId hidden)
    nullable: true,
    description: 'The account’s contacts (filterable, paginated).',
  })
  contacts(
    @Parent() account: AccountDto,
    @Ctx() ctx: RequestContext,
    @Context('req') req: object,
    @Args() args: ConnectionArgs,
  ) {
    return loadChildren(req, ctx, this.service, 'contacts', account.id, childQuery(args));
  }

  @ResolveField('activities', () => ConnectionType(ActivityDto, 'Activity'), {
    nullable: true,
    description: 'Activities linked directly to the account, newest first by default.',
  })
  activities(
    @Parent() account: AccountDto,
    @Ctx() ctx: RequestContext,
    @Context('req') req: object,
    @Args() args: ConnectionArgs,
  ) {
    return loadChildren(req, ctx, this.service, 'activities', account.id, childQuery(args));
  }
}
