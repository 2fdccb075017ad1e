import { Type } from '@nestjs/common';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  getMetadataStorage,
  Min,
} from 'class-validator';
import { GraphQLJSON } from 'graphql-type-json';
import { DomainError } from '../http/domain-error.js';

export const BATCH_MAX_OPERATIONS = 1000;
export const BATCH_OPS = ['create', 'update', 'upsert', 'delete'] as const;
export type BatchOp = (typeof BATCH_OPS)[number];

export const BatchOpEnum = Object.fromEntries(BATCH_OPS.map((o) => [o, o]));
registerEnumType(BatchOpEnum, { name: 'BatchOp', description: 'What one batch operation does.' });

/** One operation of a batch. Its `data` is validated against the object's create or update input when it runs. */
@InputType('BatchOperationInput')
export class BatchOperationDto {
  @Field(() => BatchOpEnum, {
    description: 'create, update (merge patch), upsert (by externalId) or delete (soft).',
  })
  @ApiProperty({
    enum: BATCH_OPS,
    description: 'create, update (merge patch), upsert (by externalId) or delete (soft).',
  })
  @IsIn(BATCH_OPS)
  op: BatchOp;

  @Field(() => ID, { nullable: true, description: 'The record to update or delete.' })
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The record to update or delete (or give externalId).',
  })
  @IsOptional()
  @IsUUID()
  id?: string;

  @Field({ nullable: true, description: 'The record to upsert, or to update or delete instead of id.' })
  @ApiPropertyOptional({
    maxLength: 255,
    description:
      'upsert: the external id to match (may also be in data). update/delete: finds the record instead of id.',
  })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  externalId?: string;

  @Field(() => Int, {
    nullable: true,
    description: 'update/upsert/delete only if the record is at this version.',
  })
  @ApiPropertyOptional({
    type: 'integer',
    description: 'update/upsert/delete only at this version (else 412).',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  expectedVersion?: number;

  @Field(() => GraphQLJSON, {
    nullable: true,
    description: 'The create input (create, upsert) or the patch (update).',
  })
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      'The create body (create, upsert) or the merge patch (update), exactly as the single endpoints take them.',
  })
  @IsOptional()
  @IsObject()
  data?: Record<string, unknown>;
}

@InputType('BatchInput')
export class BatchRequestDto {
  @Field({
    description: 'true: all operations or none (one transaction). false: each on its own, results per item.',
  })
  @ApiProperty({
    description:
      'true: all operations or none (one transaction; the first failure is the answer). false: each operation on its own, a result per item.',
  })
  @IsBoolean()
  atomic: boolean;

  @Field(() => [BatchOperationDto], { description: `1 to ${BATCH_MAX_OPERATIONS} operations, run in order.` })
  @ApiProperty({ type: [BatchOperationDto], minItems: 1, maxItems: BATCH_MAX_OPERATIONS })
  @IsArray()
  @ArrayMinSize(1, { message: 'operations must hold at least one operation' })
  @ArrayMaxSize(BATCH_MAX_OPERATIONS, {
    message: `operations may hold at most ${BATCH_MAX_OPERATIONS} operations; split the work into several batches, or use POST /v1/imports for bulk loads`,
  })
  // Each operation is checked when it runs, so that one bad item fails only itself when atomic is false.
  @IsObject({ each: true, message: 'each operation must be an object' })
  operations: BatchOperationDto[];
}

@ObjectType('BatchFieldError')
export class BatchFieldErrorDto {
  @Field() @ApiProperty() field: string;
  @Field() @ApiProperty() code: string;
  @Field() @ApiProperty() message: string;
}

@ObjectType('BatchItemError', {
  description: 'Why one operation failed (the problem the single endpoint would answer).',
})
export class BatchItemErrorDto {
  @Field(() => Int) @ApiProperty({ type: 'integer', example: 404 }) status: number;
  @Field() @ApiProperty({ example: 'NOT_FOUND' }) code: string;
  @Field() @ApiProperty() detail: string;
  @Field({ nullable: true }) @ApiPropertyOptional() reason?: string;
  @Field(() => [BatchFieldErrorDto], { nullable: true })
  @ApiPropertyOptional({ type: [BatchFieldErrorDto] })
  errors?: BatchFieldErrorDto[];
}

@ObjectType('BatchSummary')
export class BatchSummaryDto {
  @Field(() => Int) @ApiProperty({ type: 'integer' }) succeeded: number;
  @Field(() => Int) @ApiProperty({ type: 'integer' }) failed: number;
}

export interface BatchTypes {
  item: Type<unknown>;
  result: Type<unknown>;
  upsert: Type<unknown>;
}

const cache = new Map<string, BatchTypes>();

/** `ContactBatchItem`, `ContactBatchResult`, `ContactUpsertResult`: one set per object, shared by REST and GraphQL. */
export function batchTypes(typeName: string, output: Type<unknown>): BatchTypes {
  const cached = cache.get(typeName);
  if (cached) return cached;

  @ObjectType(`${typeName}BatchItem`, { description: `The outcome of one ${typeName} operation.` })
  class Item {
    @Field(() => Int, { description: 'Position of the operation in the request (0-based).' })
    @ApiProperty({ type: 'integer', description: 'Position of the operation in the request (0-based).' })
    index: number;

    @Field(() => BatchOpEnum) @ApiProperty({ enum: BATCH_OPS }) op: string;

    @Field(() => Int, {
      description: 'The status the single endpoint would answer: 201, 200, 204, or a 4xx.',
    })
    @ApiProperty({
      type: 'integer',
      description: 'The status the single endpoint would answer: 201, 200, 204, or a 4xx.',
    })
    status: number;

    @Field(() => ID, { nullable: true }) @ApiPropertyOptional({ format: 'uuid' }) id?: string;

    @Field(() => output, { nullable: true, description: 'The record after a create, update or upsert.' })
    @ApiPropertyOptional({ type: output, description: 'The record after a create, update or upsert.' })
    record?: unknown;

    @Field(() => BatchItemErrorDto, { nullable: true })
    @ApiPropertyOptional({ type: BatchItemErrorDto })
    error?: BatchItemErrorDto;
  }
  Object.defineProperty(Item, 'name', { value: `${typeName}BatchItem` });

  @ObjectType(`${typeName}BatchResult`, { description: `The outcome of a batch of ${typeName} operations.` })
  class Result {
    @Field() @ApiProperty() atomic: boolean;
    @Field(() => [Item]) @ApiProperty({ type: [Item] }) results: Item[];
    @Field(() => BatchSummaryDto) @ApiProperty({ type: BatchSummaryDto }) summary: BatchSummaryDto;
  }
  Object.defineProperty(Result, 'name', { value: `${typeName}BatchResult` });

  @ObjectType(`${typeName}UpsertResult`, {
    description: `An upserted ${typeName} and whether it was created.`,
  })
  class Upsert {
    @Field({ description: 'true: created (201 in REST); false: updated (200).' }) created: boolean;
    @Field(() => output) record: unknown;
  }
  Object.defineProperty(Upsert, 'name', { value: `${typeName}UpsertResult` });

  const types = { item: Item, result: Result, upsert: Upsert };
  cache.set(typeName, types);
  return types;
}

/** Whether an input class declares `externalId` (objects with one get upsert by external id). */
export function hasExternalId(input: Type<object>): boolean {
  return getMetadataStorage()
    .getTargetValidationMetadatas(input, '', true, false)
    .some((m) => m.propertyName === 'externalId');
}

/** The `{externalId}` path parameter: 1–255 characters (after URL decoding). */
export const externalIdPipe = {
  transform(value: unknown): string {
    if (typeof value !== 'string' || value.length < 1 || value.length > 255)
      throw new DomainError('VALIDATION_FAILED', 'externalId must be 1 to 255 characters.', [
        { field: 'externalId', code: 'length', message: 'externalId must be 1 to 255 characters' },
      ]);
    return value;
  },
};
