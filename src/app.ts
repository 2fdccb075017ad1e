import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { LogController } from 'fastify';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { AppModule } from './app.module.js';
import { AppConfig } from './platform/config/config.js';
import { setupOpenApi } from './platform/http/openapi.js';
import { createRootLogger, PinoNestLogger } from './platform/http/logger.js';
import { createValidationPipe } from './platform/http/validation.js';

const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;

export interface CreateAppOptions {
  logger?: Logger;
}

/** Builds the fully wired Nest application on Fastify; the caller decides whether to listen. */
export async function createApp(
  config: AppConfig,
  databaseUrl: string,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const logger = options.logger ?? createRootLogger(config.LOG_LEVEL);
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    // One line per request instead, written by RequestLog (observability.module.ts).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.BODY_LIMIT_BYTES,
    // Path parameters carry external ids of up to 255 characters, percent-encoded up to 12 bytes each
    // (PUT …/external-id/{externalId}); Fastify's default of 100 would answer 414 to longer ones.
    routerOptions: { maxParamLength: 4096 },
    // Only behind a proxy that sets X-Forwarded-For may the client address come from it
    // (per-IP login throttling and logs rely on it).
    trustProxy: config.TRUST_PROXY,
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID_RE.test(given) ? given : randomUUID();
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, databaseUrl),
    adapter,
    {
      logger: new PinoNestLogger(logger),
      bufferLogs: false,
    },
  );
  const fastify = app.getHttpAdapter().getInstance();
  // PATCH bodies may be sent as RFC 7396 merge patches.
  fastify.addContentTypeParser(
    'application/merge-patch+json',
    { parseAs: 'string' },
    fastify.getDefaultJsonParser('error', 'error'),
  );
  fastify.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.enableCors({
    origin: config.CORS_ORIGINS === '*' ? true : config.CORS_ORIGINS.split(',').map((s) => s.trim()),
    exposedHeaders: ['ETag', 'Location', 'X-Request-Id', 'RateLimit', 'Retry-After', 'Idempotent-Replayed'],
    credentials: false,
  });
  app.useGlobalPipes(createValidationPipe());
  setupOpenApi(app);
  await app.init();
  await fastify.ready();
  return app;
}
