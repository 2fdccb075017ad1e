import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../config/config.js';
import { RequestContext } from '../context/request-context.js';

export const APP_ROLE = 'rapport_app';

/**
 * The only way services reach tenant data. Each call opens a transaction, drops to the
 * unprivileged rapport_app role and pins app.tenant_id, so Postgres RLS confines every statement
 * in it to the caller's tenant, whatever SQL runs inside.
 */
@Injectable()
export class TenantDb {
  private readonly timeout: string;

  constructor(
    readonly dataSource: DataSource,
    config: AppConfig,
  ) {
    // Bounds any one statement (a pathological filter, a lock wait) so it cannot hold a connection.
    this.timeout = `${config.DATABASE_STATEMENT_TIMEOUT_MS}ms`;
  }

  run<T>(ctx: RequestContext, work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.runAsTenant(ctx.tenantId, work);
  }

  runAsTenant<T>(tenantId: string, work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (em) => {
      await em.query(
        `SELECT set_config('role', $1, true), set_config('app.tenant_id', $2, true), set_config('statement_timeout', $3, true)`,
        [APP_ROLE, tenantId, this.timeout],
      );
      return work(em);
    });
  }

  /** As rapport_app with no tenant: only the non-tenant tables (the sign-in directory) answer. */
  runWithoutTenant<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (em) => {
      await em.query(`SELECT set_config('role', $1, true), set_config('statement_timeout', $2, true)`, [
        APP_ROLE,
        this.timeout,
      ]);
      return work(em);
    });
  }
}
