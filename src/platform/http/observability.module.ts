import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { HealthController } from './health.controller.js';
import { HealthService } from './health.service.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsService } from './metrics.js';

/**
 * One JSON line per request, when its response is finished: request id, method, URL, status and
 * latency. Fastify's own request logging (off: `disableRequestLogging` in createApp) writes two
 * lines per request, and the method and URL only on the first.
 */
@Injectable()
export class RequestLog implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (!adapter) return;
    adapter.getInstance<FastifyInstance>().addHook('onResponse', (request, reply, done) => {
      request.log.info(
        {
          method: request.method,
          url: request.url,
          res: { statusCode: reply.statusCode },
          responseTime: reply.elapsedTime,
        },
        'request completed',
      );
      done();
    });
  }
}

/** Health probes, Prometheus metrics and request log context (DESIGN §6). */
@Module({
  controllers: [HealthController, MetricsController],
  providers: [HealthService, MetricsService, RequestLog],
  exports: [MetricsService],
})
export class ObservabilityModule {}
