import { Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { AppConfig } from '../../platform/config/config.js';
import { AuthModule } from '../../platform/auth/auth.module.js';
import { SalesModule } from '../sales/sales.module.js';
import { ExportsController } from './exports.controller.js';
import { BulkRetentionService } from './bulk-retention.service.js';
import { ExportsService } from './exports.service.js';
import { ImportEngine } from './import-engine.js';
import { ImportRunner } from './import-runner.js';
import { multipartLimits } from './import-staging.js';
import { ServiceRowImporter } from './import-service-rows.js';
import { IMPORT_CONTENT_TYPES, ImportsController } from './imports.controller.js';
import { ImportsService } from './imports.service.js';
import { ImportsResolver } from './integration.resolver.js';

/**
 * Bulk data loads: import jobs (streamed CSV/NDJSON, worked in checkpointed chunks by pg-boss
 * workers) and exports (streamed downloads). docs/integration.md.
 */
@Module({
  imports: [AuthModule, SalesModule],
  controllers: [ImportsController, ExportsController],
  providers: [
    ImportsService,
    ImportEngine,
    ServiceRowImporter,
    ImportRunner,
    ExportsService,
    ImportsResolver,
    BulkRetentionService,
  ],
})
export class IntegrationModule implements OnModuleInit {
  constructor(
    private readonly adapter: HttpAdapterHost,
    private readonly config: AppConfig,
  ) {}

  /**
   * Import uploads are read by the import service as a stream, never buffered by Fastify (nor held
   * to BODY_LIMIT_BYTES: IMPORT_MAX_BYTES applies instead, while the upload streams).
   *
   * multipart/form-data (`POST /v1/imports` with a `file` part) goes through @fastify/multipart,
   * whose parser only marks the request: nothing is read until the imports controller iterates
   * the parts, streaming the file. Its limits here are the ceiling (the controller passes its
   * own); no other route reads multipart bodies.
   */
  onModuleInit(): void {
    const fastify = this.adapter.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    fastify.addContentTypeParser(Object.keys(IMPORT_CONTENT_TYPES), (_req, payload, done) =>
      done(null, payload),
    );
    void fastify.register(fastifyMultipart, { limits: multipartLimits(this.config.IMPORT_MAX_BYTES) });
  }
}
