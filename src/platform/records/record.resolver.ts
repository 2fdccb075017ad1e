import { Inject, ParseUUIDPipe, Type } from '@nestjs/common';
import { Args, ArgsType, Field, ID, Info, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { IsInt, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import type { GraphQLResolveInfo } from 'graphql';
import { GraphQLJSON } from 'graphql-type-json';
import { Ctx } from '../context/ctx.decorator.js';
import { RequestContext } from '../context/request-context.js';
import { DomainError } from '../http/domain-error.js';
import { createValidationPipe } from '../http/validation.js';
import { selects } from '../graphql/selection.js';
import { recordPermission, type RecordAction } from '../security/permissions.js';
import { AuthenticatedOnly, RequirePermission } from '../security/require-permission.decorator.js';
import { BATCH_MAX_OPERATIONS, batchTypes, BatchRequestDto, hasExternalId } from './record-batch.dto.js';
import { RecordBatchService, type BatchResult, type UpsertResult } from './record-batch.service.js';
import { Connection, ConnectionType, toConnection } from './connection.js';
import { DEFAULT_LIMIT } from '../query/index.js';
import { ObjectService } from './object.service.js';
import type { ChildQuery } from './record.service.js';
import type { RecordData } from './record.types.js';

@ArgsType()
export class ConnectionArgs {
  @Field(() => GraphQLJSON, {
    nullable: true,
    description: 'Filter string or JSON AST (docs/query-language.md).',
  })
  @IsOptional()
  filter?: unknown;

  @Field({ nullable: true, description: 'Comma-separated sort fields; `-` for descending.' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  sort?: string;

  @Field(() => Int, { nullable: true, description: 'Page size, 1–200 (default 50).' })
  @IsOptional()
  @IsInt()
  @Min(1)
  first?: number;

  @Field({ nullable: true, description: 'Cursor from pageInfo.endCursor.' })
  @IsOptional()
  @IsString()
  @MaxLength(32_768)
  after?: string;

  @Field({ nullable: true, description: 'Full-text search.' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  q?: string;
}

/** The arguments of a nested connection (`account.contacts(filter, sort, first, after)`) as a child query. */
export function childQuery(args: ConnectionArgs): ChildQuery {
  return { filter: args.filter, sort: args.sort, first: args.first ?? DEFAULT_LIMIT, after: args.after };
}

export interface RecordGraphqlApi {
  typeName: string;
  /** GraphQL field names: `contact` / `contacts` */
  singular: string;
  plural: string;
  output: Type<unknown>;
  create: Type<object>;
  update: Type<object>;
  /** the permission prefix (`contacts` in `contacts:read`); defaults to `plural` */
  permissionObject?: string;
}

export const graphqlUuid = new ParseUUIDPipe({
  exceptionFactory: () => new DomainError('NOT_FOUND', 'No record with that id (ids are UUIDs).'),
});

/**
 * The GraphQL operations every record object shares: `contact(id)`, `contacts(filter, sort,
 * first, after, q)` → connection, `createContact`, `updateContact(id, input, expectedVersion)`,
 * `deleteContact`, `restoreContact`. A module's resolver extends it with `@Resolver(() => Dto)`.
 */
export function RecordResolver(api: RecordGraphqlApi) {
  const Conn = ConnectionType(api.output, api.typeName);
  const name = api.typeName;
  // The same permissions as the REST routes: read for queries, restore counts as delete.
  const needs = (action: RecordAction) =>
    RequirePermission(recordPermission(api.permissionObject ?? api.plural, action));

  const batch = batchTypes(name, api.output);
  const pluralName = api.plural.charAt(0).toUpperCase() + api.plural.slice(1);
  const permissionObject = api.permissionObject ?? api.plural;

  @Resolver({ isAbstract: true })
  abstract class RecordResolverHost {
    protected abstract readonly service: ObjectService;
    @Inject(RecordBatchService) protected readonly batchRunner!: RecordBatchService;

    @needs('read')
    @Query(() => api.output, {
      name: api.singular,
      description: `One ${name} by id (NOT_FOUND if absent or not visible).`,
    })
    one(
      @Ctx() ctx: RequestContext,
      @Args('id', { type: () => ID }, graphqlUuid) id: string,
    ): Promise<RecordData> {
      return this.service.get(ctx, id);
    }

    @needs('read')
    @Query(() => Conn, { name: api.plural, description: `A page of ${name} records.` })
    async many(
      @Ctx() ctx: RequestContext,
      @Args() args: ConnectionArgs,
      @Info() info: GraphQLResolveInfo,
    ): Promise<Connection> {
      const page = await this.service.list(ctx, {
        filter: args.filter,
        sort: args.sort,
        limit: args.first,
        cursor: args.after,
        q: args.q,
        count: selects(info, 'totalCount'),
      });
      return toConnection(page);
    }

    @needs('create')
    @Mutation(() => api.output, { name: `create${name}`, description: `Create a ${name}.` })
    create(
      @Ctx() ctx: RequestContext,
      @Args('input', { type: () => api.create }, createValidationPipe(api.create)) input: object,
    ): Promise<RecordData> {
      return this.service.create(ctx, input);
    }

    @needs('update')
    @Mutation(() => api.output, {
      name: `update${name}`,
      description: `Merge-update a ${name}: omitted fields stay, null clears. expectedVersion gives VERSION_MISMATCH when the record moved on.`,
    })
    update(
      @Ctx() ctx: RequestContext,
      @Args('id', { type: () => ID }, graphqlUuid) id: string,
      @Args('input', { type: () => api.update }, createValidationPipe(api.update)) input: object,
      @Args('expectedVersion', { type: () => Int, nullable: true }) expectedVersion?: number | null,
    ): Promise<RecordData> {
      return this.service.update(ctx, id, input, expectedVersion ?? undefined);
    }

    @needs('delete')
    @Mutation(() => Boolean, {
      name: `delete${name}`,
      description: `Soft-delete a ${name}; restore${name} brings it back.`,
    })
    async remove(
      @Ctx() ctx: RequestContext,
      @Args('id', { type: () => ID }, graphqlUuid) id: string,
      @Args('expectedVersion', { type: () => Int, nullable: true }) expectedVersion?: number | null,
    ): Promise<boolean> {
      await this.service.remove(ctx, id, expectedVersion ?? undefined);
      return true;
    }

    // Each operation needs what its single mutation needs (upsert: create and update).
    @AuthenticatedOnly()
    @Mutation(() => batch.result, {
      name: `batch${pluralName}`,
      description: `Up to ${BATCH_MAX_OPERATIONS} create/update/upsert/delete operations on ${name} records, in order. atomic: all or none (the first failure is the error, naming operations[i]); otherwise a result per operation. docs/integration.md#batch.`,
    })
    batch(
      @Ctx() ctx: RequestContext,
      @Args('input', { type: () => BatchRequestDto }, createValidationPipe(BatchRequestDto))
      input: BatchRequestDto,
    ): Promise<BatchResult> {
      return this.batchRunner.batch(ctx, this.service, { create: api.create, update: api.update }, input);
    }

    upsert(
      @Ctx() ctx: RequestContext,
      @Args('externalId') externalId: string,
      @Args('input', { type: () => api.create }, createValidationPipe(api.create)) input: object,
      @Args('expectedVersion', { type: () => Int, nullable: true }) expectedVersion?: number | null,
    ): Promise<UpsertResult> {
      return this.batchRunner.upsert(ctx, this.service, externalId, input, expectedVersion ?? undefined);
    }

    @needs('delete')
    @Mutation(() => api.output, { name: `restore${name}`, description: `Undo the soft delete of a ${name}.` })
    restore(
      @Ctx() ctx: RequestContext,
      @Args('id', { type: () => ID }, graphqlUuid) id: string,
    ): Promise<RecordData> {
      return this.service.restore(ctx, id);
    }
  }
  if (hasExternalId(api.create)) {
    const P = RecordResolverHost.prototype;
    const descriptor = Object.getOwnPropertyDescriptor(P, 'upsert') as PropertyDescriptor;
    Mutation(() => batch.upsert, {
      name: `upsert${name}`,
      description: `Create the ${name} with this externalId, or merge-update the one that has it (created tells which). Needs create and update.`,
    })(P, 'upsert', descriptor);
    RequirePermission(`${permissionObject}:create`, `${permissionObject}:update`)(P, 'upsert', descriptor);
  }
  return RecordResolverHost;
}
