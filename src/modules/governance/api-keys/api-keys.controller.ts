import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { createValidationPipe } from '../../../platform/http/validation.js';
import { AuthenticatedOnly } from '../../../platform/security/require-permission.decorator.js';
import { adminPageType, idPipe, pageBody, problems } from '../admin-page.js';
import { ApiKeyDto, ApiKeyListQueryDto, CreateApiKeyInput, CreatedApiKeyDto } from './api-key.dto.js';
import { ApiKeysService } from './api-keys.service.js';

const ApiKeyPage = adminPageType(ApiKeyDto, 'ApiKey');
const id = idPipe('API key');

/**
 * Self-service: any signed-in user manages their own keys (@AuthenticatedOnly); what a key may
 * hold is bounded by the caller's permissions in the service, and other users' keys need
 * api-keys:manage there too. API keys and client tokens cannot call these routes (403).
 */
@ApiTags('api-keys')
@ApiBearerAuth('bearer')
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @AuthenticatedOnly()
  @ApiOperation({
    summary: 'Create an API key',
    description:
      'Returns the key (`rpk_…`) once; send it as `Authorization: Bearer <key>`. Scopes must be permissions you hold ' +
      'now (403 naming the others). `userId` makes a key for another user and needs api-keys:manage. Needs a user token.',
  })
  @ApiBody({ type: CreateApiKeyInput })
  @ApiResponse({ status: 201, type: CreatedApiKeyDto, description: 'Created; `key` is shown only here.' })
  @problems(400, 401, 403)
  create(
    @Ctx() ctx: RequestContext,
    @Body(createValidationPipe(CreateApiKeyInput)) input: CreateApiKeyInput,
  ): Promise<CreatedApiKeyDto> {
    return this.keys.create(ctx, input);
  }

  @Get()
  @AuthenticatedOnly()
  @ApiOperation({
    summary: 'List API keys',
    description:
      'Oldest first, never with secrets. Your own keys; with api-keys:manage every key of the tenant (filter with `userId`).',
  })
  @ApiOkResponse({ type: ApiKeyPage, description: 'A page.' })
  @problems(400, 401, 403)
  async list(@Ctx() ctx: RequestContext, @Query() query: ApiKeyListQueryDto) {
    return pageBody(await this.keys.list(ctx, query));
  }

  @Get(':id')
  @AuthenticatedOnly()
  @ApiOperation({
    summary: 'Get an API key',
    description: 'One of your keys (any key with api-keys:manage).',
  })
  @ApiOkResponse({ type: ApiKeyDto, description: 'The key, without its secret.' })
  @problems(401, 403, 404)
  get(@Ctx() ctx: RequestContext, @Param('id', id) keyId: string): Promise<ApiKeyDto> {
    return this.keys.get(ctx, keyId);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @AuthenticatedOnly()
  @ApiOperation({
    summary: 'Revoke an API key',
    description: 'The key stops working at once: its next request is a 401. Revoking again changes nothing.',
  })
  @ApiOkResponse({ type: ApiKeyDto, description: 'The revoked key.' })
  @problems(401, 403, 404)
  revoke(@Ctx() ctx: RequestContext, @Param('id', id) keyId: string): Promise<ApiKeyDto> {
    return this.keys.revoke(ctx, keyId);
  }
}
