import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { CountingLogger } from '../database/query-counter.js';
import { TenantDb } from '../database/tenant-db.js';

/** Route label of requests that matched no route: raw URLs would give one series per probe or typo. */
export const UNMATCHED_ROUTE = 'unmatched';

const HTTP_LABELS = ['method', 'route', 'status'] as const;
type HttpLabel = (typeof HTTP_LABELS)[number];

/** The counters of a pg Pool that TypeORM keeps as `PostgresDriver.master` (typed `any` there). */
interface PoolCounts {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options?: { max?: number };
}

function isPoolCounts(value: unknown): value is PoolCounts {
  return typeof value === 'object' && value !== null && typeof (value as PoolCounts).totalCount === 'number';
}

/** Undefined before the DataSource connects and after it is destroyed (`master` is then unset). */
function poolOf(dataSource: DataSource): PoolCounts | undefined {
  const master: unknown = (dataSource.driver as { master?: unknown }).master;
  return isPoolCounts(master) ? master : undefined;
}

/** The route pattern (`/v1/contacts/:id`), so that ids in URLs never multiply series. */
export function routeLabel(request: FastifyRequest): string {
  return request.routeOptions.url ?? UNMATCHED_ROUTE;
}

/**
 * Prometheus instruments of one application instance. Each owns its Registry rather than the
 * global default one, so several apps in one process (tests) neither collide nor mix counts.
 */
@Injectable()
export class MetricsService implements OnModuleInit {
  readonly registry = new Registry();
  private readonly requests: Counter<HttpLabel>;
  private readonly duration: Histogram<HttpLabel>;

  constructor(
    tenantDb: TenantDb,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    const register = this.registry;
    collectDefaultMetrics({ register });
    this.requests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status code.',
      labelNames: HTTP_LABELS,
      registers: [register],
    });
    this.duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from receiving a request to finishing its response, by method, route pattern and status code.',
      labelNames: HTTP_LABELS,
      registers: [register],
    });

    // Pool gauges are read at scrape time: the pool keeps the live numbers, no need to mirror them.
    // They describe the pool that serves requests (TenantDb's), not the owner's small one.
    const pool = () => (tenantDb.tenantPool ? poolOf(tenantDb.tenantPool) : undefined);
    const poolGauge = (name: string, help: string, read: (p: PoolCounts) => number | undefined) =>
      new Gauge({
        name,
        help,
        registers: [register],
        collect() {
          const p = pool();
          this.set((p && read(p)) ?? 0);
        },
      });
    poolGauge('db_pool_total', 'Connections the database pool holds, busy or idle.', (p) => p.totalCount);
    poolGauge('db_pool_idle', 'Connections idle in the database pool.', (p) => p.idleCount);
    poolGauge(
      'db_pool_waiting',
      'Queries queued for a connection because the pool is exhausted.',
      (p) => p.waitingCount,
    );
    poolGauge('db_pool_max', 'Size limit of the database pool.', (p) => p.options?.max);

    new Counter({
      name: 'db_statements_total',
      help: 'SQL statements sent through TypeORM since the process started (all app instances of the process).',
      registers: [register],
      collect() {
        // CountingLogger owns the count; a counter cannot be set, so it is rebuilt at each scrape.
        this.reset();
        this.inc(CountingLogger.statements);
      },
    });
  }

  /**
   * Routes exist by now but Fastify is not ready yet (createApp awaits `fastify.ready()` after
   * `app.init()`): the last moment addHook is accepted, and hooks still reach every route then.
   */
  onModuleInit(): void {
    // Application contexts without HTTP (CLI tools) have no adapter to instrument.
    const adapter = this.adapterHost.httpAdapter;
    if (adapter) this.instrument(adapter.getInstance<FastifyInstance>());
  }

  /** Counts every answered request, GraphQL included (its route is `/graphql`). */
  instrument(fastify: FastifyInstance): void {
    fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      const labels = { method: request.method, route: routeLabel(request), status: String(reply.statusCode) };
      this.requests.inc(labels);
      this.duration.observe(labels, reply.elapsedTime / 1000);
      done();
    });
  }

  /** The exposition in Prometheus text format, with its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
