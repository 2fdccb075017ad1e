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
import type {} from '@fastify/multipart';
import { Readable } from 'node:stream';
import { AppConfig } from '../../platform/config/config.js';
import { Ctx } from '../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../platform/context/request-context.js';
import { DomainError } from '../../platform/http/domain-error.js';
import { toDomainError } from '../../platform/http/problem.js';
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
import { multipartLimits } from './import-staging.js';

const uuid = new ParseUUIDPipe({
  exceptionFactory: () => new DomainError('NOT_FOUND', 'No import job with this id.'),
});

/** The streamed content types an import accepts (IntegrationModule passes their bodies through unread). */
export const IMPORT_CONTENT_TYPES: Record<string, ImportFormat> = {
  'text/csv': 'csv',
  'application/x-ndjson': 'ndjson',
  'application/ndjson': 'ndjson',
};

/** File name endings that say a multipart file part's format when its content type does not. */
const IMPORT_EXTENSIONS: Record<string, ImportFormat> = {
  csv: 'csv',
  ndjson: 'ndjson',
  jsonl: 'ndjson',
};

/** The `options` part of a multipart upload: the same options as the query, as one JSON object. */
export interface ImportOptionsPart {
  object?: string;
  mode?: ImportOptions['mode'];
  match?: string;
  format?: ImportFormat;
  dryRun?: boolean;
  mapping?: Record<string, string>;
  references?: ImportOptions['references'];
}

const PART_KEYS = ['object', 'mode', 'match', 'format', 'dryRun', 'mapping', 'references'];

function invalidOption(field: string, message: string): DomainError {
  return new DomainError('VALIDATION_FAILED', message, [{ field, code: 'invalid', message }]);
}

function json<T>(value: string | undefined, name: string): T | undefined {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value) as T;
  } catch {
    throw invalidOption(name, `${name} must be a JSON object`);
  }
}

/** The `options` part's text → options, checked for shape (their values are checked by resolveOptions). */
export function optionsPart(text: string): ImportOptionsPart {
  const parsed = json<unknown>(text, 'options');
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw invalidOption('options', 'options must be a JSON object');
  const part = parsed as Record<string, unknown>;
  const unknown = Object.keys(part).filter((k) => !PART_KEYS.includes(k));
  if (unknown.length) throw invalidOption('options', `options has unknown keys: ${unknown.join(', ')}`);
  for (const k of ['object', 'mode', 'match', 'format'])
    if (part[k] !== undefined && typeof part[k] !== 'string')
      throw invalidOption(`options.${k}`, `options.${k} must be a string`);
  if (part.dryRun !== undefined && typeof part.dryRun !== 'boolean')
    throw invalidOption('options.dryRun', 'options.dryRun must be true or false');
  for (const k of ['mapping', 'references'])
    if (part[k] !== undefined && (typeof part[k] !== 'object' || part[k] === null || Array.isArray(part[k])))
      throw invalidOption(`options.${k}`, `options.${k} must be a JSON object`);
  return part as ImportOptionsPart;
}

const UNSUPPORTED = () =>
  new DomainError(
    'UNSUPPORTED_MEDIA_TYPE',
    'Send the file as the body with Content-Type text/csv or application/x-ndjson, or as the `file` part of a multipart/form-data upload.',
  );

/**
 * The import's options: the query's, overridden by a multipart upload's `options` part; the
 * format from them, else from the file's content type, else from its file name.
 */
export function importOptionsOf(
  query: ImportQueryDto,
  contentType: string | undefined,
  part: ImportOptionsPart = {},
  filename?: string,
): ImportOptions {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const extension = filename?.toLowerCase().split('.').pop() ?? '';
  const format =
    part.format ??
    query.format ??
    IMPORT_CONTENT_TYPES[type] ??
    (filename ? IMPORT_EXTENSIONS[extension] : undefined);
  if (!format) throw UNSUPPORTED();
  return {
    object: part.object ?? query.object ?? '',
    mode: part.mode ?? query.mode ?? 'upsert',
    match: part.match ?? query.match ?? 'externalId',
    format,
    dryRun: part.dryRun ?? query.dryRun ?? false,
    mapping: part.mapping ?? json(query.mapping, 'mapping'),
    references: part.references ?? json(query.references, 'references'),
  };
}

/** An upload: its options, the file as a stream, and what to do once the file is read. */
interface Upload {
  options: ImportOptions;
  body: Readable;
  /** reads the rest of a multipart request (parts after the file); nothing for a streamed body */
  finish(): Promise<void>;
}

/** The options without their defaults' spelling: what an Idempotency-Key's fingerprint covers. */
function canonicalOptions(o: ImportOptions): Record<string, unknown> {
  return {
    object: o.object,
    mode: o.mode,
    match: o.match,
    format: o.format,
    dryRun: o.dryRun ?? false,
    mapping: o.mapping ?? {},
    references: o.references ?? {},
  };
}

@ApiTags('imports')
@ApiBearerAuth('bearer')
@Controller('v1/imports')
export class ImportsController {
  constructor(
    private readonly imports: ImportsService,
    private readonly idempotency: IdempotencyService,
    private readonly config: AppConfig,
  ) {}

  @Post()
  @HttpCode(202)
  @AuthenticatedOnly()
  @ManualIdempotency()
  @ApiOperation({
    summary: 'Start an import',
    description:
      'The body is the file itself, streamed (Content-Type text/csv with a header line, or application/x-ndjson); the options are query parameters. ' +
      'Or multipart/form-data: a `file` part (streamed; format from options, its content type or its file name) and, before it, an optional `options` part holding the options as one JSON object (overriding the query); no `file` part is a 400. ' +
      'Leads and opportunities are written row by row through their services (assignment rules, stage rules and history). ' +
      'The upload is parsed as it arrives and staged in the database; the answer is 202 with the job and its Location once the whole file is staged. ' +
      'Needs `<object>:create` (mode create), `<object>:update` (update) or both (upsert); every column written must be editable by you (403 FORBIDDEN_FIELD otherwise); `ownerId` needs `<object>:assign`. ' +
      'A file over IMPORT_MAX_BYTES is refused with 413. Rows are processed in chunks by a background job: poll the job. ' +
      'With `Idempotency-Key`, a retry with the same options and the same file content (sha256) gets the first answer and starts no second job; the same key with other options or another file is a 422.',
  })
  @ApiConsumes('text/csv', 'application/x-ndjson', 'multipart/form-data')
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
    const multipart = typeof req.isMultipart === 'function' && req.isMultipart();
    const upload = multipart ? await this.multipart(req, query) : this.streamed(req, query);
    let ok = false;
    try {
      const answer = await this.start(ctx, req, reply, upload);
      ok = true;
      return answer;
    } finally {
      // The file is read to its end whatever happened; the parts after it are read only after
      // a success (after a failure, the answer goes out and the connection drains the rest).
      upload.body.resume();
      if (ok) await upload.finish();
    }
  }

  /** The body itself is the file (text/csv or NDJSON), the options are the query. */
  private streamed(req: FastifyRequest, query: ImportQueryDto): Upload {
    const body = req.body;
    if (!(body instanceof Readable)) throw UNSUPPORTED();
    try {
      return { options: importOptionsOf(query, req.headers['content-type']), body, finish: async () => {} };
    } catch (e) {
      body.resume();
      throw e;
    }
  }

  /**
   * multipart/form-data: an optional `options` part (JSON), then the `file` part, streamed as it
   * arrives (never buffered; IMPORT_MAX_BYTES applies to the file). Parts after the file are read
   * and ignored; an `options` part must come before the file.
   */
  private async multipart(req: FastifyRequest, query: ImportQueryDto): Promise<Upload> {
    const parts = req
      .parts({ limits: multipartLimits(this.config.IMPORT_MAX_BYTES) })
      [Symbol.asyncIterator]();
    const rest = async () => {
      for (;;) {
        const next = await parts.next();
        if (next.done) return;
        if (next.value.type === 'file') next.value.file.resume();
      }
    };
    let part: ImportOptionsPart = {};
    try {
      for (;;) {
        const next = await parts.next();
        if (next.done) break;
        const p = next.value;
        if (p.type === 'field') {
          if (p.fieldname === 'options') part = optionsPart(String(p.value));
          continue;
        }
        if (p.fieldname !== 'file') {
          p.file.resume();
          continue;
        }
        let options: ImportOptions;
        try {
          options = importOptionsOf(query, p.mimetype, part, p.filename);
        } catch (e) {
          p.file.resume();
          throw e;
        }
        return {
          options,
          body: p.file,
          finish: () => rest().catch(() => undefined),
        };
      }
    } catch (e) {
      throw toDomainError(e);
    }
    throw new DomainError('VALIDATION_FAILED', 'The multipart upload has no `file` part.', [
      {
        field: 'file',
        code: 'required',
        message: 'a part named file with the CSV or NDJSON file is required',
      },
    ]);
  }

  /**
   * Stages the upload as a job. With an Idempotency-Key: the key's fingerprint covers the options
   * (whether from the query or a multipart `options` part), and the job keeps the sha256 of the
   * file, computed as it streams into staging. A retry whose options match a completed request is
   * read through (discarded) to hash it: the same file replays the first answer, another file —
   * even of the same size — is a 422. A key still in flight is a 409.
   */
  private async start(
    ctx: RequestContext,
    req: FastifyRequest,
    reply: FastifyReply,
    upload: Upload,
  ): Promise<ImportJobDto | Buffer> {
    const { options, body } = upload;
    const key = parseIdempotencyKey(req.headers[IDEMPOTENCY_HEADER]);
    if (key === undefined) {
      const job = await this.imports.create(ctx, options, body);
      void reply.header('location', `/v1/imports/${job.id}`);
      return job;
    }
    const path = '/v1/imports';
    const fingerprint = fingerprintOf('POST', path, canonicalOptions(options), 'content:sha256');
    let started;
    try {
      started = await this.idempotency.begin(ctx, { key, method: 'POST', path, fingerprint });
    } catch (e) {
      if (e instanceof DomainError && e.code === 'IDEMPOTENCY_KEY_IN_USE')
        void reply.header('retry-after', String(IN_USE_RETRY_AFTER_SECONDS));
      throw e;
    }
    if (started.state === 'replay') {
      const incoming = await this.imports.digest(body);
      let first: string | undefined;
      try {
        first = (JSON.parse(started.response.body.toString('utf8')) as { id?: string }).id;
      } catch {
        first = undefined;
      }
      const stored = first ? await this.imports.contentHash(ctx, first) : null;
      if (stored !== null && stored !== incoming)
        throw new DomainError(
          'IDEMPOTENCY_KEY_REUSED',
          'This Idempotency-Key was already used to upload a different file; use a new key for a new upload.',
          [{ field: 'Idempotency-Key', code: 'reused', message: 'the key belongs to another file' }],
        );
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
