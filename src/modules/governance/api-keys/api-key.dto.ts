import { ArgsType, Field, ID, InputType, ObjectType } from '@nestjs/graphql';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { InputProp, OutputProp } from '../../../platform/records/field-decorators.js';
import { AdminListQueryDto, AdminPageArgs } from '../admin-page.js';

export const API_KEY_STATUSES = ['active', 'expired', 'revoked'] as const;
export type ApiKeyStatus = (typeof API_KEY_STATUSES)[number];

const SCOPES_DESCRIPTION =
  'Permission strings the key may use (e.g. `contacts:read`). Each must be one you hold yourself ' +
  '(403 naming the ones you lack). At every request the key holds these scopes ∩ its owner’s current ' +
  'permissions, so demoting the owner demotes the key.';

@ObjectType('ApiKey', {
  description: 'A key for scripts: `Authorization: Bearer rpk_…`. Acts as its owner, narrowed to its scopes.',
})
export class ApiKeyDto {
  @OutputProp({ kind: 'uuid', description: 'Key id (also encoded in the key itself).' }) id: string;
  @OutputProp({ kind: 'string', description: 'What the key is for.', example: 'Nightly export' })
  name: string;
  @OutputProp({
    kind: 'string',
    description: 'The start of the key (`rpk_…`, never the secret part), to recognise it, e.g. in a log.',
  })
  prefix: string;
  @OutputProp({ kind: 'uuid', description: 'The owner: the key acts as this user.' }) userId: string;
  @OutputProp({ kind: 'uuid', description: 'Who created it: the owner, or a holder of api-keys:manage.' })
  createdBy: string;
  @OutputProp({ kind: 'stringArray', description: 'Permission strings the key is limited to.' })
  scopes: string[];
  @OutputProp({
    kind: 'enum',
    enumValues: API_KEY_STATUSES,
    graphqlEnum: String,
    description: 'active, expired or revoked.',
  })
  status: ApiKeyStatus;
  @OutputProp({ kind: 'datetime', nullable: true, description: 'When it stops working; null: never.' })
  expiresAt: Date | null;
  @OutputProp({
    kind: 'datetime',
    nullable: true,
    description: 'Last authenticated request (to the minute: written at most once a minute).',
  })
  lastUsedAt: Date | null;
  @OutputProp({ kind: 'datetime', nullable: true, description: 'When it was revoked.' })
  revokedAt: Date | null;
  @OutputProp({ kind: 'datetime', description: 'Created at.' }) createdAt: Date;
}

@ObjectType('CreatedApiKey', { description: 'A new API key, with the key itself: shown this once only.' })
export class CreatedApiKeyDto extends ApiKeyDto {
  @OutputProp({
    kind: 'string',
    description:
      'The key, to send as `Authorization: Bearer <key>`. Shown only in this response: Rapport keeps just a hash.',
  })
  key: string;
}

@InputType('CreateApiKeyInput')
export class CreateApiKeyInput {
  @InputProp({ kind: 'string', required: true, maxLength: 100, description: 'What the key is for.' })
  name: string;
  @InputProp({ kind: 'stringArray', required: true, description: SCOPES_DESCRIPTION })
  scopes: string[];
  @InputProp({ kind: 'datetime', description: 'When the key stops working (in the future); omitted: never.' })
  expiresAt?: string | null;
  @InputProp({
    kind: 'uuid',
    description:
      'Make the key for another user of the tenant (needs api-keys:manage); omitted: for yourself.',
  })
  userId?: string | null;
}

export class ApiKeyListQueryDto extends AdminListQueryDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Only this user’s keys. Without api-keys:manage you see your own keys only.',
  })
  @IsOptional()
  @IsUUID('all')
  userId?: string;
}

@ArgsType()
export class ApiKeysArgs extends AdminPageArgs {
  @Field(() => ID, {
    nullable: true,
    description: 'Only this user’s keys. Without api-keys:manage you see your own keys only.',
  })
  @IsOptional()
  @IsUUID('all')
  userId?: string;
}
