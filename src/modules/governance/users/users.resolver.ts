import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { createValidationPipe } from '../../../platform/http/validation.js';
import { Connection, ConnectionType, toConnection } from '../../../platform/records/connection.js';
import { graphqlUuid } from '../../../platform/records/record.resolver.js';
import {
  AuthenticatedOnly,
  RequirePermission,
} from '../../../platform/security/require-permission.decorator.js';
import { AdminPageArgs } from '../admin-page.js';
import { CreateUserInput, UpdateUserInput, UserDto } from './user.dto.js';
import { UserAdminService } from './user-admin.service.js';

const UserConnection = ConnectionType(UserDto, 'User');

@Resolver(() => UserDto)
export class UsersResolver {
  constructor(private readonly users: UserAdminService) {}

  @AuthenticatedOnly()
  @Query(() => UserConnection, {
    name: 'users',
    description: 'The tenant’s users, oldest first. REST: GET /v1/users.',
  })
  async list(@Ctx() ctx: RequestContext, @Args() args: AdminPageArgs): Promise<Connection> {
    return toConnection(await this.users.list(ctx, { limit: args.first, cursor: args.after }));
  }

  @AuthenticatedOnly()
  @Query(() => UserDto, { name: 'user', description: 'One user (NOT_FOUND if absent).' })
  get(@Ctx() ctx: RequestContext, @Args('id', { type: () => ID }, graphqlUuid) id: string): Promise<UserDto> {
    return this.users.get(ctx, id);
  }

  @RequirePermission('users:manage')
  @Mutation(() => UserDto, { description: 'Create a user (with a role granting nothing you lack).' })
  createUser(
    @Ctx() ctx: RequestContext,
    @Args('input', { type: () => CreateUserInput }, createValidationPipe(CreateUserInput))
    input: CreateUserInput,
  ): Promise<UserDto> {
    return this.users.create(ctx, input);
  }

  @RequirePermission('users:manage')
  @Mutation(() => UserDto, { description: 'Change a user’s display name or role.' })
  updateUser(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, graphqlUuid) id: string,
    @Args('input', { type: () => UpdateUserInput }, createValidationPipe(UpdateUserInput))
    input: UpdateUserInput,
  ): Promise<UserDto> {
    return this.users.update(ctx, id, input);
  }

  @RequirePermission('users:manage')
  @Mutation(() => UserDto, { description: 'Deactivate a user: sessions revoked, tokens refused at once.' })
  deactivateUser(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, graphqlUuid) id: string,
  ): Promise<UserDto> {
    return this.users.deactivate(ctx, id);
  }

  @RequirePermission('users:manage')
  @Mutation(() => UserDto, { description: 'Let a deactivated user sign in again.' })
  activateUser(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, graphqlUuid) id: string,
  ): Promise<UserDto> {
    return this.users.activate(ctx, id);
  }
}
