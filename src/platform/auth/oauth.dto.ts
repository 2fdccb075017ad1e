import { ApiProperty, ApiPropertyOptional, ApiResponseOptions } from '@nestjs/swagger';

/*
 * OpenAPI shapes of the OAuth endpoints. The token endpoint parses its body itself (RFC 6749 wants
 * unknown parameters ignored and errors in its own format), so TokenRequestDto documents the body
 * but is not run through the global whitelisting ValidationPipe.
 */

export class TokenRequestDto {
  @ApiProperty({ enum: ['password', 'refresh_token', 'client_credentials'], description: 'The grant type.' })
  grant_type: string;

  @ApiPropertyOptional({
    description: "password grant: the user's email address.",
    example: 'admin@rapport.local',
  })
  username?: string;

  @ApiPropertyOptional({ description: "password grant: the user's password.", format: 'password' })
  password?: string;

  @ApiPropertyOptional({
    description:
      'refresh_token grant: the refresh token from an earlier response. Single use: each use returns a new one.',
  })
  refresh_token?: string;

  @ApiPropertyOptional({
    description:
      'Space-separated scopes (permission strings) that narrow the token, e.g. "contacts:read". Omitted: for a user, ' +
      'their own permissions, unnarrowed; for an OAuth client, all of its allowed scopes. A client asking beyond its ' +
      'allowed scopes gets invalid_scope.',
  })
  scope?: string;

  @ApiPropertyOptional({
    description:
      "client_credentials with client_secret_post: the OAuth client's `client_id` (`rpc_…`). First-party apps using the " +
      'password or refresh_token grant may send any public identifier; it is not checked.',
  })
  client_id?: string;

  @ApiPropertyOptional({
    description:
      'client_credentials with client_secret_post: the client secret (`rcs_…`). Alternatively send both in an HTTP Basic ' +
      'Authorization header (client_secret_basic), not both ways at once.',
    format: 'password',
  })
  client_secret?: string;
}

export class TokenResponseDto {
  @ApiProperty({
    description: 'JWT access token (RS256, `typ` at+jwt); send as `Authorization: Bearer <token>`.',
  })
  access_token: string;

  @ApiProperty({ enum: ['Bearer'], description: 'Always Bearer.' })
  token_type: 'Bearer';

  @ApiProperty({ description: 'Lifetime of the access token in seconds.', example: 900 })
  expires_in: number;

  @ApiPropertyOptional({
    description:
      'Opaque, single-use refresh token. Reusing a used one revokes the whole sign-in session. Not issued for ' +
      'client_credentials.',
  })
  refresh_token?: string;

  @ApiProperty({
    description: 'Granted scopes, space-separated; empty means unnarrowed (user tokens only).',
    example: '',
  })
  scope: string;
}

export class OAuthErrorDto {
  @ApiProperty({
    enum: [
      'invalid_request',
      'invalid_client',
      'invalid_grant',
      'unauthorized_client',
      'unsupported_grant_type',
      'invalid_scope',
      'temporarily_unavailable',
      'server_error',
    ],
    description: 'RFC 6749 §5.2 error code.',
  })
  error: string;

  @ApiProperty({ description: 'Human-readable explanation.' })
  error_description: string;
}

export class JwkDto {
  @ApiProperty({ description: 'Key type.', example: 'RSA' })
  kty: string;

  @ApiProperty({ description: 'RSA modulus, base64url.' })
  n: string;

  @ApiProperty({ description: 'RSA public exponent, base64url.', example: 'AQAB' })
  e: string;

  @ApiProperty({ description: 'Key id, as in the `kid` header of tokens signed with this key.' })
  kid: string;

  @ApiProperty({ description: 'Signing algorithm.', example: 'RS256' })
  alg: string;

  @ApiProperty({ enum: ['sig'], description: 'Key use.' })
  use: string;
}

export class JwksDto {
  @ApiProperty({ type: [JwkDto], description: 'Every key that may have signed a currently valid token.' })
  keys: JwkDto[];
}

export class AuthorizationServerMetadataDto {
  @ApiProperty({ description: 'Issuer identifier; equals the `iss` claim of access tokens.' })
  issuer: string;

  @ApiProperty({ description: 'URL of the token endpoint.' })
  token_endpoint: string;

  @ApiProperty({ description: 'URL of the JSON Web Key Set.' })
  jwks_uri: string;

  @ApiProperty({ type: [String], description: 'Supported grant types.' })
  grant_types_supported: string[];

  @ApiProperty({
    type: [String],
    description: 'Supported response types; empty, as there is no authorization endpoint.',
  })
  response_types_supported: string[];

  @ApiProperty({
    type: [String],
    description: 'Supported client authentication methods at the token endpoint.',
  })
  token_endpoint_auth_methods_supported: string[];

  @ApiProperty({
    type: [String],
    description:
      'Every scope a token may carry: the permission strings (`<object>:<action>` and admin permissions).',
  })
  scopes_supported: string[];

  @ApiProperty({ description: 'Human-readable API documentation.' })
  service_documentation: string;
}

/** A documented application/problem+json response, inline so it cannot clash with other modules' schema names. */
export function problemResponse(status: number, description: string): ApiResponseOptions {
  return {
    status,
    description,
    content: {
      'application/problem+json': {
        schema: {
          type: 'object',
          required: ['type', 'title', 'status', 'detail', 'code'],
          properties: {
            type: { type: 'string', format: 'uri' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            code: { type: 'string' },
            requestId: { type: 'string' },
          },
        },
      },
    },
  };
}
