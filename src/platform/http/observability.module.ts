import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { HealthController } from './health.controller.js';
import { HealthService } from './health.service.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsService } from './metrics.js';

interface Rebindable {
  setBindings(bindings: Record<string, unknown>): void;
}

function isRebindable(log: object): log is Rebindable {
  return typeof (log as Partial<Rebindable>).setBindings === 'function';
}

/**
 * Fastify's "request completed" line carries only reqId, status and responseTime; the method and
 * URL are on the "incoming request" line alone. Binding them to the request's own child logger
 * puts them on the completion line (and on every line logged while serving the request), so one
 * line tells the whole story.
 */
@Injectable()
export class RequestLogBindings implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (!adapter) return;
    adapter.getInstance<FastifyInstance>().addHook('onRequest', (request, _reply, done) => {
      // request.log is a child created for this request alone, so rebinding it touches no other.
      if (isRebindable(request.log)) request.log.setBindings({ method: request.method, url: request.url });
      done();
    });
  }
}

/** Health probes, Prometheus metrics and request log context (DESIGN §6). */
@Module({
  controllers: [HealthController, MetricsController],
  providers: [HealthService, MetricsService, RequestLogBindings],
  exports: [MetricsService],
})
export class ObservabilityModule {}
