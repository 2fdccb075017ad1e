import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { createValidationPipe } from '../../../platform/http/validation.js';
import { Connection, ConnectionType, toConnection } from '../../../platform/records/connection.js';
import { graphqlUuid } from '../../../platform/records/record.resolver.js';
import { RequirePermission } from '../../../platform/security/require-permission.decorator.js';
import { AdminPageArgs } from '../admin-page.js';
import {
  CreateOAuthClientInput,
  OAuthClientDto,
  OAuthClientWithSecretDto,
  RotateSecretInput,
  UpdateOAuthClientInput,
} from './oauth-client.dto.js';
import { OAUTH_CLIENTS_MANAGE, OAuthClientsService } from './oauth-clients.service.js';

const OAuthClientConnection = ConnectionType(OAuthClientDto, 'OAuthClient');

/** GraphQL twin of /v1/oauth-clients; every operation needs oauth-clients:manage. */
@Resolver(() => OAuthClientDto)
export class OAuthClientsResolver {
  constructor(private readonly clients: OAuthClientsService) {}

  @RequirePermission(OAUTH_CLIENTS_MANAGE)
  @Query(() => OAuthClientConnection, {
    name: 'oauthClients',
    description: 'The tenant’s OAuth clients, oldest first. REST: GET /v1/oauth-clients.',
  })
  async list(@Ctx() ctx: RequestContext, @Args() args: AdminPageArgs): Promise<Connection> {
    return toConnection(await this.clients.list(ctx, { limit: args.first, cursor: args.after }));
  }

  @RequirePermission(OAUTH_CLIENTS_MANAGE)
  @Query(() => OAuthClientDto, {
    name: 'oauthClient',
    description: 'One OAuth client (NOT_FOUND if absent).',
  })
  get(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, graphqlUuid) id: string,
  ): Promise<OAuthClientDto> {
    return this.clients.get(ctx, id);
  }

  @RequirePermission(OAUTH_CLIENTS_MANAGE)
  @Mutation(() => OAuthClientWithSecretDto, {
    description: 'Register an OAuth client; `clientSecret` is returned only here.',
  })
  createOAuthClient(
    @Ctx() ctx: RequestContext,
    @Args('input', { type: () => CreateOAuthClientInput }, createValidationPipe(CreateOAuthClientInput))
    input: CreateOAuthClientInput,
  ): Promise<OAuthClientWithSecretDto> {
    return this.clients.create(ctx, input);
  }

  @RequirePermission(OAUTH_CLIENTS_MANAGE)
  @Mutation(() => OAuthClientDto, { description: 'Merge-update an OAuth client: omitted fields stay.' })
  updateOAuthClient(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, graphqlUuid) id: string,
    @Args('input', { type: () => UpdateOAuthClientInput }, createValidationPipe(UpdateOAuthClientInput))
    input: UpdateOAuthClientInput,
  ): Promise<OAuthClientDto> {
    return this.clients.update(ctx, id, input);
  }

  @RequirePermission(OAUTH_CLIENTS_MANAGE)
  @Mutation(() => OAuthClientWithSecretDto, {
    description: 'A new secret; the old one works until previousSecretExpiresAt (default 24 h).',
  })
  rotateOAuthClientSecret(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, graphqlUuid) id: string,
    @Args('input', { type: () => RotateSecretInput, nullable: true }, createValidationPipe(RotateSecretInput))
    input: RotateSecretInput | null,
  ): Promise<OAuthClientWithSecretDto> {
    return this.clients.rotateSecret(ctx, id, input ?? {});
  }

  @RequirePermission(OAUTH_CLIENTS_MANAGE)
  @Mutation(() => OAuthClientDto, {
    description: 'Revoke an OAuth client: no new tokens, existing ones refused.',
  })
  revokeOAuthClient(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, graphqlUuid) id: string,
  ): Promise<OAuthClientDto> {
    return this.clients.revoke(ctx, id);
  }
}
