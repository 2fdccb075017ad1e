import { ArgsType, Field, ID, InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { GraphQLJSON } from 'graphql-type-json';
import { InputProp, OutputProp } from '../../../platform/records/field-decorators.js';
import {
  FIELD_ACCESS,
  FIELD_POLICY_MODES,
  type FieldAccess,
  type FieldPolicyMode,
} from '../../../platform/security/policy/field-policy.js';
import {
  ACCESS_RULES,
  SHARING_ACCESS,
  type AccessRule,
  type GranteeType,
  type ShareAccess,
  type SharingAccess,
} from '../../../platform/security/policy/record-policy.js';
import { AdminListQueryDto, AdminPageArgs } from '../admin-page.js';

const enumOf = <T extends string>(values: readonly T[]) => Object.fromEntries(values.map((v) => [v, v]));

export const SHARE_ACCESS: readonly ShareAccess[] = ['read', 'readWrite'];
export const GRANTEE_TYPES: readonly GranteeType[] = ['user', 'team', 'role'];
export const GRANTS = ['none', 'read', 'readWrite'] as const;

const SharingAccessEnum = enumOf(SHARING_ACCESS);
const ShareAccessEnum = enumOf(SHARE_ACCESS);
const GranteeTypeEnum = enumOf(GRANTEE_TYPES);
const FieldPolicyModeEnum = enumOf(FIELD_POLICY_MODES);
const AccessRuleEnum = enumOf([...ACCESS_RULES, 'none'] as const);
const GrantsEnum = enumOf(GRANTS);
registerEnumType(SharingAccessEnum, {
  name: 'SharingAccess',
  description:
    'Org-wide default of an object: private (owner, hierarchy and shares only), read, or readWrite.',
});
registerEnumType(ShareAccessEnum, {
  name: 'ShareAccess',
  description: 'What a share grants: read or readWrite.',
});
registerEnumType(GranteeTypeEnum, { name: 'ShareGranteeType', description: 'Who a share is for.' });
registerEnumType(FieldPolicyModeEnum, {
  name: 'FieldPolicyMode',
  description: 'allowList: unlisted fields are hidden; denyList: unlisted fields are editable.',
});
registerEnumType(AccessRuleEnum, {
  name: 'AccessRule',
  description: 'A record-level rule that can grant access (none: nothing does).',
});
registerEnumType(GrantsEnum, {
  name: 'AccessGrant',
  description: 'What a rule grants: none, read or readWrite.',
});

const SHARING = { kind: 'enum' as const, enumValues: SHARING_ACCESS, graphqlEnum: SharingAccessEnum };
const SHARE = { kind: 'enum' as const, enumValues: SHARE_ACCESS, graphqlEnum: ShareAccessEnum };
const GRANTEE = { kind: 'enum' as const, enumValues: GRANTEE_TYPES, graphqlEnum: GranteeTypeEnum };
const MODE = { kind: 'enum' as const, enumValues: FIELD_POLICY_MODES, graphqlEnum: FieldPolicyModeEnum };
const RULE = { kind: 'enum' as const, enumValues: [...ACCESS_RULES, 'none'], graphqlEnum: AccessRuleEnum };
const GRANT = { kind: 'enum' as const, enumValues: GRANTS, graphqlEnum: GrantsEnum };

const OBJECT_DESCRIPTION =
  'The object, as in its REST path and permissions: `accounts`, `contacts`, `activities`.';

/** A field access map as OpenAPI sees it. */
const FIELD_MAP = {
  type: 'object' as const,
  additionalProperties: { type: 'string', enum: [...FIELD_ACCESS] },
};

@ObjectType('SharingSetting', { description: 'The org-wide default access of an object.' })
export class SharingSettingDto {
  @OutputProp({ kind: 'string', description: OBJECT_DESCRIPTION, example: 'contacts' }) object: string;
  @OutputProp({ ...SHARING, description: 'The org-wide default.' }) defaultAccess: SharingAccess;
  @OutputProp({
    kind: 'boolean',
    description: 'True when the tenant never set it: the built-in default (readWrite) applies.',
  })
  isDefault: boolean;
  @OutputProp({ kind: 'datetime', nullable: true, description: 'When it was last set.' })
  updatedAt: Date | null;
}

@InputType('SharingSettingInput')
export class SharingSettingInput {
  @InputProp({ ...SHARING, required: true, description: 'The new org-wide default.' })
  defaultAccess: SharingAccess;
}

@ObjectType('RecordShare', { description: 'One record shared with a user, a team or a role.' })
export class RecordShareDto {
  @OutputProp({ kind: 'uuid', description: 'Share id.' }) id: string;
  @OutputProp({ kind: 'string', description: OBJECT_DESCRIPTION, example: 'contacts' }) object: string;
  @OutputProp({ kind: 'uuid', description: 'The shared record.' }) recordId: string;
  @OutputProp({ ...GRANTEE, description: 'Who it is shared with.' }) granteeType: GranteeType;
  @OutputProp({ kind: 'uuid', description: 'The user, team or role id.' }) granteeId: string;
  @OutputProp({ ...SHARE, description: 'What the share grants.' }) access: ShareAccess;
  @OutputProp({ kind: 'uuid', nullable: true, description: 'The user who shared it.' }) createdBy:
    string | null;
  @OutputProp({ kind: 'datetime', description: 'Shared at.' }) createdAt: Date;
}

@InputType('RecordShareGrantInput')
export class RecordShareGrantInput {
  @InputProp({ ...GRANTEE, required: true, description: 'Who to share with.' }) granteeType: GranteeType;
  @InputProp({ kind: 'uuid', required: true, description: 'The user, team or role id.' }) granteeId: string;
  @InputProp({ ...SHARE, required: true, description: 'read or readWrite.' }) access: ShareAccess;
}

@InputType('RecordShareInput')
export class RecordShareInput extends RecordShareGrantInput {
  @InputProp({
    kind: 'string',
    required: true,
    maxLength: 100,
    description: OBJECT_DESCRIPTION,
    example: 'contacts',
  })
  object: string;
  @InputProp({ kind: 'uuid', required: true, description: 'The record to share.' }) recordId: string;
}

export class ShareListQueryDto extends AdminListQueryDto {
  @ApiPropertyOptional({ description: `Only shares of this object. ${OBJECT_DESCRIPTION}` })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  object?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only shares of this record.' })
  @IsOptional()
  @IsUUID('all')
  recordId?: string;

  @ApiPropertyOptional({ enum: [...GRANTEE_TYPES], description: 'Only shares with this kind of grantee.' })
  @IsOptional()
  @IsIn([...GRANTEE_TYPES])
  granteeType?: GranteeType;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only shares with this user, team or role.' })
  @IsOptional()
  @IsUUID('all')
  granteeId?: string;
}

@ObjectType('FieldPolicy', { description: 'A role’s field-level security for one object.' })
export class FieldPolicyDto {
  @OutputProp({ kind: 'uuid', description: 'The role.' }) roleId: string;
  @OutputProp({ kind: 'string', description: OBJECT_DESCRIPTION, example: 'contacts' }) object: string;
  @OutputProp({
    kind: 'boolean',
    description: 'False when the role has no policy for the object (every field editable).',
  })
  configured: boolean;
  @OutputProp({
    ...MODE,
    description: 'allowList: unlisted fields hidden; denyList: unlisted fields editable.',
  })
  mode: FieldPolicyMode;
  @Field(() => GraphQLJSON, { description: 'The stored rules: field API name → hidden, read or edit.' })
  @ApiProperty({ ...FIELD_MAP, description: 'The stored rules: field API name → hidden, read or edit.' })
  rules: Record<string, FieldAccess>;
  @Field(() => GraphQLJSON, {
    description: 'Every field’s resulting access (system and default-sort fields are never hidden).',
  })
  @ApiProperty({
    ...FIELD_MAP,
    description: 'Every field’s resulting access (system and default-sort fields are never hidden).',
  })
  effective: Record<string, FieldAccess>;
  @OutputProp({ kind: 'datetime', nullable: true, description: 'Last changed at.' }) updatedAt: Date | null;
  @OutputProp({ kind: 'int', nullable: true, description: 'Version; bumps on every change.' })
  version: number | null;
}

@InputType('FieldPolicyInput')
export class FieldPolicyInput {
  @InputProp({ ...MODE, required: true, description: 'allowList or denyList.' }) mode: FieldPolicyMode;
  @Field(() => GraphQLJSON, {
    description:
      'Field API name → hidden, read or edit. Unknown fields are a 400; system fields cannot be hidden.',
  })
  @ApiProperty({
    ...FIELD_MAP,
    description:
      'Field API name → hidden, read or edit. Unknown fields are a 400; system fields cannot be hidden.',
    example: { email: 'hidden', phone: 'read' },
  })
  @IsObject()
  rules: Record<string, FieldAccess>;
}

@ObjectType('AccessDecision', {
  description: 'Whether a user may read (or write) a record, and the rule that decides.',
})
export class AccessDecisionDto {
  @OutputProp({ kind: 'boolean', description: 'The answer.' }) allowed: boolean;
  @OutputProp({ ...RULE, description: 'The first rule that grants it (most specific first), or none.' })
  rule: AccessRule | 'none';
}

@ObjectType('AccessRuleResult', { description: 'What one record-level rule gives the user for this record.' })
export class AccessRuleResultDto {
  @OutputProp({ ...RULE, description: 'The rule.' }) rule: AccessRule;
  @OutputProp({ ...GRANT, description: 'What it grants here: none, read or readWrite.' })
  grants: (typeof GRANTS)[number];
  @OutputProp({ kind: 'string', description: 'Why, in words.' }) detail: string;
  @OutputProp({ kind: 'stringArray', description: 'The shares behind a share rule.' }) shareIds: string[];
}

@ObjectType('RecordAccess', { description: 'Why a user can or cannot see and change one record.' })
export class AccessExplanationDto {
  @OutputProp({ kind: 'string', description: OBJECT_DESCRIPTION }) object: string;
  @OutputProp({ kind: 'uuid', description: 'The record.' }) recordId: string;
  @OutputProp({ kind: 'uuid', description: 'The user asked about.' }) userId: string;
  @OutputProp({ kind: 'uuid', nullable: true, description: 'The user’s role.' }) roleId: string | null;
  @OutputProp({ kind: 'uuid', nullable: true, description: 'The record’s owner.' }) ownerId: string | null;
  @OutputProp({ kind: 'boolean', description: 'The record is soft-deleted.' }) deleted: boolean;
  @OutputProp({ kind: 'object', objectType: AccessDecisionDto, description: 'Read access.' })
  read: AccessDecisionDto;
  @OutputProp({
    kind: 'object',
    objectType: AccessDecisionDto,
    description: 'Write access (update, delete, restore).',
  })
  write: AccessDecisionDto;
  @Field(() => [AccessRuleResultDto], { description: 'Every rule, most specific first.' })
  @ApiProperty({ type: [AccessRuleResultDto], description: 'Every rule, most specific first.' })
  rules: AccessRuleResultDto[];
  @Field(() => GraphQLJSON, {
    description: 'The user’s field access on this object (field → hidden, read or edit).',
  })
  @ApiProperty({
    ...FIELD_MAP,
    description: 'The user’s field access on this object (field → hidden, read or edit).',
  })
  fields: Record<string, FieldAccess>;
}

export class AccessQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'The user to explain for (default: you).' })
  @IsOptional()
  @IsUUID('all')
  userId?: string;
}

@ArgsType()
export class RecordRefArgs {
  @Field({ description: OBJECT_DESCRIPTION })
  @IsString()
  @MaxLength(100)
  object: string;
  @Field(() => ID, { description: 'The record id.' })
  @IsUUID('all')
  id: string;
}

@ArgsType()
export class RecordAccessArgs extends RecordRefArgs {
  @Field(() => ID, { nullable: true, description: 'The user to explain for (default: you).' })
  @IsOptional()
  @IsUUID('all')
  userId?: string;
}

@ArgsType()
export class ShareListArgs extends AdminPageArgs {
  @Field({ nullable: true, description: `Only shares of this object. ${OBJECT_DESCRIPTION}` })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  object?: string;

  @Field(() => ID, { nullable: true, description: 'Only shares of this record.' })
  @IsOptional()
  @IsUUID('all')
  recordId?: string;

  @Field(() => GranteeTypeEnum, { nullable: true, description: 'Only shares with this kind of grantee.' })
  @IsOptional()
  @IsIn([...GRANTEE_TYPES])
  granteeType?: GranteeType;

  @Field(() => ID, { nullable: true, description: 'Only shares with this user, team or role.' })
  @IsOptional()
  @IsUUID('all')
  granteeId?: string;
}

/** What a share list is filtered and paged by (REST query or GraphQL args). */
export interface ShareListRequest {
  limit?: string | number;
  cursor?: string;
  object?: string;
  recordId?: string;
  granteeType?: GranteeType;
  granteeId?: string;
}
