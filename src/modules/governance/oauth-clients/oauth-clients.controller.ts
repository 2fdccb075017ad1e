import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Ctx } from '../../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { createValidationPipe } from '../../../platform/http/validation.js';
import { RequirePermission } from '../../../platform/security/require-permission.decorator.js';
import { AdminListQueryDto, adminPageType, idPipe, pageBody, problems } from '../admin-page.js';
import {
  CreateOAuthClientInput,
  OAuthClientDto,
  OAuthClientWithSecretDto,
  RotateSecretInput,
  UpdateOAuthClientInput,
} from './oauth-client.dto.js';
import { OAUTH_CLIENTS_MANAGE, OAuthClientsService } from './oauth-clients.service.js';

const OAuthClientPage = adminPageType(OAuthClientDto, 'OAuthClient');
const id = idPipe('OAuth client');

@ApiTags('oauth-clients')
@ApiBearerAuth('bearer')
@Controller('v1/oauth-clients')
@RequirePermission(OAUTH_CLIENTS_MANAGE)
export class OAuthClientsController {
  constructor(private readonly clients: OAuthClientsService) {}

  @Post()
  @ApiOperation({
    summary: 'Register an OAuth client',
    description:
      'A partner application for the client_credentials grant. Returns `clientId` and `clientSecret`; the secret is ' +
      'shown only here. Allowed scopes must be permissions you hold (403 naming the others). Needs a user token.',
  })
  @ApiBody({ type: CreateOAuthClientInput })
  @ApiResponse({
    status: 201,
    type: OAuthClientWithSecretDto,
    description: 'Created; `clientSecret` is shown only here.',
  })
  @problems(400, 401, 403)
  create(
    @Ctx() ctx: RequestContext,
    @Body(createValidationPipe(CreateOAuthClientInput)) input: CreateOAuthClientInput,
  ): Promise<OAuthClientWithSecretDto> {
    return this.clients.create(ctx, input);
  }

  @Get()
  @ApiOperation({
    summary: 'List OAuth clients',
    description: 'Every client of the tenant, oldest first, without secrets.',
  })
  @ApiOkResponse({ type: OAuthClientPage, description: 'A page.' })
  @problems(400, 401, 403)
  async list(@Ctx() ctx: RequestContext, @Query() query: AdminListQueryDto) {
    return pageBody(await this.clients.list(ctx, query));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an OAuth client', description: 'One client, without its secret.' })
  @ApiOkResponse({ type: OAuthClientDto, description: 'The client.' })
  @problems(401, 403, 404)
  get(@Ctx() ctx: RequestContext, @Param('id', id) clientId: string): Promise<OAuthClientDto> {
    return this.clients.get(ctx, clientId);
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Update an OAuth client',
    description:
      'Merge patch of name, roleId, allowedScopes and tokenLifetimeSeconds; tokens already issued follow at once. ' +
      'A revoked client answers 409.',
  })
  @ApiBody({ type: UpdateOAuthClientInput })
  @ApiOkResponse({ type: OAuthClientDto, description: 'Updated.' })
  @problems(400, 401, 403, 404, 409)
  update(
    @Ctx() ctx: RequestContext,
    @Param('id', id) clientId: string,
    @Body(createValidationPipe(UpdateOAuthClientInput)) patch: UpdateOAuthClientInput,
  ): Promise<OAuthClientDto> {
    return this.clients.update(ctx, clientId, patch);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Rotate an OAuth client secret',
    description:
      'Returns a new `clientSecret` (shown only here). The old one keeps working until `previousSecretExpiresAt` ' +
      '(`previousSecretTtlSeconds`, default 24 h; 0 ends it at once). A revoked client answers 409.',
  })
  @ApiBody({ type: RotateSecretInput, required: false })
  @ApiOkResponse({ type: OAuthClientWithSecretDto, description: 'The client with its new secret.' })
  @problems(400, 401, 403, 404, 409)
  rotateSecret(
    @Ctx() ctx: RequestContext,
    @Param('id', id) clientId: string,
    @Body(createValidationPipe(RotateSecretInput)) input: RotateSecretInput | undefined,
  ): Promise<OAuthClientWithSecretDto> {
    return this.clients.rotateSecret(ctx, clientId, input ?? {});
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Revoke an OAuth client',
    description: 'No new tokens, and the tokens already issued are refused from the next request on (401).',
  })
  @ApiOkResponse({ type: OAuthClientDto, description: 'The revoked client.' })
  @problems(401, 403, 404)
  revoke(@Ctx() ctx: RequestContext, @Param('id', id) clientId: string): Promise<OAuthClientDto> {
    return this.clients.revoke(ctx, clientId);
  }
}
