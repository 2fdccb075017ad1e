import {
  applyDecorators,
  Body,
  Delete,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Put,
  Query,
  Res,
  Type,
} from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiExtraModels,
  ApiHeader,
  ApiOperation,
  ApiParam,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Ctx } from '../context/ctx.decorator.js';
import { RequestContext } from '../context/request-context.js';
import { DomainError } from '../http/domain-error.js';
import { ProblemDto } from '../http/problem.dto.js';
import { createValidationPipe } from '../http/validation.js';
import { recordPermission, type RecordAction } from '../security/permissions.js';
import { AuthenticatedOnly, RequirePermission } from '../security/require-permission.decorator.js';
import {
  BATCH_MAX_OPERATIONS,
  batchTypes,
  BatchRequestDto,
  externalIdPipe,
  hasExternalId,
} from './record-batch.dto.js';
import { RecordBatchService } from './record-batch.service.js';
import { GetQueryDto, ListQueryDto, SearchBodyDto } from './list-query.dto.js';
import { ObjectService } from './object.service.js';
import type { Page, RecordData } from './record.types.js';

export interface RecordApi {
  /** e.g. 'Contact' */
  typeName: string;
  output: Type<unknown>;
  create: Type<object>;
  update: Type<object>;
  /** the object's plural (REST path, permission prefix); defaults to typeName lower-cased + s (y → ies) */
  plural?: string;
}

/** `Contact` → `contacts`, `Activity` → `activities`; irregular names pass RecordApi.plural. */
export function defaultPlural(typeName: string): string {
  const lower = typeName.charAt(0).toLowerCase() + typeName.slice(1);
  return /[^aeiou]y$/.test(lower) ? `${lower.slice(0, -1)}ies` : `${lower}s`;
}

const uuidPipe = new ParseUUIDPipe({
  exceptionFactory: () => new DomainError('NOT_FOUND', 'No record with that id (ids are UUIDs).'),
});

export const etagOf = (record: RecordData): string => `"${String(record.version)}"`;

/** `If-Match: "3"` → 3; absent → undefined. `*` matches any version. Anything else cannot match. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const m = header.trim().match(/^(?:W\/)?"(\d{1,9})"$/);
  if (!m) throw new DomainError('VERSION_MISMATCH', 'If-Match must be an ETag from this API, e.g. "3".');
  return Number(m[1]);
}

function pageType(api: RecordApi): Type<unknown> {
  class PageDto {
    @ApiProperty({ type: [api.output], description: `The page of ${api.typeName} records.` })
    data: unknown[];
    @ApiProperty({
      type: String,
      nullable: true,
      description: 'Cursor of the next page; null on the last page.',
    })
    nextCursor: string | null;
    @ApiPropertyOptional({ type: 'integer', description: 'Total matching records, when count=true.' })
    total?: number;
  }
  Object.defineProperty(PageDto, 'name', { value: `${api.typeName}Page` });
  return PageDto;
}

const errors = (...statuses: number[]) =>
  statuses.map((status) =>
    ApiResponse({ status, type: ProblemDto, description: DESCRIPTIONS[status] ?? 'Error' }),
  );
const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input (problem+json names each bad field).',
  401: 'Missing or invalid bearer token.',
  403: 'Not permitted.',
  404: 'No such record (or not visible to you).',
  409: 'Conflicts with another record (e.g. duplicate externalId).',
  412: 'If-Match does not match the current version.',
};

function apply(target: object, key: string, decorators: (MethodDecorator | PropertyDecorator)[]): void {
  const descriptor = Object.getOwnPropertyDescriptor(target, key);
  for (const d of decorators.reverse()) (d as MethodDecorator)(target, key, descriptor as PropertyDescriptor);
}

/**
 * The REST surface every record object shares: list, search, get, create, merge-patch update,
 * soft delete and restore, with ETags and If-Match. A module's controller extends the class this
 * returns and adds `@Controller('v1/<plural>')`, `@ApiTags` and any object-specific routes.
 */
export function RecordController(api: RecordApi) {
  const Page = pageType(api);
  const plural = api.typeName.toLowerCase();
  // Each route needs `<plural>:<action>`: reads need read, restore counts as delete (it undoes one).
  const needs = (action: RecordAction) =>
    RequirePermission(recordPermission(api.plural ?? defaultPlural(api.typeName), action));
  const createPipe = createValidationPipe(api.create);
  const updatePipe = createValidationPipe(api.update);
  const batchPipe = createValidationPipe(BatchRequestDto);
  const batch = batchTypes(api.typeName, api.output);

  @ApiExtraModels(ProblemDto)
  abstract class RecordControllerHost {
    protected abstract readonly service: ObjectService;
    /** Batches and upserts (a property, so that subclasses' constructors stay as they are). */
    @Inject(RecordBatchService) protected readonly batchRunner!: RecordBatchService;

    async list(@Ctx() ctx: RequestContext, @Query() query: ListQueryDto): Promise<Omit<Page, 'cursors'>> {
      return this.toBody(await this.service.list(ctx, { ...query, count: query.count === 'true' }));
    }

    async search(@Ctx() ctx: RequestContext, @Body() body: SearchBodyDto): Promise<Omit<Page, 'cursors'>> {
      return this.toBody(await this.service.list(ctx, body));
    }

    async get(
      @Ctx() ctx: RequestContext,
      @Param('id', uuidPipe) id: string,
      @Query() query: GetQueryDto,
      @Headers('if-none-match') ifNoneMatch: string | undefined,
      @Res({ passthrough: true }) reply: FastifyReply,
    ): Promise<RecordData | undefined> {
      const record = await this.service.get(ctx, id, query);
      const etag = etagOf(record);
      reply.header('etag', etag);
      if (
        ifNoneMatch !== undefined &&
        ifNoneMatch
          .split(',')
          .map((s) => s.trim().replace(/^W\//, ''))
          .includes(etag)
      ) {
        reply.status(304);
        return undefined;
      }
      return record;
    }

    async create(
      @Ctx() ctx: RequestContext,
      @Body(createPipe) input: object,
      @Res({ passthrough: true }) reply: FastifyReply,
    ): Promise<RecordData> {
      const record = await this.service.create(ctx, input);
      reply
        .header('etag', etagOf(record))
        .header('location', `/v1/${this.service.object.plural}/${String(record.id)}`);
      return record;
    }

    async update(
      @Ctx() ctx: RequestContext,
      @Param('id', uuidPipe) id: string,
      @Body(updatePipe) patch: object,
      @Headers('if-match') ifMatch: string | undefined,
      @Res({ passthrough: true }) reply: FastifyReply,
    ): Promise<RecordData> {
      const record = await this.service.update(ctx, id, patch, parseIfMatch(ifMatch));
      reply.header('etag', etagOf(record));
      return record;
    }

    async remove(
      @Ctx() ctx: RequestContext,
      @Param('id', uuidPipe) id: string,
      @Headers('if-match') ifMatch: string | undefined,
    ): Promise<void> {
      await this.service.remove(ctx, id, parseIfMatch(ifMatch));
    }

    async restore(
      @Ctx() ctx: RequestContext,
      @Param('id', uuidPipe) id: string,
      @Res({ passthrough: true }) reply: FastifyReply,
    ): Promise<RecordData> {
      const record = await this.service.restore(ctx, id);
      reply.header('etag', etagOf(record));
      return record;
    }

    async batch(@Ctx() ctx: RequestContext, @Body(batchPipe) body: BatchRequestDto): Promise<unknown> {
      return this.batchRunner.batch(ctx, this.service, { create: api.create, update: api.update }, body);
    }

    async upsert(
      @Ctx() ctx: RequestContext,
      @Param('externalId', externalIdPipe) externalId: string,
      @Body(createPipe) input: object,
      @Headers('if-match') ifMatch: string | undefined,
      @Res({ passthrough: true }) reply: FastifyReply,
    ): Promise<RecordData> {
      const { created, record } = await this.batchRunner.upsert(
        ctx,
        this.service,
        externalId,
        input,
        parseIfMatch(ifMatch),
      );
      reply.status(created ? 201 : 200).header('etag', etagOf(record));
      if (created) reply.header('location', `/v1/${this.service.object.plural}/${String(record.id)}`);
      return record;
    }

    protected toBody(page: Page): Omit<Page, 'cursors'> {
      const { cursors: _cursors, ...body } = page;
      return body;
    }
  }

  const P = RecordControllerHost.prototype;
  const idParam = ApiParam({ name: 'id', format: 'uuid', description: `The ${plural} id.` });
  const listOps = (summary: string) =>
    ApiOperation({
      summary,
      description: `${summary}. Keyset-paginated: follow nextCursor until it is null.`,
    });
  apply(P, 'list', [
    Get(),
    needs('read'),
    listOps(`List ${plural}s`),
    ApiResponse({ status: 200, type: Page, description: 'A page.' }),
    ...errors(400, 401, 403),
  ]);
  apply(P, 'search', [
    Post('search'),
    HttpCode(200),
    needs('read'),
    ApiOperation({
      summary: `Search ${plural}s`,
      description: 'The list parameters as a JSON body; filter may be a string or the JSON AST.',
    }),
    ApiBody({ type: SearchBodyDto }),
    ApiResponse({ status: 200, type: Page, description: 'A page.' }),
    ...errors(400, 401, 403),
  ]);
  apply(P, 'get', [
    Get(':id'),
    needs('read'),
    ApiOperation({
      summary: `Get a ${plural}`,
      description: `One ${plural} by id, with its ETag. If-None-Match with the current ETag gives 304.`,
    }),
    idParam,
    ApiResponse({ status: 200, type: api.output, description: `The ${plural}.` }),
    ApiResponse({ status: 304, description: 'Not modified.' }),
    ...errors(400, 401, 403, 404),
  ]);
  apply(P, 'create', [
    Post(),
    needs('create'),
    ApiOperation({
      summary: `Create a ${plural}`,
      description: `Creates a ${plural}; answers 201 with Location and ETag. Unknown properties are refused.`,
    }),
    ApiBody({ type: api.create }),
    ApiResponse({ status: 201, type: api.output, description: 'Created.' }),
    ...errors(400, 401, 403, 409),
  ]);
  apply(P, 'update', [
    Patch(':id'),
    needs('update'),
    ApiOperation({
      summary: `Update a ${plural}`,
      description:
        'JSON merge patch (RFC 7396): absent properties stay, null clears. Send If-Match to update only the version you read.',
    }),
    idParam,
    ApiConsumes('application/json', 'application/merge-patch+json'),
    ApiHeader({
      name: 'If-Match',
      required: false,
      description: 'ETag of the version you read; 412 if it moved on.',
    }),
    ApiBody({ type: api.update }),
    ApiResponse({ status: 200, type: api.output, description: 'Updated.' }),
    ...errors(400, 401, 403, 404, 409, 412),
  ]);
  apply(P, 'remove', [
    Delete(':id'),
    HttpCode(204),
    needs('delete'),
    ApiOperation({
      summary: `Delete a ${plural}`,
      description: 'Soft delete; POST …/restore brings it back.',
    }),
    idParam,
    ApiHeader({
      name: 'If-Match',
      required: false,
      description: 'ETag of the version you read; 412 if it moved on.',
    }),
    ApiResponse({ status: 204, description: 'Deleted.' }),
    ...errors(401, 403, 404, 412),
  ]);
  apply(P, 'restore', [
    Post(':id/restore'),
    HttpCode(200),
    needs('delete'),
    ApiOperation({
      summary: `Restore a ${plural}`,
      description: 'Undoes a soft delete; restoring a live record returns it unchanged.',
    }),
    idParam,
    ApiResponse({ status: 200, type: api.output, description: 'Restored.' }),
    ...errors(401, 403, 404),
  ]);
  apply(P, 'batch', [
    Post('batch'),
    HttpCode(200),
    // Each operation needs what its single endpoint needs (create, update, delete; upsert: create and update).
    AuthenticatedOnly(),
    ApiOperation({
      summary: `Batch ${plural} operations`,
      description:
        `Up to ${BATCH_MAX_OPERATIONS} create, update, upsert and delete operations, run in order, each validated, permission-checked and audited ` +
        'exactly like its single endpoint. atomic=true: one transaction; the first failing operation rolls everything back and is the answer ' +
        '(its status, a problem naming operations[i]). atomic=false: each operation on its own; 200 with a result per operation ' +
        '(status, record or problem) and a summary. See docs/integration.md#batch.',
    }),
    ApiBody({ type: BatchRequestDto }),
    ApiResponse({ status: 200, type: batch.result, description: 'Per-operation results.' }),
    ...errors(400, 401, 403, 404, 409, 412),
  ]);
  if (hasExternalId(api.create))
    apply(P, 'upsert', [
      Put('external-id/:externalId'),
      RequirePermission(
        recordPermission(api.plural ?? defaultPlural(api.typeName), 'create'),
        recordPermission(api.plural ?? defaultPlural(api.typeName), 'update'),
      ),
      ApiOperation({
        summary: `Upsert a ${plural} by external id`,
        description:
          `Creates the ${plural} with this externalId (201 + Location) or merge-updates the one that has it (200). The body is the create body; ` +
          'an externalId in it must match the path. Needs create and update. Concurrent upserts of one externalId create it once.',
      }),
      ApiParam({ name: 'externalId', description: 'Your system’s id (1–255 characters).' }),
      ApiHeader({
        name: 'If-Match',
        required: false,
        description: 'ETag of the version you read; 412 if it moved on (or if there is no such record yet).',
      }),
      ApiBody({ type: api.create }),
      ApiResponse({ status: 200, type: api.output, description: 'Updated.' }),
      ApiResponse({ status: 201, type: api.output, description: 'Created.' }),
      ...errors(400, 401, 403, 409, 412),
    ]);
  return RecordControllerHost;
}

/**
 * A read-only sub-resource list of a record (e.g. `GET /v1/accounts/{id}/timeline`), documented
 * like the lists. `permissions`: what it needs, e.g. read on the parent and on the listed object.
 */
export function RecordSubList(
  path: string,
  opts: {
    object: string;
    summary: string;
    description: string;
    page: Type<unknown>;
    permissions: [string, ...string[]];
  },
) {
  return applyDecorators(
    Get(`:id/${path}`),
    RequirePermission(...opts.permissions),
    ApiOperation({ summary: opts.summary, description: opts.description }),
    ApiParam({ name: 'id', format: 'uuid', description: `The ${opts.object} id.` }),
    ApiResponse({ status: 200, type: opts.page, description: 'A page.' }),
    ...errors(400, 401, 403),
    ApiResponse({ status: 404, type: ProblemDto, description: `No such ${opts.object}.` }),
  );
}
