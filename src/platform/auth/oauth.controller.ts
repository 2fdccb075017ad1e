import { Body, Controller, Header, Headers, HttpCode, Ip, Post, Req, UseFilters } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { OAuthErrorDto, TokenRequestDto, TokenResponseDto } from './oauth.dto.js';
import { OAuthErrorFilter } from './oauth-error.filter.js';
import { OAuthService, type TokenResponse } from './oauth.service.js';
import { Public } from './public.decorator.js';

@ApiTags('auth')
@Controller('oauth')
export class OAuthController {
  constructor(private readonly oauth: OAuthService) {}

  @Post('token')
  @Public()
  @HttpCode(200)
  @UseFilters(OAuthErrorFilter)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  @ApiOperation({
    operationId: 'oauth_token',
    summary: 'Issue tokens (OAuth 2.0 token endpoint)',
    description:
      "RFC 6749 token endpoint. `grant_type=password` exchanges a user's email (`username`) and `password` for an access " +
      'token and a refresh token; `grant_type=refresh_token` exchanges a refresh token for a new pair. Refresh tokens are ' +
      'single use: presenting one twice revokes the whole sign-in session. `grant_type=client_credentials` issues an ' +
      'OAuth client (see /v1/oauth-clients) an access token, at most 1 hour long and without refresh token; the client ' +
      'authenticates with HTTP Basic (`client_secret_basic`) or `client_id` + `client_secret` parameters ' +
      '(`client_secret_post`). Failed password sign-ins are throttled per email and per client IP: past the limit, ' +
      'attempts get 429 `temporarily_unavailable` with `Retry-After` until the (doubling) wait is over; there is no ' +
      'permanent lockout. Errors use the RFC 6749 §5.2 shape (`{error, error_description}`), not problem+json.',
  })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiProduces('application/json')
  @ApiBody({
    type: TokenRequestDto,
    description: 'Token request parameters (form-encoded, or the same names as JSON).',
  })
  @ApiOkResponse({ type: TokenResponseDto, description: 'Tokens issued.' })
  @ApiResponse({
    status: 400,
    type: OAuthErrorDto,
    description:
      'invalid_request, invalid_grant (wrong credentials; used, expired or revoked refresh token), unsupported_grant_type, ' +
      'unauthorized_client (an OAuth client asked for a grant other than client_credentials) or invalid_scope (a ' +
      'malformed scope, or one beyond what the client is allowed).',
  })
  @ApiResponse({
    status: 401,
    type: OAuthErrorDto,
    description:
      'invalid_client: unknown or revoked client, wrong secret, or client_credentials without client authentication. ' +
      'Carries `WWW-Authenticate: Basic`.',
  })
  @ApiResponse({
    status: 429,
    type: OAuthErrorDto,
    description:
      'temporarily_unavailable: too many failed sign-ins for this email or from this IP address; retry after the ' +
      'number of seconds in the `Retry-After` header.',
    headers: { 'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } } },
  })
  token(
    @Body() body: unknown,
    @Headers('authorization') authorization: string | undefined,
    @Ip() ip: string | undefined,
    @Req() request: { id?: unknown },
  ): Promise<TokenResponse> {
    return this.oauth.token(body, authorization, ip, typeof request.id === 'string' ? request.id : undefined);
  }
}
