import { Field, GraphQLISODateTime, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { GraphQLJSON } from 'graphql-type-json';
import { IMPORTABLE_OBJECTS } from './import-objects.js';

const MODES = ['create', 'update', 'upsert'];
const FORMATS = ['csv', 'ndjson'];
const STATUSES = ['queued', 'running', 'succeeded', 'partiallySucceeded', 'failed', 'cancelled'];
const toBool = ({ value }: { value: unknown }) =>
  value === 'true' ? true : value === 'false' ? false : value;
const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value !== '' ? Number(value) : value;

@ObjectType('ImportCounts', { description: 'Rows of an import job by outcome.' })
export class ImportCountsDto {
  @ApiProperty({ description: 'Rows (CSV records or NDJSON lines) received.' })
  @Field(() => Int)
  received: number;
  @ApiProperty({ description: 'Rows processed so far.' }) @Field(() => Int) processed: number;
  @ApiProperty({ description: 'Records created.' }) @Field(() => Int) created: number;
  @ApiProperty({ description: 'Records updated.' }) @Field(() => Int) updated: number;
  @ApiProperty({ description: 'Rows that matched a record with the same values (not written).' })
  @Field(() => Int)
  unchanged: number;
  @ApiProperty({ description: 'Rows that failed (see the errors file).' }) @Field(() => Int) failed: number;
}

@ObjectType('ImportJob', { description: 'A bulk import job.' })
export class ImportJobDto {
  @ApiProperty({ format: 'uuid' }) @Field(() => ID) id: string;
  @ApiProperty({ enum: IMPORTABLE_OBJECTS }) @Field() object: string;
  @ApiProperty({ enum: MODES }) @Field() mode: string;
  @ApiProperty({ description: 'The match key.' }) @Field() match: string;
  @ApiProperty({ enum: FORMATS }) @Field() format: string;
  @ApiProperty({ description: 'Validated everything, wrote nothing.' }) @Field() dryRun: boolean;
  @ApiProperty({ enum: STATUSES }) @Field() status: string;
  @ApiProperty({ type: ImportCountsDto }) @Field(() => ImportCountsDto) counts: ImportCountsDto;
  @ApiProperty({ description: 'Processed rows as a percentage of received rows (one decimal).' })
  @Field()
  progress: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Rows per second of processing.' })
  @Field(() => Int, { nullable: true })
  rowsPerSecond: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Estimated seconds to finish.' })
  @Field(() => Int, { nullable: true })
  etaSeconds: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'Why the job failed, if it did.' })
  @Field(() => String, { nullable: true })
  error: string | null;
  @ApiProperty({ format: 'date-time' }) @Field(() => GraphQLISODateTime) createdAt: Date;
  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  @Field(() => GraphQLISODateTime, { nullable: true })
  startedAt: Date | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  @Field(() => GraphQLISODateTime, { nullable: true })
  finishedAt: Date | null;
}

@ObjectType('ImportJobPage')
export class ImportJobPageDto {
  @ApiProperty({ type: [ImportJobDto] }) @Field(() => [ImportJobDto]) data: ImportJobDto[];
  @ApiProperty({ type: String, nullable: true }) @Field(() => String, { nullable: true }) nextCursor:
    string | null;
}

/**
 * `POST /v1/imports` query: the options (the body is the file). With a multipart upload they may
 * come instead (or as well: the part wins) in its `options` part, as one JSON object.
 */
export class ImportQueryDto {
  @ApiPropertyOptional({
    enum: IMPORTABLE_OBJECTS,
    description: 'The object to load (required, here or in a multipart `options` part).',
  })
  @IsOptional()
  @IsIn(IMPORTABLE_OBJECTS)
  object?: string;

  @ApiPropertyOptional({ enum: MODES, default: 'upsert' })
  @IsOptional()
  @IsIn(MODES)
  mode?: 'create' | 'update' | 'upsert';

  @ApiPropertyOptional({
    description:
      'Match key: externalId (default), id (update only), email (contacts, leads) or domain (accounts).',
  })
  @IsOptional()
  @IsString()
  match?: string;

  @ApiPropertyOptional({ enum: FORMATS, description: 'Default: from the Content-Type.' })
  @IsOptional()
  @IsIn(FORMATS)
  format?: 'csv' | 'ndjson';

  @ApiPropertyOptional({ description: 'Validate every row, write nothing.' })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  dryRun?: boolean;

  @ApiPropertyOptional({ description: 'JSON object: file column → field name ("" ignores the column).' })
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  mapping?: string;

  @ApiPropertyOptional({
    description:
      'JSON object: reference field → {"by": "externalId" | "domain" | "email" | "id" | "name"}, e.g. {"accountId":{"by":"externalId"}}; "name" for an opportunity\'s pipelineId and stageId (a stage by name within the row\'s pipeline).',
  })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  references?: string;
}

export class ImportListQueryDto {
  @ApiPropertyOptional({ default: 50, maximum: 200 })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() cursor?: string;
}

export class ErrorsQueryDto {
  @ApiPropertyOptional({ enum: FORMATS, default: 'csv' })
  @IsOptional()
  @IsIn(FORMATS)
  format?: 'csv' | 'ndjson';
}

@InputType('CreateImportInput', {
  description:
    'An import with its data inline: within the request body limit (BODY_LIMIT_BYTES, 1 MiB by default), 5 MB at most.',
})
export class CreateImportInput {
  @Field() @IsIn(IMPORTABLE_OBJECTS) object: string;
  @Field({ nullable: true }) @IsOptional() @IsIn(MODES) mode?: 'create' | 'update' | 'upsert';
  @Field({ nullable: true }) @IsOptional() @IsString() match?: string;
  @Field({ nullable: true }) @IsOptional() @IsIn(FORMATS) format?: 'csv' | 'ndjson';
  @Field({ nullable: true }) @IsOptional() @IsBoolean() dryRun?: boolean;
  @Field(() => GraphQLJSON, { nullable: true }) @IsOptional() mapping?: Record<string, string>;
  @Field(() => GraphQLJSON, { nullable: true }) @IsOptional() references?: Record<string, { by: string }>;
  @Field({ description: 'The file: CSV (with a header line) or NDJSON.' })
  @IsString()
  @MaxLength(5 * 1024 * 1024)
  data: string;
}

/** `POST /v1/exports` body. */
export class CreateExportInput {
  @ApiProperty({ description: 'The object to export (plural, e.g. contacts).' })
  @IsString()
  object: string;
  @ApiPropertyOptional({ description: 'A filter in the query language (string) or its JSON AST.' })
  @IsOptional()
  filter?: unknown;
  @ApiPropertyOptional({ description: 'Comma-separated fields (default: every field you may read).' })
  @IsOptional()
  @IsString()
  fields?: string;
  @ApiPropertyOptional({ description: 'Sort, as in lists (default: id).' })
  @IsOptional()
  @IsString()
  sort?: string;
  @ApiPropertyOptional({ enum: FORMATS, default: 'csv' })
  @IsOptional()
  @IsIn(FORMATS)
  format?: 'csv' | 'ndjson';
}

export class ExportJobDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() object: string;
  @ApiProperty({ enum: FORMATS }) format: string;
  @ApiProperty({ enum: ['ready', 'succeeded', 'failed'] }) status: string;
  @ApiProperty({ description: 'Rows written by the last download.' }) rows: number;
  @ApiProperty({ description: 'GET it to stream the data.' }) downloadUrl: string;
  @ApiProperty({ format: 'date-time' }) createdAt: Date;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) finishedAt: Date | null;
}
