import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../../../platform/audit/audit.service.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { TenantDb } from '../../../platform/database/tenant-db.js';
import { DomainError } from '../../../platform/http/domain-error.js';
import { ObjectService } from '../../../platform/records/object.service.js';
import { RecordService } from '../../../platform/records/record.service.js';
import type { RecordData } from '../../../platform/records/record.types.js';
import { FieldPolicy } from '../../../platform/security/policy/field-policy.js';
import { BUSINESS_CALENDAR } from './business-calendar.object.js';
import type { CalendarFieldsInput } from './business-calendar.dto.js';
import { validateCalendar, type BusinessCalendarSpec } from './business-time.js';

interface SpecRow {
  timeZone: string;
  weeklyHours: BusinessCalendarSpec['weeklyHours'];
  holidays: string[];
  isDefault: boolean;
}

/**
 * Business-hours calendars: the generic record operations, plus
 * - the time zone, weekly hours and holidays are checked together by business-time.ts on every
 *   write (400 naming e.g. `weeklyHours.mon[0].end`); on update the result of the patch is
 *   checked, and weeklyHours and holidays are replaced as a whole;
 * - at most one live default: making a calendar the default takes the flag from the previous one
 *   (audited on it), under a per-tenant lock; a restored calendar that was the default while
 *   another one took over comes back as not the default;
 * - a calendar that live SLA policies use cannot be deleted (409 with their number).
 */
@Injectable()
export class BusinessCalendarsService extends ObjectService {
  constructor(
    records: RecordService,
    private readonly db: TenantDb,
    private readonly audit: AuditService,
    private readonly fieldPolicy: FieldPolicy,
  ) {
    super(records, BUSINESS_CALENDAR);
  }

  override async create(ctx: RequestContext, input: Partial<CalendarFieldsInput>): Promise<RecordData> {
    this.require(ctx, 'create');
    const spec = validateCalendar({
      timeZone: input.timeZone,
      weeklyHours: input.weeklyHours ?? {},
      holidays: input.holidays ?? [],
    });
    await this.fieldPolicy.resolve(ctx);
    return this.db.inTransaction(ctx, async (tx, em) => {
      if (input.isDefault) await this.takeDefault(em, tx, null);
      return super.create(tx, { ...input, ...spec });
    });
  }

  override async update(
    ctx: RequestContext,
    id: string,
    patch: Partial<CalendarFieldsInput>,
    expectedVersion?: number,
  ): Promise<RecordData> {
    this.require(ctx, 'update');
    await this.fieldPolicy.resolve(ctx);
    return this.db.inTransaction(ctx, async (tx, em) => {
      const values: Record<string, unknown> = { ...patch };
      if (patch.holidays === null) values.holidays = [];
      if (patch.timeZone != null || patch.weeklyHours != null || values.holidays !== undefined) {
        const current = await this.spec(em, tx, id);
        const spec = validateCalendar({
          timeZone: patch.timeZone ?? current.timeZone,
          weeklyHours: patch.weeklyHours ?? current.weeklyHours,
          holidays: values.holidays ?? current.holidays,
        });
        if (patch.timeZone != null) values.timeZone = spec.timeZone;
        // the whole week: the record layer merge-patches JSON objects one level deep
        if (patch.weeklyHours != null) values.weeklyHours = spec.weeklyHours;
        if (values.holidays !== undefined) values.holidays = spec.holidays;
      }
      if (patch.isDefault === true) {
        await this.spec(em, tx, id);
        await this.takeDefault(em, tx, id);
      }
      return super.update(tx, id, values, expectedVersion);
    });
  }

  override async remove(ctx: RequestContext, id: string, expectedVersion?: number): Promise<void> {
    this.require(ctx, 'delete');
    await this.db.inTransaction(ctx, async (tx, em) => {
      await this.spec(em, tx, id);
      const [{ n }] = (await em.query(
        `SELECT count(*)::int AS n FROM sla_policies WHERE calendar_id = $1::uuid AND deleted_at IS NULL`,
        [id],
      )) as { n: number }[];
      if (n > 0)
        throw new DomainError(
          'CONFLICT',
          `${n} SLA polic${n === 1 ? 'y uses' : 'ies use'} this calendar; give ${n === 1 ? 'it' : 'them'} another calendar first.`,
          [{ field: 'id', code: 'calendar_in_use', message: `the calendar is used by ${n} SLA policies` }],
        );
      await super.remove(tx, id, expectedVersion);
    });
  }

  override async restore(ctx: RequestContext, id: string): Promise<RecordData> {
    this.require(ctx, 'delete');
    return this.db.inTransaction(ctx, async (tx, em) => {
      await this.lockDefault(em);
      // A deleted default whose place another calendar took comes back as an ordinary calendar.
      await em.query(
        `UPDATE business_calendars c SET is_default = false
          WHERE c.id = $1::uuid AND c.deleted_at IS NOT NULL AND c.is_default
            AND EXISTS (SELECT 1 FROM business_calendars d WHERE d.is_default AND d.deleted_at IS NULL)`,
        [id],
      );
      return super.restore(tx, id);
    });
  }

  /** The live calendar's stored spec (404 when absent, deleted or not visible to the caller). */
  private async spec(em: EntityManager, ctx: RequestContext, id: string): Promise<SpecRow> {
    await this.records.get(ctx, BUSINESS_CALENDAR, id, { fields: 'id' });
    const rows: SpecRow[] = await em.query(
      `SELECT time_zone AS "timeZone", weekly_hours AS "weeklyHours", holidays, is_default AS "isDefault"
         FROM business_calendars WHERE id = $1::uuid AND deleted_at IS NULL`,
      [id],
    );
    if (!rows[0]) throw new DomainError('NOT_FOUND', `No ${BUSINESS_CALENDAR.name} with id ${id}.`);
    return rows[0];
  }

  private async lockDefault(em: EntityManager): Promise<void> {
    await em.query(
      `SELECT pg_advisory_xact_lock(hashtext('business_calendars:default:' || app_tenant_id()::text))`,
    );
  }

  /** Takes the default flag from the current default calendar (other than `keep`), audited on it. */
  private async takeDefault(em: EntityManager, ctx: RequestContext, keep: string | null): Promise<void> {
    await this.lockDefault(em);
    const rows = returned<{ id: string; version: number }>(
      await em.query(
        `UPDATE business_calendars SET is_default = false, version = version + 1, updated_at = now()
          WHERE is_default AND deleted_at IS NULL AND ($1::uuid IS NULL OR id <> $1::uuid)
          RETURNING id, version`,
        [keep],
      ),
    );
    for (const row of rows)
      await this.audit.record(em, ctx, {
        action: 'update',
        object: BUSINESS_CALENDAR.name,
        recordId: row.id,
        changes: { isDefault: { before: true, after: false } },
        details: { version: row.version, reason: 'another calendar became the default' },
      });
  }
}

/** TypeORM's `query` gives `[rows, count]` for UPDATE … RETURNING on Postgres. */
export function returned<T>(result: unknown): T[] {
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  )
    return result[0] as T[];
  return result as T[];
}
