import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { RequestContext } from '../../platform/context/request-context.js';
import { UUID_RE } from '../../platform/database/ids.js';
import { TenantDb } from '../../platform/database/tenant-db.js';
import { DomainError, FieldIssue } from '../../platform/http/domain-error.js';
import { toDomainError } from '../../platform/http/problem.js';
import { col, SqlParams } from '../../platform/query/sql.js';
import { ObjectService } from '../../platform/records/object.service.js';
import { selectList, table } from '../../platform/records/record-sql.js';
import type { RecordData } from '../../platform/records/record.types.js';
import { FieldDef, ObjectDef } from '../../platform/registry/object-registry.js';
import { RecordPolicy } from '../../platform/security/policy/record-policy.js';
import { LeadsService } from '../sales/leads/leads.service.js';
import { OpportunitiesService } from '../sales/opportunities/opportunities.service.js';
import { ChunkResult, ImportEngine, RowError, StagedRow } from './import-engine.js';
import { attachServiceRows, validateRow } from './import-objects.js';
import { columnFields, fromCsv, fromJson, ImportPlan, ResolvedReference, RowValues } from './import-plan.js';
import { rawOf } from './import-staging.js';

/** Postgres data errors (class 22) and constraint violations (class 23): the row's fault, not the job's. */
function rowFault(e: unknown): { code: string; message: string; constraint?: string } | undefined {
  const err = e as {
    code?: unknown;
    message?: unknown;
    constraint?: string;
    driverError?: { code?: unknown };
  };
  const code = typeof err?.code === 'string' ? err.code : err?.driverError?.code;
  if (typeof code !== 'string' || !(code.startsWith('22') || code.startsWith('23'))) return undefined;
  return { code, message: String(err.message), constraint: err.constraint };
}

interface Row extends RowValues {
  line: number;
  raw: string | null;
}

/** One row's failure: its problems, for the errors file. */
class RowFailure extends Error {
  constructor(readonly issues: FieldIssue[]) {
    super(issues[0]?.message ?? 'row failed');
  }
}

const fail = (field: string, code: string, message: string) => new RowFailure([{ field, code, message }]);

/**
 * Leads and opportunities, imported row by row through LeadsService and OpportunitiesService, so
 * every rule of a single `POST`/`PATCH` applies: lead assignment rules on create (unless the row
 * gives an owner), a converted lead is read-only; an opportunity's stage must be in its pipeline,
 * entering a stage brings its probability and forecast category, won/lost set closedAt, lost needs
 * a lossReason, and every stage entered is a stage-history row. Their audit and outbox events are
 * the services' own, on the `bulk` channel.
 *
 * It all runs inside the chunk's transaction (ImportRunner's; checkpoint, dry-run rollback and
 * resume are the engine's, unchanged), each row under its own SAVEPOINT: a row the services or
 * Postgres refuse is rolled back alone and becomes a row error. Rows apply in file order, so a
 * key repeated in a chunk is created by its first row and updated by the next.
 */
@Injectable()
export class ServiceRowImporter {
  constructor(
    engine: ImportEngine,
    private readonly db: TenantDb,
    private readonly policy: RecordPolicy,
    private readonly leads: LeadsService,
    private readonly opportunities: OpportunitiesService,
  ) {
    attachServiceRows(engine, this);
  }

  async processChunk(
    em: EntityManager,
    ctx: RequestContext,
    plan: ImportPlan,
    header: readonly string[] | null,
    staged: readonly StagedRow[],
  ): Promise<ChunkResult> {
    const service = this.serviceOf(plan.object);
    const result: ChunkResult = { created: 0, updated: 0, unchanged: 0, failed: 0, errors: [] };
    const fields = header ? columnFields(plan, header) : null;
    // The rows' service calls join the chunk's transaction (TenantDb.joinTransaction), on `bulk`.
    await this.db.joinTransaction(ctx, em, 'bulk', async (tx) => {
      for (const s of staged) {
        const row: Row = { line: s.lineNo, raw: rawOf(s), values: {}, refs: {}, issues: [] };
        const outcome = await this.row(em, tx, plan, service, fields, s, row).catch((e: unknown) => {
          if (e instanceof RowFailure) return e;
          throw e;
        });
        if (outcome instanceof RowFailure) {
          result.failed++;
          result.errors.push(
            ...outcome.issues.map((i): RowError => ({
              line: row.line,
              raw: row.raw,
              field: i.field || null,
              code: i.code,
              message: i.message,
            })),
          );
        } else result[outcome]++;
      }
    });
    return result;
  }

  private serviceOf(object: ObjectDef): ObjectService {
    if (object.name === 'lead') return this.leads;
    if (object.name === 'opportunity') return this.opportunities;
    throw new Error(`no per-row import service for ${object.plural}`);
  }

  private async row(
    em: EntityManager,
    tx: RequestContext,
    plan: ImportPlan,
    service: ObjectService,
    fields: ReturnType<typeof columnFields> | null,
    s: StagedRow,
    row: Row,
  ): Promise<'created' | 'updated' | 'unchanged'> {
    if (s.parseError !== null || s.value === null || Array.isArray(s.value) !== (fields !== null))
      throw fail('', 'malformed', s.parseError ?? 'unreadable line');
    Object.assign(
      row,
      fields ? fromCsv(plan, fields, s.value as string[]) : fromJson(plan, s.value as string),
    );
    if (row.issues.length) throw new RowFailure(row.issues);
    const match = plan.match.name;
    const given = row.values[match];
    const key = given === null || given === undefined || given === '' ? null : String(given);
    if (match === 'id') delete row.values.id;

    // References (except a stage by name, which needs the pipeline): among records the importer may see.
    // An empty cell of a required reference (a stage) means "not given" (the pipeline's first stage).
    let stageByName: ResolvedReference | undefined;
    for (const ref of plan.references.values()) {
      if (row.values[ref.field.name] === null && !ref.field.nullable) delete row.values[ref.field.name];
      const value = row.refs[ref.field.name];
      if (value === undefined) continue;
      if (ref.target.name === 'stage' && ref.by.name === 'name') {
        stageByName = ref;
        continue;
      }
      row.values[ref.field.name] = await this.resolve(em, tx, ref, value);
    }

    const existing = key === null ? undefined : await this.find(em, tx, plan, key);
    if (existing && plan.mode === 'create')
      throw fail(match, 'duplicate', `a ${plan.object.name} with ${match} ${key} exists already`);
    if (!existing && plan.mode === 'update')
      throw key === null
        ? fail(match, 'required', `${match} is needed to find the record to update`)
        : fail(match, 'not_found', `no ${plan.object.name} with ${match} ${key}`);
    if (existing && !existing.__writable)
      throw fail(
        match,
        'forbidden',
        `you may see this ${plan.object.name} (${existing.id as string}) but not change it`,
      );

    if (stageByName) {
      const pipelineId = (row.values.pipelineId ?? existing?.pipelineId) as string | undefined;
      if (typeof pipelineId !== 'string')
        throw fail('stageId', 'required', 'a stage named by its name needs the pipeline (pipelineId)');
      row.values.stageId = await this.resolve(em, tx, stageByName, row.refs.stageId, pipelineId);
    }

    const issues = validateRow(plan.def, row.values, existing ? 'update' : 'create');
    if (issues.length) throw new RowFailure(issues);
    if (existing && unchanged(plan.object, existing, row.values)) return 'unchanged';

    await em.query('SAVEPOINT import_row');
    try {
      if (existing) await service.update(tx, existing.id as string, row.values);
      else await service.create(tx, row.values);
      await em.query('RELEASE SAVEPOINT import_row');
      return existing ? 'updated' : 'created';
    } catch (e) {
      await em.query('ROLLBACK TO SAVEPOINT import_row');
      await em.query('RELEASE SAVEPOINT import_row');
      const fault = rowFault(e);
      const refused = e instanceof DomainError ? e : fault ? toDomainError(e) : undefined;
      if (refused?.code === 'DUPLICATE_EXTERNAL_ID')
        throw fail(
          'externalId',
          'conflict',
          `another ${plan.object.name} (deleted, or one you cannot see) has this externalId`,
        );
      if (refused && refused.code !== 'INTERNAL')
        throw new RowFailure(
          refused.errors.length
            ? refused.errors
            : [{ field: '', code: refused.code.toLowerCase(), message: refused.detail }],
        );
      if (fault)
        throw fail('', 'rejected', `the database refused the row (${fault.constraint ?? fault.message})`);
      throw e;
    }
  }

  /** The live record the row's key matches (locked), and whether the importer may change it. */
  private async find(
    em: EntityManager,
    ctx: RequestContext,
    plan: ImportPlan,
    key: string,
  ): Promise<(RecordData & { __writable: boolean }) | undefined> {
    const object = plan.object;
    if (plan.match.type === 'uuid' && !UUID_RE.test(key)) return undefined;
    const params = new SqlParams([key]);
    const where = [`${col('t', plan.match.column)} = $1${plan.match.type === 'uuid' ? '::uuid' : ''}`];
    if (object.softDelete) where.push('t."deleted_at" IS NULL');
    const visible = this.policy.readPredicate(ctx, object, 't', params);
    if (visible) where.push(visible);
    const writable = this.policy.writePredicate(ctx, object, 't', params) ?? 'TRUE';
    const rows: (RecordData & { __writable: boolean })[] = await em.query(
      `SELECT ${selectList(object.fields)}, (${writable}) AS "__writable" FROM ${table(object)} t
        WHERE ${where.join(' AND ')} LIMIT 2 FOR UPDATE OF t`,
      params.values,
    );
    if (rows.length > 1)
      throw fail(plan.match.name, 'ambiguous', `several ${object.plural} have ${plan.match.name} ${key}`);
    return rows[0];
  }

  /** A reference's key → the id of the one live record of its target the importer may see. */
  private async resolve(
    em: EntityManager,
    ctx: RequestContext,
    ref: ResolvedReference,
    value: string,
    pipelineId?: string,
  ): Promise<string> {
    const { target, by, field } = ref;
    const missing = fail(field.name, 'not_found', `no ${target.name} with ${by.name} ${value}`);
    if (by.type === 'uuid' && !UUID_RE.test(value)) throw missing;
    const params = new SqlParams([value]);
    const where = [`${col('t', by.column)} = $1${by.type === 'uuid' ? '::uuid' : ''}`];
    if (pipelineId !== undefined) where.push(`t."pipeline_id" = ${params.add(pipelineId)}::uuid`);
    if (target.softDelete) where.push('t."deleted_at" IS NULL');
    const visible = this.policy.readPredicate(ctx, target, 't', params);
    if (visible) where.push(visible);
    const rows: { id: string }[] = await em.query(
      `SELECT t."id" AS id FROM ${table(target)} t WHERE ${where.join(' AND ')} LIMIT 2`,
      params.values,
    );
    if (rows.length === 0) throw missing;
    if (rows.length > 1)
      throw fail(field.name, 'ambiguous', `several ${target.plural} have ${by.name} ${value}`);
    return rows[0].id;
  }
}

/** Whether writing `values` would change nothing of `existing` (then the row is `unchanged`, not written). */
function unchanged(object: ObjectDef, existing: RecordData, values: Record<string, unknown>): boolean {
  return Object.entries(values).every(([name, v]) => {
    const f = object.fields.find((x) => x.name === name);
    return f !== undefined && same(f, existing[name], v);
  });
}

function same(f: FieldDef, before: unknown, after: unknown): boolean {
  if (before === null || before === undefined || after === null || after === undefined)
    return (before ?? null) === (after ?? null);
  switch (f.type) {
    case 'datetime': {
      const a = before instanceof Date ? before.getTime() : Date.parse(String(before));
      return a === Date.parse(String(after));
    }
    case 'decimal':
    case 'integer':
      return Number(before) === Number(after);
    case 'json':
    case 'stringArray':
      return JSON.stringify(before) === JSON.stringify(after);
    default:
      return String(before) === String(after);
  }
}
