import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { RequestContext } from '../../platform/context/request-context.js';
import { DomainError, FieldIssue } from '../../platform/http/domain-error.js';
import { SqlParams } from '../../platform/query/sql.js';
import { selectList, table } from '../../platform/records/record-sql.js';
import type { RecordData } from '../../platform/records/record.types.js';
import { ObjectDef, registry } from '../../platform/registry/object-registry.js';
import { RecordPolicy } from '../../platform/security/policy/record-policy.js';
import type { StageCategory } from './pipelines/pipeline.object.js';

/** A live stage as the sales rules need it. */
export interface StageRow {
  id: string;
  pipelineId: string;
  name: string;
  position: number;
  probability: number;
  category: StageCategory;
}

export const STAGE_COLUMNS = `s.id, s.pipeline_id AS "pipelineId", s.name, s.position, s.probability, s.category`;

/**
 * Reads and locks records for the sales services' own rules, inside the caller's transaction and
 * under the caller's record-level security: a record the caller may not see is a 404 here, before
 * any rule looks at it (so a refusal never tells an invisible record from a missing one).
 */
@Injectable()
export class SalesRecords {
  constructor(private readonly policy: RecordPolicy) {}

  /**
   * The live record with the named fields, locked FOR UPDATE (the caller is about to change it or
   * something that hangs off it), plus `writable`: whether the caller may change it. 404 when it
   * does not exist or is not visible.
   */
  async lock(
    em: EntityManager,
    ctx: RequestContext,
    object: ObjectDef,
    id: string,
    fields: readonly string[],
  ): Promise<RecordData & { writable: boolean }> {
    const params = new SqlParams([id]);
    const where = ['t."id" = $1::uuid', 't."deleted_at" IS NULL'];
    const visible = this.policy.readPredicate(ctx, object, 't', params);
    if (visible) where.push(visible);
    const writable = this.policy.writePredicate(ctx, object, 't', params) ?? 'TRUE';
    const defs = fields.map((name) => {
      const f = registry.field(object, name);
      if (!f) throw new Error(`${object.name}.${name} is not declared`);
      return f;
    });
    const rows: (RecordData & { writable: boolean })[] = await em.query(
      `SELECT ${selectList(defs)}${defs.length ? ', ' : ''}(${writable}) AS "writable"
         FROM ${table(object)} t WHERE ${where.join(' AND ')} FOR UPDATE OF t`,
      params.values,
    );
    if (!rows[0]) throw notFound(object, id);
    return rows[0];
  }

  /** As `lock`, and 403 unless the caller may change the record. */
  async lockWritable(
    em: EntityManager,
    ctx: RequestContext,
    object: ObjectDef,
    id: string,
    fields: readonly string[],
  ): Promise<RecordData> {
    const row = await this.lock(em, ctx, object, id, fields);
    if (!row.writable)
      throw new DomainError(
        'FORBIDDEN',
        `You may see this ${object.name} but not change it (record-level security: ask its owner or an administrator to share it with you for editing).`,
      );
    return row;
  }
}

/** A live stage by id (any pipeline), or undefined; `includeDeleted` for the stage a record is in. */
export async function findStage(
  em: EntityManager,
  stageId: string,
  includeDeleted = false,
): Promise<StageRow | undefined> {
  const rows: StageRow[] = await em.query(
    `SELECT ${STAGE_COLUMNS} FROM pipeline_stages s WHERE s.id = $1::uuid${includeDeleted ? '' : ' AND s.deleted_at IS NULL'}`,
    [stageId],
  );
  return rows[0];
}

/** The live stages of a pipeline in order. */
export async function pipelineStages(em: EntityManager, pipelineId: string): Promise<StageRow[]> {
  return em.query(
    `SELECT ${STAGE_COLUMNS} FROM pipeline_stages s
      WHERE s.pipeline_id = $1::uuid AND s.deleted_at IS NULL ORDER BY s.position, s.id`,
    [pipelineId],
  );
}

export function notFound(object: ObjectDef, id: string): DomainError {
  return new DomainError('NOT_FOUND', `No ${object.name} with id ${id}.`);
}

/** A 400 naming one field. */
export function invalid(field: string, code: string, message: string): DomainError {
  return new DomainError('VALIDATION_FAILED', `${message}.`, [{ field, code, message }]);
}

/** A 409 naming one field. */
export function conflict(field: string, code: string, message: string): DomainError {
  return new DomainError('CONFLICT', `${message}.`, [{ field, code, message }]);
}

/**
 * The same error with its fields named from an enclosing input (`stageId` → `opportunity.stageId`
 * when the opportunity of a lead conversion is at fault). Other errors pass unchanged.
 */
export function nested(e: unknown, prefix: string): unknown {
  if (!(e instanceof DomainError) || e.errors.length === 0) return e;
  const errors: FieldIssue[] = e.errors.map((i) => ({ ...i, field: `${prefix}.${i.field}` }));
  return new DomainError(e.code, e.detail, errors, e.reason ? { reason: e.reason } : {});
}

/** A date alone (`2025-03-31`) is midnight UTC of that day, whatever the session's time zone. */
export function utcDate(value: string | null | undefined): string | null | undefined {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
}

/** `2025-…T…Z` with microseconds, for keyset cursors over timestamptz columns. */
export const utcText = (column: string): string =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** TypeORM's `query` returns `[rows, count]` for UPDATE … RETURNING on Postgres. */
export function updatedRows<T = RecordData>(result: unknown): T[] {
  return (
    Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number'
      ? result[0]
      : result
  ) as T[];
}
