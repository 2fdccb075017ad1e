import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';

/** How long readiness waits for `SELECT 1`; well under the usual 5 s probe timeout of orchestrators. */
export const READINESS_DB_TIMEOUT_MS = 2000;

export interface DependencyCheck {
  status: 'up' | 'down';
  latencyMs?: number;
  detail?: string;
}

export interface ReadinessReport {
  status: 'ok' | 'error';
  checks: Record<string, DependencyCheck>;
}

/**
 * Runs `query` against a deadline. The outcome never carries the driver's message: the endpoint is
 * public and pg errors name hosts and users; the caller logs the cause instead.
 */
export async function probe(
  query: () => Promise<unknown>,
  timeoutMs: number,
): Promise<{ check: DependencyCheck; cause?: unknown }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const outcome = await Promise.race([query().then(() => 'answered' as const), deadline]);
    if (outcome === 'timeout')
      return { check: { status: 'down', detail: `no answer within ${timeoutMs} ms` }, cause: 'timeout' };
    return { check: { status: 'up', latencyMs: Math.round((performance.now() - started) * 10) / 10 } };
  } catch (e) {
    return { check: { status: 'down', detail: 'the query failed' }, cause: e };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Readiness: can this instance serve traffic now? It cannot while the database does not answer,
 * nor once shutdown has begun, so that load balancers stop routing to it before connections close.
 */
@Injectable()
export class HealthService implements OnModuleDestroy {
  private readonly logger = new Logger('health');
  private draining = false;
  private inFlight?: Promise<DependencyCheck>;
  private lastDatabaseStatus?: DependencyCheck['status'];

  constructor(private readonly dataSource: DataSource) {}

  get isDraining(): boolean {
    return this.draining;
  }

  /**
   * Turns readiness to 503 while everything else keeps serving. For load balancers to notice
   * before connections close, the shutdown path should call this, wait a few probe periods, and
   * only then close the app.
   */
  beginDraining(): void {
    this.draining = true;
  }

  /**
   * The earliest provider hook of app.close(), for shutdowns that skipped beginDraining(). Not
   * beforeApplicationShutdown, which comes later still: GraphQLModule's onModuleDestroy stops
   * Apollo, whose Fastify drain plugin closes the server, and from then on Fastify itself answers
   * 503 to every request. A real drain therefore needs beginDraining() before app.close().
   */
  onModuleDestroy(): void {
    this.beginDraining();
  }

  async readiness(): Promise<ReadinessReport> {
    if (this.draining) {
      // The pool is about to be torn down: asking the database now would only add noise.
      return { status: 'error', checks: { lifecycle: { status: 'down', detail: 'shutting down' } } };
    }
    const database = await this.checkDatabase();
    return { status: database.status === 'up' ? 'ok' : 'error', checks: { database } };
  }

  /** Concurrent probes share one query, so a hung database does not get a pile of them. */
  private checkDatabase(): Promise<DependencyCheck> {
    this.inFlight ??= this.runDatabaseCheck().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async runDatabaseCheck(): Promise<DependencyCheck> {
    const { check, cause } = await probe(() => this.dataSource.query('SELECT 1'), READINESS_DB_TIMEOUT_MS);
    // Log transitions only: probes run every few seconds and would otherwise flood the log.
    if (check.status !== this.lastDatabaseStatus) {
      if (check.status === 'down') {
        this.logger.warn(
          `database readiness check failed: ${cause instanceof Error ? cause.message : String(cause)}`,
        );
      } else if (this.lastDatabaseStatus === 'down') {
        this.logger.log('database readiness check recovered');
      }
      this.lastDatabaseStatus = check.status;
    }
    return check;
  }
}
