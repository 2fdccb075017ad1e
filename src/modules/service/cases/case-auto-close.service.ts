import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { actorOf, AuditService } from '../../../platform/audit/audit.service.js';
import { AppConfig } from '../../../platform/config/config.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { TenantDb } from '../../../platform/database/tenant-db.js';
import { JobsService } from '../../../platform/jobs/jobs.service.js';
import { OutboxService } from '../../../platform/outbox/outbox.service.js';
import { updatedRows } from '../../sales/sales-sql.js';
import { ServiceClock } from '../service-clock.js';
import { CASE } from './case.object.js';

export const AUTO_CLOSE_JOB = 'service.case-auto-close';
const DAY_MS = 86_400_000;

/**
 * Closes cases solved more than SERVICE_AUTO_CLOSE_DAYS ago (docs/service.md#lifecycle): an
 * hourly pg-boss cron job; tests call `runOnce(now)`. Per tenant with such cases
 * (`case_tenants_due_close`, 0010), one set-based UPDATE in one transaction with one `update`
 * audit event and one `cases.updated` outbox event per closed case (system actor). Idempotent by state: a closed case no longer
 * matches, so a second run (or a second replica) closes nothing.
 */
@Injectable()
export class CaseAutoCloseService implements OnModuleInit {
  private readonly logger = new Logger('case-auto-close');

  constructor(
    private readonly db: TenantDb,
    private readonly jobs: JobsService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    private readonly outbox: OutboxService,
    private readonly clock: ServiceClock,
  ) {}

  onModuleInit(): void {
    this.jobs.register({
      name: AUTO_CLOSE_JOB,
      cron: '7 * * * *',
      handler: async () => {
        const closed = await this.runOnce();
        if (closed) this.logger.log(`closed ${closed} solved case(s)`);
      },
    });
  }

  /** Closes every case solved at or before `now − SERVICE_AUTO_CLOSE_DAYS`; returns how many. */
  async runOnce(now: Date = this.clock.now()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.SERVICE_AUTO_CLOSE_DAYS * DAY_MS);
    const tenants = await this.db.runWithoutTenant(
      async (em) =>
        (await em.query(`SELECT t AS id FROM case_tenants_due_close($1::timestamptz) t`, [cutoff])) as {
          id: string;
        }[],
    );
    let total = 0;
    for (const t of tenants) {
      const ctx = RequestContext.system(t.id, `job:${AUTO_CLOSE_JOB}:${now.toISOString()}`);
      total += await this.db.run(ctx, async (em) => {
        const rows = updatedRows<{ id: string; version: number }>(
          await em.query(
            `UPDATE cases SET status = 'closed', closed_at = $2, version = version + 1, updated_at = now()
              WHERE status = 'solved' AND deleted_at IS NULL AND resolved_at <= $1
             RETURNING id, version`,
            [cutoff, now],
          ),
        );
        if (rows.length)
          await this.audit.recordMany(
            em,
            actorOf(ctx),
            rows.map((r) => ({
              action: 'update',
              object: CASE.name,
              recordId: r.id,
              changes: {
                status: { before: 'solved', after: 'closed' },
                closedAt: { before: null, after: now.toISOString() },
              },
              details: { version: r.version, reason: 'autoClose', days: this.config.SERVICE_AUTO_CLOSE_DAYS },
            })),
          );
        await this.outbox.emit(
          em,
          ctx,
          rows.map((r) => ({
            type: 'cases.updated',
            object: CASE.plural,
            recordId: r.id,
            payload: { version: r.version, fields: ['status', 'closedAt'] },
          })),
        );
        return rows.length;
      });
    }
    return total;
  }
}
