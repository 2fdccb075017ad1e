import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Readable } from 'node:stream';
import { Ctx } from '../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../platform/context/request-context.js';
import { AuthenticatedOnly } from '../../platform/security/require-permission.decorator.js';
import { CreateImportInput, ImportJobDto, ImportJobPageDto } from './integration.dto.js';
import { ImportsService } from './imports.service.js';

/**
 * Import jobs over GraphQL. Files belong in REST (`POST /v1/imports`, streamed); `createImport`
 * takes the data inline as a string, for small loads (at most 5 MB).
 */
@Resolver(() => ImportJobDto)
export class ImportsResolver {
  constructor(private readonly imports: ImportsService) {}

  @AuthenticatedOnly()
  @Query(() => ImportJobDto, {
    description: 'An import job (yours, or any for an administrator). REST: GET /v1/imports/{id}.',
  })
  importJob(@Ctx() ctx: RequestContext, @Args('id', { type: () => ID }) id: string): Promise<ImportJobDto> {
    return this.imports.get(ctx, id);
  }

  @AuthenticatedOnly()
  @Query(() => ImportJobPageDto, { description: 'Your import jobs, newest first. REST: GET /v1/imports.' })
  importJobs(
    @Ctx() ctx: RequestContext,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { nullable: true }) after?: string,
  ): Promise<ImportJobPageDto> {
    return this.imports.list(ctx, first ?? 50, after);
  }

  @AuthenticatedOnly()
  @Mutation(() => ImportJobDto, {
    description:
      'Starts an import of inline CSV or NDJSON data (≤ 5 MB; stream bigger files to POST /v1/imports).',
  })
  createImport(@Ctx() ctx: RequestContext, @Args('input') input: CreateImportInput): Promise<ImportJobDto> {
    return this.imports.create(
      ctx,
      {
        object: input.object,
        mode: input.mode ?? 'upsert',
        match: input.match ?? 'externalId',
        format: input.format ?? 'csv',
        dryRun: input.dryRun ?? false,
        mapping: input.mapping,
        references: input.references,
      },
      Readable.from([Buffer.from(input.data, 'utf8')]),
    );
  }

  @AuthenticatedOnly()
  @Mutation(() => ImportJobDto, {
    description: 'Cancels an import at its next chunk boundary. REST: POST /v1/imports/{id}/cancel.',
  })
  cancelImport(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<ImportJobDto> {
    return this.imports.cancel(ctx, id);
  }
}
