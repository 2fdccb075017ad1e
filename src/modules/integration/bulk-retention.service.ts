import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppConfig } from '../../platform/config/config.js';
import { TenantDb } from '../../platform/database/tenant-db.js';
import { JobsService } from '../../platform/jobs/jobs.service.js';

export const BULK_RETENTION_JOB = 'integration.retention';

export interface BulkRetentionRun {
  /** finished import jobs deleted, with their row errors */
  imports: number;
  /** export jobs deleted */
  exports: number;
}

/**
 * Deletes finished import jobs (with their row errors, which hold the raw rows) and export jobs
 * older than BULK_JOB_RETENTION_DAYS, every tenant's, once a day (a pg-boss cron job, so one
 * replica runs it). migrations/0016_bulk_job_retention.sql does the work tenant by tenant under
 * each tenant's own RLS.
 */
@Injectable()
export class BulkRetentionService implements OnModuleInit {
  private readonly logger = new Logger('imports');

  constructor(
    private readonly db: TenantDb,
    private readonly config: AppConfig,
    private readonly jobs: JobsService,
  ) {}

  onModuleInit(): void {
    this.jobs.register({
      name: BULK_RETENTION_JOB,
      cron: '17 3 * * *',
      expireInSeconds: 30 * 60,
      handler: async () => {
        const run = await this.runOnce();
        if (run.imports || run.exports)
          this.logger.log(
            `deleted ${run.imports} import job(s) and ${run.exports} export job(s) past retention`,
          );
      },
    });
  }

  async runOnce(now: Date = new Date()): Promise<BulkRetentionRun> {
    const before = new Date(now.getTime() - this.config.BULK_JOB_RETENTION_DAYS * 86_400_000);
    const [row] = await this.db.runWithoutTenant(
      async (em) =>
        (await em.query(
          `SELECT imports::int AS imports, exports::int AS exports FROM purge_bulk_jobs($1::timestamptz)`,
          [before],
        )) as BulkRetentionRun[],
    );
    return row;
  }
}

/** Records, in the caller's transaction, that the caller's tenant has bulk jobs (for the purge to visit). */
export async function markBulkJobTenant(em: EntityManager): Promise<void> {
  await em.query(`INSERT INTO bulk_job_tenants (tenant_id) VALUES (app_tenant_id()) ON CONFLICT DO NOTHING`);
}
