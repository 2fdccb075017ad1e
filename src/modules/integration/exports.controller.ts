import {
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Res,
  StreamableFile,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Ctx } from '../../platform/context/ctx.decorator.js';
import { RequestContext } from '../../platform/context/request-context.js';
import { DomainError } from '../../platform/http/domain-error.js';
import { ProblemDto } from '../../platform/http/problem.dto.js';
import { RequirePermission } from '../../platform/security/require-permission.decorator.js';
import { ExportsService } from './exports.service.js';
import { CreateExportInput, ExportJobDto } from './integration.dto.js';

const uuid = new ParseUUIDPipe({
  exceptionFactory: () => new DomainError('NOT_FOUND', 'No export job with this id.'),
});

@ApiTags('exports')
@ApiBearerAuth('bearer')
@Controller('v1/exports')
export class ExportsController {
  constructor(private readonly exports: ExportsService) {}

  @Post()
  @HttpCode(202)
  @RequirePermission('data:export')
  @ApiOperation({
    summary: 'Start an export',
    description:
      'Checks the export (object, filter in the query language, fields, sort, format) and answers 202 with the job; GET its downloadUrl to stream the rows. ' +
      'Needs `data:export` and read on the object. Record-level security applies; a hidden field asked for is 403 FORBIDDEN_FIELD, hidden fields not asked for are left out.',
  })
  @ApiResponse({ status: 202, type: ExportJobDto })
  @ApiResponse({ status: 400, type: ProblemDto })
  @ApiResponse({ status: 403, type: ProblemDto })
  async create(
    @Ctx() ctx: RequestContext,
    @Body() body: CreateExportInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ExportJobDto> {
    const job = await this.exports.create(ctx, body);
    void reply.header('location', `/v1/exports/${job.id}`);
    return job;
  }

  @Get(':id')
  @RequirePermission('data:export')
  @ApiOperation({ summary: 'An export job', description: 'Its status and the rows of its last download.' })
  @ApiResponse({ status: 200, type: ExportJobDto })
  @ApiResponse({ status: 404, type: ProblemDto })
  get(@Ctx() ctx: RequestContext, @Param('id', uuid) id: string): Promise<ExportJobDto> {
    return this.exports.get(ctx, id);
  }

  @Get(':id/download')
  @RequirePermission('data:export')
  @ApiOperation({
    summary: 'Download an export',
    description:
      'Streams the rows (CSV with a header line, or NDJSON) in keyset pages, in constant memory. Each download is audited as `export`.',
  })
  @ApiProduces('text/csv', 'application/x-ndjson')
  @ApiResponse({ status: 200, description: 'The data.' })
  @ApiResponse({ status: 404, type: ProblemDto })
  @Header('cache-control', 'no-store')
  async download(@Ctx() ctx: RequestContext, @Param('id', uuid) id: string): Promise<StreamableFile> {
    const { stream, format, object } = await this.exports.download(ctx, id);
    return new StreamableFile(stream, {
      type: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson',
      disposition: `attachment; filename="${object}-${id}.${format}"`,
    });
  }
}
