import { ArgsType, Field, GraphQLISODateTime, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { GraphQLJSON } from 'graphql-type-json';
import { PageInfo } from '../../../platform/records/connection.js';
import { PageQueryDto } from '../../../platform/records/list-query.dto.js';

const ACTION_PATTERN = /^[a-z][a-z_]{0,39}$/;
const ISO = { strict: true } as const;
const isoMessage = { message: '$property must be an ISO 8601 date-time' };

// ------------------------------------------------------------------------------------ inputs

/** The filters of the audit list, shared by REST (query string) and GraphQL (`filter` input). */
@InputType('AuditEventFilter', { description: 'Narrows the audit list; all given filters must match.' })
export class AuditEventFilterInput {
  @Field({
    nullable: true,
    description: 'The acting principal: user id, API key id, OAuth client id or "system".',
  })
  @ApiPropertyOptional({
    description: 'The acting principal: user id, API key id, OAuth client id or "system".',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  actorId?: string;

  @Field({ nullable: true, description: 'The OAuth client (client_id) the token was issued to.' })
  @ApiPropertyOptional({ description: 'The OAuth client (client_id) the token was issued to.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  clientId?: string;

  @Field({ nullable: true, description: 'Object name, singular: account, contact, activity, user, role, …' })
  @ApiPropertyOptional({
    description: 'Object name, singular: account, contact, activity, user, role, …',
    example: 'contact',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  object?: string;

  @Field(() => ID, { nullable: true, description: 'The record the event concerns.' })
  @ApiPropertyOptional({ format: 'uuid', description: 'The record the event concerns.' })
  @IsOptional()
  @IsUUID('all')
  recordId?: string;

  @Field({
    nullable: true,
    description:
      'create, update, delete, restore, login, login_failed, token_granted, permission_change, denied, …',
  })
  @ApiPropertyOptional({
    description:
      'create, update, delete, restore, login, login_failed, token_granted, permission_change, denied, …',
    example: 'update',
  })
  @IsOptional()
  @Matches(ACTION_PATTERN, { message: 'action must be an action name such as update or login_failed' })
  action?: string;

  @Field({ nullable: true, description: 'Events at or after this time (ISO 8601).' })
  @ApiPropertyOptional({ format: 'date-time', description: 'Events at or after this time (ISO 8601).' })
  @IsOptional()
  @IsISO8601(ISO, isoMessage)
  from?: string;

  @Field({ nullable: true, description: 'Events before this time (ISO 8601, exclusive).' })
  @ApiPropertyOptional({ format: 'date-time', description: 'Events before this time (ISO 8601, exclusive).' })
  @IsOptional()
  @IsISO8601(ISO, isoMessage)
  to?: string;
}

/** `GET /v1/audit-events` query string. */
export class AuditEventsQueryDto extends IntersectionType(AuditEventFilterInput, PageQueryDto) {}

/** `GET /v1/{object}/{id}/history` query string. */
export class HistoryQueryDto extends PageQueryDto {}

@ArgsType()
export class AuditEventsArgs {
  @Field(() => AuditEventFilterInput, { nullable: true, description: 'Filters; all given must match.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => AuditEventFilterInput)
  filter?: AuditEventFilterInput;

  @Field(() => Int, { nullable: true, description: 'Page size, 1–200 (default 50).' })
  @IsOptional()
  @IsInt()
  @Min(1)
  first?: number;

  @Field({ nullable: true, description: 'Cursor from pageInfo.endCursor.' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  after?: string;
}

@ArgsType()
export class RecordHistoryArgs {
  @Field({ description: 'Object name, singular or plural: contact or contacts.' })
  @IsString()
  @MaxLength(100)
  object: string;

  @Field(() => ID, { description: 'The record id.' })
  @IsString()
  @MaxLength(100)
  id: string;

  @Field(() => Int, { nullable: true, description: 'Page size, 1–200 (default 50).' })
  @IsOptional()
  @IsInt()
  @Min(1)
  first?: number;

  @Field({ nullable: true, description: 'Cursor from pageInfo.endCursor.' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  after?: string;
}

// ----------------------------------------------------------------------------------- outputs

const CHANGES_DESCRIPTION =
  'Changed fields: field name → {before, after}. Fields your role may not read are left out.';

/** Who did it, when, and through which channel: shared by audit events and record history. */
@ObjectType({ isAbstract: true })
export abstract class AuditActorDto {
  @Field(() => GraphQLISODateTime, { description: 'When it happened.' })
  @ApiProperty({ type: String, format: 'date-time', description: 'When it happened.' })
  occurredAt: Date;

  @Field({ description: 'Principal type: user, apiKey, oauthClient or system.' })
  @ApiProperty({
    enum: ['user', 'apiKey', 'oauthClient', 'system', 'anonymous'],
    description: 'Principal type: user, apiKey, oauthClient or system.',
  })
  actorType: string;

  @Field({ description: 'Principal id: user id, API key id, OAuth client id or "system".' })
  @ApiProperty({ description: 'Principal id: user id, API key id, OAuth client id or "system".' })
  actorId: string;

  @Field(() => ID, { nullable: true, description: 'The user the actor acts for, if any.' })
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The user the actor acts for, if any.',
  })
  userId: string | null;

  @Field(() => String, { nullable: true, description: 'OAuth client (client_id) of the token, if any.' })
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'OAuth client (client_id) of the token, if any.',
  })
  clientId: string | null;

  @Field({ description: 'rest, graphql, bulk or system.' })
  @ApiProperty({ enum: ['rest', 'graphql', 'bulk', 'system'], description: 'rest, graphql, bulk or system.' })
  channel: string;

  @Field(() => String, { nullable: true, description: 'The request id (X-Request-Id) of the call.' })
  @ApiProperty({ type: String, nullable: true, description: 'The request id (X-Request-Id) of the call.' })
  requestId: string | null;
}

@ObjectType('AuditEvent', { description: 'One entry of the tamper-evident audit trail.' })
export class AuditEventDto extends AuditActorDto {
  @Field(() => ID, { description: 'Event id (UUIDv7).' })
  @ApiProperty({ format: 'uuid', description: 'Event id (UUIDv7).' })
  id: string;

  @Field(() => String, { nullable: true, description: 'Object name, singular (contact, role, …).' })
  @ApiProperty({ type: String, nullable: true, description: 'Object name, singular (contact, role, …).' })
  object: string | null;

  @Field(() => ID, { nullable: true, description: 'The record concerned.' })
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The record concerned.' })
  recordId: string | null;

  @Field({ description: 'create, update, delete, restore, login, login_failed, token_granted, denied, …' })
  @ApiProperty({
    description: 'create, update, delete, restore, login, login_failed, token_granted, denied, …',
  })
  action: string;

  @Field({ description: 'success, denied or failure.' })
  @ApiProperty({ enum: ['success', 'denied', 'failure'], description: 'success, denied or failure.' })
  outcome: string;

  @Field(() => GraphQLJSON, { nullable: true, description: CHANGES_DESCRIPTION })
  @ApiProperty({
    type: 'object',
    additionalProperties: {
      type: 'object',
      properties: { before: {}, after: {} },
    },
    nullable: true,
    description: CHANGES_DESCRIPTION,
  })
  changes: Record<string, { before: unknown; after: unknown }> | null;

  @Field(() => GraphQLJSON, {
    nullable: true,
    description: 'Extras: version, grant type, scope, denial reason, operation.',
  })
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'Extras: version, grant type, scope, denial reason, operation.',
  })
  details: Record<string, unknown> | null;
}

export class AuditEventPageDto {
  @ApiProperty({ type: [AuditEventDto], description: 'The page of events, newest first.' })
  data: AuditEventDto[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Cursor of the next page; null on the last page.',
  })
  nextCursor: string | null;
}

@ObjectType('AuditVerification', { description: 'The result of walking the tenant’s audit hash chains.' })
export class AuditVerificationDto {
  @Field({ description: 'true when every chain is intact.' })
  @ApiProperty({ description: 'true when every chain is intact.' })
  ok: boolean;

  @Field(() => Int, { description: 'Events whose hash was checked.' })
  @ApiProperty({ type: 'integer', description: 'Events whose hash was checked.' })
  checked: number;

  @Field(() => Int, { description: 'Chains walked.' })
  @ApiProperty({ type: 'integer', description: 'Chains walked.' })
  chains: number;

  @Field(() => ID, { nullable: true, description: 'The first event found broken, when not ok.' })
  @ApiPropertyOptional({ format: 'uuid', description: 'The first event found broken, when not ok.' })
  firstBadEventId?: string;

  @Field(() => String, { nullable: true, description: 'What is wrong, when not ok.' })
  @ApiPropertyOptional({ description: 'What is wrong, when not ok.' })
  reason?: string;
}

@ObjectType('FieldChange', { description: 'One field’s value before and after a change.' })
export class FieldChangeDto {
  @Field({ description: 'Field name.' })
  @ApiProperty({ description: 'Field name.', example: 'email' })
  field: string;

  @Field(() => GraphQLJSON, { nullable: true, description: 'The value before (null: none).' })
  @ApiProperty({ nullable: true, description: 'The value before (null: none).' })
  before: unknown;

  @Field(() => GraphQLJSON, { nullable: true, description: 'The value after (null: none).' })
  @ApiProperty({ nullable: true, description: 'The value after (null: none).' })
  after: unknown;
}

@ObjectType('RecordHistoryEntry', { description: 'One change of a record, with the fields it changed.' })
export class HistoryEntryDto extends AuditActorDto {
  @Field(() => ID, { description: 'The audit event id.' })
  @ApiProperty({ format: 'uuid', description: 'The audit event id.' })
  eventId: string;

  @Field({ description: 'create, update, delete, restore, …' })
  @ApiProperty({ description: 'create, update, delete, restore, …', example: 'update' })
  action: string;

  @Field(() => Int, { nullable: true, description: 'The record’s version after the change.' })
  @ApiProperty({ type: 'integer', nullable: true, description: 'The record’s version after the change.' })
  version: number | null;

  @Field(() => [FieldChangeDto], {
    description: 'Changed fields, by name; fields you may not read are left out.',
  })
  @ApiProperty({
    type: [FieldChangeDto],
    description: 'Changed fields, by name; fields you may not read are left out.',
  })
  changes: FieldChangeDto[];
}

export class HistoryPageDto {
  @ApiProperty({ type: [HistoryEntryDto], description: 'The record’s changes, newest first.' })
  data: HistoryEntryDto[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Cursor of the next page; null on the last page.',
  })
  nextCursor: string | null;
}

@ObjectType('AuditEventEdge')
export class AuditEventEdge {
  @Field(() => AuditEventDto) node: AuditEventDto;
  @Field({ description: 'Cursor of this event.' }) cursor: string;
}

@ObjectType('AuditEventConnection', { description: 'A page of audit events, newest first.' })
export class AuditEventConnection {
  @Field(() => [AuditEventDto]) nodes: AuditEventDto[];
  @Field(() => [AuditEventEdge]) edges: AuditEventEdge[];
  @Field(() => PageInfo) pageInfo: PageInfo;
}

@ObjectType('RecordHistoryEdge')
export class RecordHistoryEdge {
  @Field(() => HistoryEntryDto) node: HistoryEntryDto;
  @Field({ description: 'Cursor of this entry.' }) cursor: string;
}

@ObjectType('RecordHistoryConnection', { description: 'A page of a record’s changes, newest first.' })
export class RecordHistoryConnection {
  @Field(() => [HistoryEntryDto]) nodes: HistoryEntryDto[];
  @Field(() => [RecordHistoryEdge]) edges: RecordHistoryEdge[];
  @Field(() => PageInfo) pageInfo: PageInfo;
}
