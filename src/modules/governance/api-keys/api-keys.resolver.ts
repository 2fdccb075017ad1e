import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { createValidationPipe } from '../../../platform/http/validation.js';
import { Connection, ConnectionType, toConnection } from '../../../platform/records/connection.js';
import { graphqlUuid } from '../../../platform/records/record.resolver.js';
import { AuthenticatedOnly } from '../../../platform/security/require-permission.decorator.js';
import { ApiKeyDto, ApiKeysArgs, CreateApiKeyInput, CreatedApiKeyDto } from './api-key.dto.js';
import { ApiKeysService } from './api-keys.service.js';

const ApiKeyConnection = ConnectionType(ApiKeyDto, 'ApiKey');

/** GraphQL twin of /v1/api-keys; the same self-service rules (see ApiKeysController). */
@Resolver(() => ApiKeyDto)
export class ApiKeysResolver {
  constructor(private readonly keys: ApiKeysService) {}

  @AuthenticatedOnly()
  @Query(() => ApiKeyConnection, {
    name: 'apiKeys',
    description: 'Your API keys (every key of the tenant with api-keys:manage). REST: GET /v1/api-keys.',
  })
  async list(@Ctx() ctx: RequestContext, @Args() args: ApiKeysArgs): Promise<Connection> {
    return toConnection(
      await this.keys.list(ctx, { limit: args.first, cursor: args.after, userId: args.userId }),
    );
  }

  @AuthenticatedOnly()
  @Query(() => ApiKeyDto, {
    name: 'apiKey',
    description: 'One API key, without its secret (NOT_FOUND if absent).',
  })
  get(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, graphqlUuid) id: string,
  ): Promise<ApiKeyDto> {
    return this.keys.get(ctx, id);
  }

  @AuthenticatedOnly()
  @Mutation(() => CreatedApiKeyDto, {
    description:
      'Create an API key; `key` is returned only here. Scopes must be permissions you hold (FORBIDDEN naming the others).',
  })
  createApiKey(
    @Ctx() ctx: RequestContext,
    @Args('input', { type: () => CreateApiKeyInput }, createValidationPipe(CreateApiKeyInput))
    input: CreateApiKeyInput,
  ): Promise<CreatedApiKeyDto> {
    return this.keys.create(ctx, input);
  }

  @AuthenticatedOnly()
  @Mutation(() => ApiKeyDto, { description: 'Revoke an API key: its next request is refused (401).' })
  revokeApiKey(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, graphqlUuid) id: string,
  ): Promise<ApiKeyDto> {
    return this.keys.revoke(ctx, id);
  }
}
