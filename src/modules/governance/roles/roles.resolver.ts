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
import { CreateRoleInput, RoleDto, UpdateRoleInput } from './role.dto.js';
import { RolesService } from './roles.service.js';

const RoleConnection = ConnectionType(RoleDto, 'Role');

@Resolver(() => RoleDto)
export class RolesResolver {
  constructor(private readonly roles: RolesService) {}

  @AuthenticatedOnly()
  @Query(() => RoleConnection, {
    name: 'roles',
    description: 'The tenant’s roles, oldest first. REST: GET /v1/roles.',
  })
  async list(@Ctx() ctx: RequestContext, @Args() args: AdminPageArgs): Promise<Connection> {
    return toConnection(await this.roles.list(ctx, { limit: args.first, cursor: args.after }));
  }

  @AuthenticatedOnly()
  @Query(() => RoleDto, { name: 'role', description: 'One role (NOT_FOUND if absent).' })
  get(@Ctx() ctx: RequestContext, @Args('id', { type: () => ID }, graphqlUuid) id: string): Promise<RoleDto> {
    return this.roles.get(ctx, id);
  }

  @RequirePermission('roles:manage')
  @Mutation(() => RoleDto, { description: 'Create a role (you can grant only permissions you hold).' })
  createRole(
    @Ctx() ctx: RequestContext,
    @Args('input', { type: () => CreateRoleInput }, createValidationPipe(CreateRoleInput))
    input: CreateRoleInput,
  ): Promise<RoleDto> {
    return this.roles.create(ctx, input);
  }

  @RequirePermission('roles:manage')
  @Mutation(() => RoleDto, { description: 'Merge-update a role: omitted fields stay.' })
  updateRole(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, graphqlUuid) id: string,
    @Args('input', { type: () => UpdateRoleInput }, createValidationPipe(UpdateRoleInput))
    input: UpdateRoleInput,
  ): Promise<RoleDto> {
    return this.roles.update(ctx, id, input);
  }

  @RequirePermission('roles:manage')
  @Mutation(() => Boolean, { description: 'Delete a role that is neither built-in nor in use.' })
  async deleteRole(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, graphqlUuid) id: string,
  ): Promise<boolean> {
    await this.roles.remove(ctx, id);
    return true;
  }
}
