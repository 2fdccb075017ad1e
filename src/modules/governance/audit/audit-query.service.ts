import { Inject, Injectable, Optional } from '@nestjs/common';
import { AuditService } from '../../../platform/audit/audit.service.js';
import type { VerifyResult } from '../../../platform/audit/audit-chain.js';
import { chainTimestampSql } from '../../../platform/audit/audit-chain.js';
import {
  AUDIT_FIELD_FILTER,
  HIDE_NOTHING,
  type AuditChanges,
  type AuditFieldFilter,
} from '../../../platform/audit/audit.types.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { UUID_RE } from '../../../platform/database/ids.js';
import { TenantDb } from '../../../platform/database/tenant-db.js';
import { DomainError } from '../../../platform/http/domain-error.js';
import { parseLimit } from '../../../platform/query/index.js';
import { RecordService } from '../../../platform/records/record.service.js';
import { ObjectDef, registry } from '../../../platform/registry/object-registry.js';
import { assertPermission } from '../../../platform/security/assert-permission.js';
import type { AuditEventDto, FieldChangeDto, HistoryEntryDto } from './audit.dto.js';

export const AUDIT_READ = 'audit:read';

export interface AuditFilter {
  actorId?: string;
  clientId?: string;
  object?: string;
  recordId?: string;
  action?: string;
  from?: string;
  to?: string;
}

export interface AuditPage<T> {
  data: T[];
  /** one per row: where the next page starts if it ends here */
  cursors: string[];
  nextCursor: string | null;
}

interface EventRow {
  id: string;
  occurred_at: Date;
  ts: string;
  actor_type: string;
  actor_id: string;
  user_id: string | null;
  client_id: string | null;
  channel: string;
  request_id: string | null;
  object: string | null;
  record_id: string | null;
  action: string;
  outcome: string;
  changes: AuditChanges | null;
  details: Record<string, unknown> | null;
}

const TS_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/**
 * Reads the audit trail: the filtered list, a record's field history, and verification. Diffs go
 * through the AuditFieldFilter (field-level security) on the way out; the stored trail keeps
 * full diffs.
 */
@Injectable()
export class AuditQueryService {
  private readonly fieldFilter: AuditFieldFilter;

  constructor(
    private readonly db: TenantDb,
    private readonly audit: AuditService,
    private readonly records: RecordService,
    @Optional() @Inject(AUDIT_FIELD_FILTER) fieldFilter?: AuditFieldFilter,
  ) {
    this.fieldFilter = fieldFilter ?? HIDE_NOTHING;
  }

  async list(
    ctx: RequestContext,
    filter: AuditFilter,
    limit: unknown,
    cursor: string | undefined,
  ): Promise<AuditPage<AuditEventDto>> {
    assertPermission(ctx, AUDIT_READ);
    const n = parseLimit(limit);
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const where = ['e.tenant_id = app_tenant_id()'];
    if (filter.actorId !== undefined) where.push(`e.actor_id = ${p(filter.actorId)}`);
    if (filter.clientId !== undefined) where.push(`e.client_id = ${p(filter.clientId)}`);
    if (filter.object !== undefined) where.push(`e.object = ${p(objectName(filter.object))}`);
    if (filter.recordId !== undefined) {
      if (!UUID_RE.test(filter.recordId)) throw badFilter('recordId', 'recordId must be a UUID');
      where.push(`e.record_id = ${p(filter.recordId)}::uuid`);
    }
    if (filter.action !== undefined) where.push(`e.action = ${p(filter.action)}`);
    if (filter.from !== undefined)
      where.push(`e.occurred_at >= ${p(timestamp(filter.from, 'from'))}::timestamptz`);
    if (filter.to !== undefined) where.push(`e.occurred_at < ${p(timestamp(filter.to, 'to'))}::timestamptz`);
    const page = await this.page(ctx, where, params, n, cursor);
    return { ...page, data: await this.visible(ctx, page.data.map(toEvent)) };
  }

  /**
   * A record's changes, newest first. The record must exist and be visible to the caller (404
   * otherwise, as for a GET of it), and the caller needs `<objects>:read`.
   */
  async history(
    ctx: RequestContext,
    objectRef: string,
    id: string,
    limit: unknown,
    cursor: string | undefined,
  ): Promise<AuditPage<HistoryEntryDto>> {
    const object = resolveObject(objectRef);
    if (!UUID_RE.test(id)) throw new DomainError('NOT_FOUND', `No ${object.name} with id ${id}.`);
    assertPermission(ctx, `${object.plural}:read`);
    const n = parseLimit(limit);
    await this.records.get(ctx, object, id, { fields: 'id' });
    const params: unknown[] = [object.name, id];
    const where = [
      'e.tenant_id = app_tenant_id()',
      'e.object = $1',
      'e.record_id = $2::uuid',
      `e.outcome = 'success'`,
    ];
    const page = await this.page(ctx, where, params, n, cursor);
    const events = await this.visible(ctx, page.data.map(toEvent));
    return { ...page, data: events.map(toHistoryEntry) };
  }

  verify(ctx: RequestContext): Promise<VerifyResult> {
    assertPermission(ctx, AUDIT_READ);
    return this.audit.verify(ctx);
  }

  private async page(
    ctx: RequestContext,
    where: string[],
    params: unknown[],
    limit: number,
    cursor: string | undefined,
  ): Promise<AuditPage<EventRow>> {
    if (cursor !== undefined && cursor !== '') {
      const c = decodeCursor(cursor);
      params.push(c.t, c.i);
      where.push(`(e.occurred_at, e.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(limit + 1);
    const rows = await this.db.run(
      ctx,
      (em) =>
        em.query(
          `SELECT e.id, e.occurred_at, ${chainTimestampSql('e.occurred_at')} AS ts,
                  e.actor_type, e.actor_id, e.user_id, e.client_id, e.channel, e.request_id, e.object,
                  e.record_id, e.action, e.outcome, e.changes, e.details
             FROM audit_events e
            WHERE ${where.join(' AND ')}
            ORDER BY e.occurred_at DESC, e.id DESC
            LIMIT $${params.length}`,
          params,
        ) as Promise<EventRow[]>,
    );
    const more = rows.length > limit;
    const data = more ? rows.slice(0, limit) : rows;
    const cursors = data.map((r) => encodeCursor(r.ts, r.id));
    return { data, cursors, nextCursor: more ? cursors[cursors.length - 1] : null };
  }

  /** Drops the fields the caller may not read from each event's changes (field-level security). */
  private async visible(ctx: RequestContext, events: AuditEventDto[]): Promise<AuditEventDto[]> {
    const hidden = new Map<string, ReadonlySet<string>>();
    for (const e of events) {
      if (!e.changes || !e.object || hidden.has(e.object)) continue;
      hidden.set(e.object, await this.fieldFilter.hiddenFields(ctx, e.object));
    }
    return events.map((e) => {
      const h = e.object ? hidden.get(e.object) : undefined;
      if (!e.changes || !h || h.size === 0) return e;
      const changes = Object.fromEntries(Object.entries(e.changes).filter(([field]) => !h.has(field)));
      return { ...e, changes };
    });
  }
}

function toEvent(r: EventRow): AuditEventDto {
  return {
    id: r.id,
    occurredAt: r.occurred_at,
    actorType: r.actor_type,
    actorId: r.actor_id,
    userId: r.user_id,
    clientId: r.client_id,
    channel: r.channel,
    requestId: r.request_id,
    object: r.object,
    recordId: r.record_id,
    action: r.action,
    outcome: r.outcome,
    changes: r.changes,
    details: r.details,
  };
}

function toHistoryEntry(e: AuditEventDto): HistoryEntryDto {
  const version = e.details?.version;
  const changes: FieldChangeDto[] = Object.entries(e.changes ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([field, c]) => ({ field, before: c.before ?? null, after: c.after ?? null }));
  return {
    eventId: e.id,
    occurredAt: e.occurredAt,
    action: e.action,
    actorType: e.actorType,
    actorId: e.actorId,
    userId: e.userId,
    clientId: e.clientId,
    channel: e.channel,
    requestId: e.requestId,
    version: typeof version === 'number' ? version : null,
    changes,
  };
}

/** A registered object by singular or plural name (`contact`, `contacts`); 404 otherwise. */
export function resolveObject(ref: string): ObjectDef {
  const object = registry.all().find((o) => o.name === ref || o.plural === ref);
  if (!object) throw new DomainError('NOT_FOUND', `There is no object "${ref.slice(0, 100)}".`);
  return object;
}

/** The list filter takes the singular name; a registered plural is accepted too. */
function objectName(ref: string): string {
  return registry.all().find((o) => o.plural === ref)?.name ?? ref;
}

function timestamp(value: string, field: string): string {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw badFilter(field, `${field} must be an ISO 8601 date-time`);
  return new Date(t).toISOString();
}

function badFilter(field: string, message: string): DomainError {
  return new DomainError('VALIDATION_FAILED', message, [{ field, code: 'format', message }]);
}

function encodeCursor(ts: string, id: string): string {
  return Buffer.from(JSON.stringify({ v: 1, t: ts, i: id })).toString('base64url');
}

function decodeCursor(cursor: string): { t: string; i: string } {
  const invalid = () =>
    new DomainError('INVALID_CURSOR', 'The cursor is not one this list returned.', [
      { field: 'cursor', code: 'INVALID_CURSOR', message: 'cursor is invalid' },
    ]);
  if (cursor.length > 500 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const c = parsed as { v?: unknown; t?: unknown; i?: unknown };
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    c.v !== 1 ||
    typeof c.t !== 'string' ||
    !TS_RE.test(c.t) ||
    typeof c.i !== 'string' ||
    !UUID_RE.test(c.i)
  )
    throw invalid();
  return { t: c.t, i: c.i };
}
