import { Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { AuthModule } from '../../platform/auth/auth.module.js';
import { ExportsController } from './exports.controller.js';
import { ExportsService } from './exports.service.js';
import { ImportEngine } from './import-engine.js';
import { ImportRunner } from './import-runner.js';
import { IMPORT_CONTENT_TYPES, ImportsController } from './imports.controller.js';
import { ImportsService } from './imports.service.js';
import { ImportsResolver } from './integration.resolver.js';

/**
 * Bulk data loads: import jobs (streamed CSV/NDJSON, worked in checkpointed chunks by pg-boss
 * workers) and exports (streamed downloads). docs/integration.md.
 */
@Module({
  imports: [AuthModule],
  controllers: [ImportsController, ExportsController],
  providers: [ImportsService, ImportEngine, ImportRunner, ExportsService, ImportsResolver],
})
export class IntegrationModule implements OnModuleInit {
  constructor(private readonly adapter: HttpAdapterHost) {}

  /**
   * Import uploads are read by the import service as a stream, never buffered by Fastify (nor held
   * to BODY_LIMIT_BYTES: IMPORT_MAX_BYTES applies instead, while the upload streams).
   */
  onModuleInit(): void {
    const fastify = this.adapter.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    fastify.addContentTypeParser(Object.keys(IMPORT_CONTENT_TYPES), (_req, payload, done) =>
      done(null, payload),
    );
  }
}
