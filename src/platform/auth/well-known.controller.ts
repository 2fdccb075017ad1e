import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthorizationServerMetadataDto, JwksDto } from './oauth.dto.js';
import { type AuthorizationServerMetadata, OAuthService } from './oauth.service.js';
import { Public } from './public.decorator.js';

/** Public, cacheable discovery documents; clients re-fetch the JWKS when they meet an unknown kid. */
@ApiTags('auth')
@Controller('.well-known')
@Public()
export class WellKnownController {
  constructor(private readonly oauth: OAuthService) {}

  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({
    operationId: 'wellKnown_jwks',
    summary: 'Token signing keys (JWKS)',
    description:
      'The public keys that verify access tokens (RFC 7517), matched by the `kid` in the token header.',
  })
  @ApiOkResponse({ type: JwksDto, description: 'The JSON Web Key Set.' })
  jwks(): { keys: object[] } {
    return this.oauth.jwks();
  }

  @Get('oauth-authorization-server')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({
    operationId: 'wellKnown_authorizationServerMetadata',
    summary: 'OAuth 2.0 authorization server metadata',
    description:
      'RFC 8414 metadata: issuer, token endpoint, JWKS location and supported grants, for OAuth client libraries.',
  })
  @ApiOkResponse({ type: AuthorizationServerMetadataDto, description: 'The metadata document.' })
  metadata(): AuthorizationServerMetadata {
    return this.oauth.metadata();
  }
}
