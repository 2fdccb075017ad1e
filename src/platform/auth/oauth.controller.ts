import { Body, Controller, Header, Headers, HttpCode, Post, UseFilters } from '@nestjs/common';
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
      'single use: presenting one twice revokes the whole sign-in session. Errors use the RFC 6749 §5.2 shape ' +
      '(`{error, error_description}`), not problem+json.',
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
      'invalid_request, invalid_grant (wrong credentials; used, expired or revoked refresh token), unsupported_grant_type or invalid_scope.',
  })
  @ApiResponse({
    status: 401,
    type: OAuthErrorDto,
    description: 'invalid_client: client credentials were sent but no such client exists.',
  })
  token(@Body() body: unknown, @Headers('authorization') authorization?: string): Promise<TokenResponse> {
    return this.oauth.token(body, authorization);
  }
}
