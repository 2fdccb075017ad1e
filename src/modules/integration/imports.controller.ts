import {
  Controller,
  Get,
  Header,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
  Res,
  StreamableFile,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiOperation,
  ApiProduces,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { Ctx } from '../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../platform/context/request-context.js';
import { DomainError } from '../../platform/http/domain-error.js';
import {
  IDEMPOTENCY_HEADER,
  ManualIdempotency,
  parseIdempotencyKey,
  replayResponse,
} from '../../platform/http/idempotency.js';
import {
  fingerprintOf,
  IdempotencyService,
  IN_USE_RETRY_AFTER_SECONDS,
} from '../../platform/http/idempotency.service.js';
import { ProblemDto } from '../../platform/http/problem.dto.js';
import { AuthenticatedOnly } from '../../platform/security/require-permission.decorator.js';
import type { ImportFormat, ImportOptions } from './import-plan.js';
import {
  ErrorsQueryDto,
  ImportJobDto,
  ImportJobPageDto,
  ImportListQueryDto,
  ImportQueryDto,
} from './integration.dto.js';
import { ImportsService } from './imports.service.js';

const uuid = new ParseUUIDPipe({
  exceptionFactory: () => new DomainError('NOT_FOUND', 'No import job with this id.'),
});

/** The streamed content types an import accepts (IntegrationModule passes their bodies through unread). */
export const IMPORT_CONTENT_TYPES: Record<string, ImportFormat> = {
  'text/csv': 'csv',
  'application/x-ndjson': 'ndjson',
  'application/ndjson': 'ndjson',
};

function json<T>(value: string | undefined, name: string): T | undefined {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value) as T;
  } catch {
    throw new DomainError('VALIDATION_FAILED', `${name} must be a JSON object`, [
      { field: name, code: 'invalid', message: `${name} must be a JSON object` },
    ]);
  }
}

export function importOptionsOf(query: ImportQueryDto, contentType: string | undefined): ImportOptions {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const format = query.format ?? IMPORT_CONTENT_TYPES[type];
  if (!format)
    throw new DomainError(
      'UNSUPPORTED_MEDIA_TYPE',
      'Send the file as the body with Content-Type text/csv or application/x-ndjson.',
    );
  return {
    object: query.object,
    mode: query.mode ?? 'upsert',
    match: query.match ?? 'externalId',
    format,
    dryRun: query.dryRun ?? false,
    mapping: json(query.mapping, 'mapping'),
    references: json(query.references, 'references'),
  };
}

@ApiTags('imports')
@ApiBearerAuth('bearer')
@Controller('v1/imports')
export class ImportsController {
  constructor(
    private readonly imports: ImportsService,
    private readonly idempotency: IdempotencyService,
  ) {}

  @Post()
  @HttpCode(202)
  @AuthenticatedOnly()
  @ManualIdempotency()
  @ApiOperation({
    summary: 'Start an import',
    description:
      'The body is the file itself, streamed (Content-Type text/csv with a header line, or application/x-ndjson); the options are query parameters. ' +
      'The upload is parsed as it arrives and staged in the database; the answer is 202 with the job and its Location once the whole file is staged. ' +
      'Needs `<object>:create` (mode create), `<object>:update` (update) or both (upsert); every column written must be editable by you (403 FORBIDDEN_FIELD otherwise); `ownerId` needs `<object>:assign`. ' +
      'A file over IMPORT_MAX_BYTES is refused with 413. Rows are processed in chunks by a background job: poll the job. ' +
      'With `Idempotency-Key`, a retry of the same upload (same options and Content-Length) gets the first answer and starts no second job.',
  })
  @ApiConsumes('text/csv', 'application/x-ndjson')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiResponse({ status: 202, type: ImportJobDto, description: 'Staged; processing.' })
  @ApiResponse({ status: 400, type: ProblemDto, description: 'Bad options or header.' })
  @ApiResponse({
    status: 403,
    type: ProblemDto,
    description: 'Missing permission or a field you may not edit.',
  })
  @ApiResponse({ status: 413, type: ProblemDto, description: 'The file is over IMPORT_MAX_BYTES.' })
  @ApiResponse({ status: 415, type: ProblemDto, description: 'Not CSV or NDJSON.' })
  async create(
    @Ctx() ctx: RequestContext,
    @Query() query: ImportQueryDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ImportJobDto | Buffer> {
    const body = req.body;
    const options = importOptionsOf(query, req.headers['content-type']);
    if (!(body instanceof Readable))
      throw new DomainError(
        'UNSUPPORTED_MEDIA_TYPE',
        'Send the file as the body with Content-Type text/csv or application/x-ndjson.',
      );
    const key = parseIdempotencyKey(req.headers[IDEMPOTENCY_HEADER]);
    if (key === undefined) {
      const job = await this.imports.create(ctx, options, body);
      void reply.header('location', `/v1/imports/${job.id}`);
      return job;
    }
    // The body streams, so the fingerprint is the options (path and query) and the declared size.
    const size = String(req.headers['content-length'] ?? req.headers['transfer-encoding'] ?? '');
    const fingerprint = fingerprintOf('POST', req.url, undefined, `${options.format}:${size}`);
    let started;
    try {
      started = await this.idempotency.begin(ctx, { key, method: 'POST', path: req.url, fingerprint });
    } catch (e) {
      body.resume();
      if (e instanceof DomainError && e.code === 'IDEMPOTENCY_KEY_IN_USE')
        void reply.header('retry-after', String(IN_USE_RETRY_AFTER_SECONDS));
      throw e;
    }
    if (started.state === 'replay') {
      body.resume();
      return replayResponse(reply, started.response);
    }
    try {
      const job = await this.imports.create(ctx, options, body);
      const location = `/v1/imports/${job.id}`;
      void reply.header('location', location);
      await this.idempotency.complete(ctx, key, {
        status: 202,
        headers: { location, 'content-type': 'application/json; charset=utf-8' },
        body: Buffer.from(JSON.stringify(job)),
      });
      return job;
    } catch (e) {
      // Nothing was staged (the upload is one transaction): a retry with the key runs again.
      await this.idempotency.abandon(ctx, key).catch(() => undefined);
      throw e;
    }
  }

  @Get()
  @AuthenticatedOnly()
  @ApiOperation({
    summary: 'List your import jobs',
    description: 'Newest first; an administrator sees every job of the tenant.',
  })
  @ApiResponse({ status: 200, type: ImportJobPageDto })
  list(@Ctx() ctx: RequestContext, @Query() query: ImportListQueryDto): Promise<ImportJobPageDto> {
    return this.imports.list(ctx, query.limit ?? 50, query.cursor);
  }

  @Get(':id')
  @AuthenticatedOnly()
  @ApiOperation({
    summary: 'An import job',
    description:
      'Status, counts, progress, rows per second and ETA. Only its creator (or an administrator) sees it.',
  })
  @ApiResponse({ status: 200, type: ImportJobDto })
  @ApiResponse({ status: 404, type: ProblemDto })
  get(@Ctx() ctx: RequestContext, @Param('id', uuid) id: string): Promise<ImportJobDto> {
    return this.imports.get(ctx, id);
  }

  @Get(':id/errors')
  @AuthenticatedOnly()
  @ApiOperation({
    summary: 'The failed rows of an import',
    description:
      'One line per problem: line number, field, code, message and the raw row; CSV (default) or NDJSON, streamed.',
  })
  @ApiProduces('text/csv', 'application/x-ndjson')
  @ApiResponse({ status: 200, description: 'The errors file.' })
  @ApiResponse({ status: 404, type: ProblemDto })
  @Header('cache-control', 'no-store')
  async errors(
    @Ctx() ctx: RequestContext,
    @Param('id', uuid) id: string,
    @Query() query: ErrorsQueryDto,
  ): Promise<StreamableFile> {
    const format = query.format ?? 'csv';
    const stream = await this.imports.errors(ctx, id, format);
    return new StreamableFile(stream, {
      type: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson',
      disposition: `attachment; filename="import-${id}-errors.${format === 'csv' ? 'csv' : 'ndjson'}"`,
    });
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @AuthenticatedOnly()
  @ApiOperation({
    summary: 'Cancel an import',
    description:
      'Takes effect at the next chunk boundary: the chunks already committed stay. A finished job is returned unchanged.',
  })
  @ApiResponse({ status: 200, type: ImportJobDto })
  @ApiResponse({ status: 404, type: ProblemDto })
  cancel(@Ctx() ctx: RequestContext, @Param('id', uuid) id: string): Promise<ImportJobDto> {
    return this.imports.cancel(ctx, id);
  }
}
