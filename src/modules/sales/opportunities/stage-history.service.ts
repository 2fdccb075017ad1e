import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { actorOf, AuditService } from '../../../platform/audit/audit.service.js';
import type { AuditEventInput } from '../../../platform/audit/audit.types.js';
import { RequestContext } from '../../../platform/context/request-context.js';
import { newId } from '../../../platform/database/ids.js';
import { TenantDb } from '../../../platform/database/tenant-db.js';
import { DomainError } from '../../../platform/http/domain-error.js';
import { parseLimit } from '../../../platform/query/index.js';
import { SqlParams } from '../../../platform/query/sql.js';
import { RecordService } from '../../../platform/records/record.service.js';
import { registry } from '../../../platform/registry/object-registry.js';
import { assertPermission } from '../../../platform/security/assert-permission.js';
import { FieldPolicy } from '../../../platform/security/policy/field-policy.js';
import type { StageRow } from '../sales-sql.js';
import { updatedRows, utcText } from '../sales-sql.js';
import { OPPORTUNITY } from './opportunity.object.js';
import type { StageChangeDto } from './stage-history.dto.js';

export interface StageHistoryPage {
  data: StageChangeDto[];
  nextCursor: string | null;
  cursors: string[];
}

const COLUMNS = `h.id, h.opportunity_id AS "opportunityId", h.from_stage_id AS "fromStageId", fs.name AS "fromStageName",
  h.to_stage_id AS "toStageId", ts.name AS "toStageName", h.changed_at AS "changedAt", h.changed_by AS "changedBy",
  h.seconds_in_from_stage AS "secondsInFromStage", ${utcText('h.changed_at')} AS "__t"`;
const JOINS = `LEFT JOIN pipeline_stages fs ON fs.tenant_id = h.tenant_id AND fs.id = h.from_stage_id
  JOIN pipeline_stages ts ON ts.tenant_id = h.tenant_id AND ts.id = h.to_stage_id`;

/** Seconds since the opportunity entered its current stage (its latest history entry). */
const SECONDS_IN_CURRENT = (opportunity: string) =>
  `(SELECT extract(epoch FROM clock_timestamp() - max(p.changed_at))::float8 FROM opportunity_stage_history p WHERE p.opportunity_id = ${opportunity})`;

/**
 * An opportunity's stage history: every stage it entered (the first one included), when, by whom,
 * and how long it had spent in the stage it left. Entries are written in the transaction of the
 * change by the opportunity service (and by stage deletion's moves), never afterwards, and the
 * service's database role may only insert them. Reading needs read access to the opportunity.
 */
@Injectable()
export class StageHistoryService {
  constructor(
    private readonly db: TenantDb,
    private readonly records: RecordService,
    private readonly fieldPolicy: FieldPolicy,
  ) {}

  /** Records that the opportunity entered `toStageId` (from `fromStageId`, null when it was created). */
  async recordChange(
    em: EntityManager,
    ctx: RequestContext,
    opportunityId: string,
    fromStageId: string | null,
    toStageId: string,
  ): Promise<void> {
    await em.query(
      `INSERT INTO opportunity_stage_history
         (tenant_id, id, opportunity_id, from_stage_id, to_stage_id, changed_at, changed_by, seconds_in_from_stage)
       VALUES (app_tenant_id(), $1::uuid, $2::uuid, $3::uuid, $4::uuid, clock_timestamp(), $5::uuid,
               CASE WHEN $3::uuid IS NULL THEN NULL ELSE greatest(coalesce(${SECONDS_IN_CURRENT('$2::uuid')}, 0), 0) END)`,
      [newId(), opportunityId, fromStageId, toStageId, ctx.principal.userId ?? null],
    );
  }

  /** A page of one opportunity's history, newest first (404 when the opportunity is not visible). */
  async page(
    ctx: RequestContext,
    opportunityId: string,
    request: { limit?: unknown; cursor?: string },
  ): Promise<StageHistoryPage> {
    assertPermission(ctx, 'opportunities:read');
    await this.checkStageReadable(ctx);
    const limit = parseLimit(request.limit);
    const after = request.cursor ? decodeCursor(request.cursor) : undefined;
    await this.records.get(ctx, OPPORTUNITY, opportunityId, { fields: 'id' });
    const pages = await this.db.run(ctx, (em) => this.fetch(em, [opportunityId], limit, after));
    return pages.get(opportunityId) ?? { data: [], nextCursor: null, cursors: [] };
  }

  /**
   * The first page of each opportunity's history in one statement (GraphQL
   * `opportunity.stageHistory` over a list). The opportunities were already read under the
   * caller's record-level security.
   */
  async pages(
    ctx: RequestContext,
    opportunityIds: readonly string[],
    first: number,
    cursor?: string,
  ): Promise<Map<string, StageHistoryPage>> {
    assertPermission(ctx, 'opportunities:read');
    await this.checkStageReadable(ctx);
    const limit = parseLimit(first);
    const after = cursor ? decodeCursor(cursor) : undefined;
    return this.db.run(ctx, (em) => this.fetch(em, opportunityIds, limit, after));
  }

  /** The history shows the stages an opportunity was in: refused when stageId is hidden from the caller. */
  private async checkStageReadable(ctx: RequestContext): Promise<void> {
    const access = await this.fieldPolicy.resolve(ctx);
    access.checker(OPPORTUNITY)(OPPORTUNITY, registry.field(OPPORTUNITY, 'stageId')!);
  }

  private async fetch(
    em: EntityManager,
    ids: readonly string[],
    limit: number,
    after: { t: string; i: string } | undefined,
  ): Promise<Map<string, StageHistoryPage>> {
    const params = new SqlParams([ids]);
    const where = ['h.opportunity_id = ANY($1::uuid[])'];
    if (after)
      where.push(
        `(h.changed_at, h.id) < (${params.add(after.t)}::timestamptz, ${params.add(after.i)}::uuid)`,
      );
    const rows: (StageChangeDto & { __t: string; __rank: string })[] = await em.query(
      `SELECT * FROM (
         SELECT ${COLUMNS}, row_number() OVER (PARTITION BY h.opportunity_id ORDER BY h.changed_at DESC, h.id DESC) AS "__rank"
           FROM opportunity_stage_history h ${JOINS}
          WHERE ${where.join(' AND ')}) ranked
        WHERE "__rank" <= ${params.add(limit + 1)}
        ORDER BY "opportunityId", "__rank"`,
      params.values,
    );
    const out = new Map<string, StageHistoryPage>();
    for (const id of ids) out.set(id, { data: [], nextCursor: null, cursors: [] });
    for (const row of rows) {
      const page = out.get(row.opportunityId)!;
      if (page.data.length === limit) {
        page.nextCursor = page.cursors[page.cursors.length - 1] ?? null;
        continue;
      }
      const { __t, __rank: _rank, ...entry } = row;
      page.cursors.push(encodeCursor(__t, entry.id));
      page.data.push(entry);
    }
    return out;
  }
}

/**
 * Moves opportunities between stages in bulk (a deleted stage's opportunities to the stage named
 * by `moveTo`): one UPDATE, their history entries and one audit event each, all in the caller's
 * transaction. The target has the same category, so closedAt, lossReason and the forecast
 * category stay valid; the probability becomes the target's default, as for any stage change.
 */
@Injectable()
export class OpportunityStageMover {
  constructor(private readonly audit: AuditService) {}

  /** Live opportunities in the stage. */
  async countInStage(em: EntityManager, stageId: string): Promise<number> {
    const rows: { n: number }[] = await em.query(
      `SELECT count(*)::int AS n FROM opportunities o WHERE o.stage_id = $1::uuid AND o.deleted_at IS NULL`,
      [stageId],
    );
    return rows[0].n;
  }

  /** Moves every opportunity (soft-deleted ones too, so a restore lands in a live stage). */
  async moveAll(em: EntityManager, ctx: RequestContext, from: StageRow, to: StageRow): Promise<number> {
    const before: { id: string; probability: number; seconds: number | null }[] = await em.query(
      `SELECT o.id, o.probability, ${SECONDS_IN_CURRENT('o.id')} AS seconds
         FROM opportunities o WHERE o.stage_id = $1::uuid ORDER BY o.id FOR UPDATE OF o`,
      [from.id],
    );
    if (before.length === 0) return 0;
    const moved: { id: string; version: number }[] = await em
      .query(
        `UPDATE opportunities o SET stage_id = $2::uuid, probability = $3, version = o.version + 1, updated_at = now()
          WHERE o.id = ANY($1::uuid[]) RETURNING o.id, o.version`,
        [before.map((b) => b.id), to.id, to.probability],
      )
      .then((r) => updatedRows<{ id: string; version: number }>(r));
    const versions = new Map(moved.map((m) => [m.id, m.version]));
    await em.query(
      `INSERT INTO opportunity_stage_history
         (tenant_id, id, opportunity_id, from_stage_id, to_stage_id, changed_at, changed_by, seconds_in_from_stage)
       SELECT app_tenant_id(), v.id, v.opportunity_id, $3::uuid, $4::uuid, clock_timestamp(), $5::uuid, greatest(coalesce(v.seconds, 0), 0)
         FROM unnest($1::uuid[], $2::uuid[], $6::float8[]) AS v(id, opportunity_id, seconds)`,
      [
        before.map(() => newId()),
        before.map((b) => b.id),
        from.id,
        to.id,
        ctx.principal.userId ?? null,
        before.map((b) => b.seconds),
      ],
    );
    const events: AuditEventInput[] = before.map((b) => ({
      action: 'update',
      object: OPPORTUNITY.name,
      recordId: b.id,
      changes: {
        stageId: { before: from.id, after: to.id },
        ...(b.probability !== to.probability
          ? { probability: { before: b.probability, after: to.probability } }
          : {}),
      },
      details: { version: versions.get(b.id) ?? null, reason: 'stage_deleted' },
    }));
    await this.audit.recordMany(em, actorOf(ctx), events);
    return before.length;
  }
}

function encodeCursor(t: string, i: string): string {
  return Buffer.from(JSON.stringify({ t, i })).toString('base64url');
}

function decodeCursor(cursor: string): { t: string; i: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const c = parsed as { t?: unknown; i?: unknown } | undefined;
  if (
    typeof c?.t !== 'string' ||
    typeof c.i !== 'string' ||
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/.test(c.t) ||
    !/^[0-9a-f-]{36}$/i.test(c.i)
  )
    throw new DomainError('INVALID_CURSOR', 'The cursor is not one this list gave out.', [
      { field: 'cursor', code: 'INVALID_CURSOR', message: 'cursor is invalid' },
    ]);
  return { t: c.t, i: c.i };
}
