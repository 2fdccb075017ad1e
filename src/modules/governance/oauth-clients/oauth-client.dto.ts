import { InputType, ObjectType } from '@nestjs/graphql';
import { InputProp, OutputProp } from '../../../platform/records/field-decorators.js';
import { PartialInput } from '../../../platform/records/partial-input.js';

export const OAUTH_CLIENT_STATUSES = ['active', 'revoked'] as const;
export type OAuthClientStatus = (typeof OAUTH_CLIENT_STATUSES)[number];

/** Longest overlap of a rotated secret (7 days) and its default (24 hours). */
export const MAX_PREVIOUS_SECRET_TTL_SECONDS = 604_800;
export const DEFAULT_PREVIOUS_SECRET_TTL_SECONDS = 86_400;

const ALLOWED_SCOPES_DESCRIPTION =
  'Permission strings the client may request (e.g. `contacts:read`); each must be one you hold yourself (403 ' +
  'naming the others). A token gets the requested scopes ∩ these ∩ what the client’s role grants at the time.';

@ObjectType('OAuthClient', {
  description:
    'A partner application using the client_credentials grant at POST /oauth/token. Acts as a role.',
})
export class OAuthClientDto {
  @OutputProp({ kind: 'uuid', description: 'Id of the client record (for these management operations).' })
  id: string;
  @OutputProp({
    kind: 'string',
    description: 'The public OAuth `client_id` (`rpc_…`) the application authenticates with.',
  })
  clientId: string;
  @OutputProp({ kind: 'string', description: 'Name of the application.', example: 'Billing sync' })
  name: string;
  @OutputProp({ kind: 'uuid', description: 'The role whose permissions bound every token of the client.' })
  roleId: string;
  @OutputProp({ kind: 'stringArray', description: 'Scopes the client may request.' })
  allowedScopes: string[];
  @OutputProp({ kind: 'int', description: 'Lifetime of its access tokens in seconds (60–3600).' })
  tokenLifetimeSeconds: number;
  @OutputProp({
    kind: 'enum',
    enumValues: OAUTH_CLIENT_STATUSES,
    graphqlEnum: String,
    description: 'active or revoked.',
  })
  status: OAuthClientStatus;
  @OutputProp({ kind: 'datetime', nullable: true, description: 'When the secret was last rotated.' })
  secretRotatedAt: Date | null;
  @OutputProp({
    kind: 'datetime',
    nullable: true,
    description: 'Until when the secret before the last rotation still works; null when it no longer does.',
  })
  previousSecretExpiresAt: Date | null;
  @OutputProp({ kind: 'uuid', description: 'The user who created it.' }) createdBy: string;
  @OutputProp({ kind: 'datetime', nullable: true, description: 'When it was revoked.' })
  revokedAt: Date | null;
  @OutputProp({ kind: 'datetime', description: 'Created at.' }) createdAt: Date;
  @OutputProp({ kind: 'datetime', description: 'Last changed at.' }) updatedAt: Date;
  @OutputProp({ kind: 'int', description: 'Version; bumps on every change.' }) version: number;
}

@ObjectType('OAuthClientWithSecret', {
  description:
    'A client with its new secret, after creation or rotation: the secret is shown this once only.',
})
export class OAuthClientWithSecretDto extends OAuthClientDto {
  @OutputProp({
    kind: 'string',
    description:
      'The `client_secret` (`rcs_…`). Shown only in this response: Rapport keeps just a hash. Authenticate with HTTP ' +
      'Basic (client_secret_basic) or the client_id and client_secret parameters (client_secret_post).',
  })
  clientSecret: string;
}

@InputType('CreateOAuthClientInput')
export class CreateOAuthClientInput {
  @InputProp({ kind: 'string', required: true, maxLength: 100, description: 'Name of the application.' })
  name: string;
  @InputProp({ kind: 'uuid', required: true, description: 'The role the client acts as.' })
  roleId: string;
  @InputProp({ kind: 'stringArray', required: true, description: ALLOWED_SCOPES_DESCRIPTION })
  allowedScopes: string[];
  @InputProp({
    kind: 'int',
    min: 60,
    max: 3600,
    description:
      'Access token lifetime in seconds, 60–3600; omitted: the server’s access token lifetime, at most 3600.',
  })
  tokenLifetimeSeconds?: number | null;
}

@InputType('UpdateOAuthClientInput')
export class UpdateOAuthClientInput extends PartialInput(CreateOAuthClientInput) {}

@InputType('RotateOAuthClientSecretInput')
export class RotateSecretInput {
  @InputProp({
    kind: 'int',
    min: 0,
    max: MAX_PREVIOUS_SECRET_TTL_SECONDS,
    description:
      'How long the current secret keeps working beside the new one, in seconds (0–604800, default 86400), so ' +
      'the application can switch without downtime. 0 ends it at once.',
  })
  previousSecretTtlSeconds?: number | null;
}
