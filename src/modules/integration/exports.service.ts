import { Injectable, Logger } from '@nestjs/common';
import { stringify } from 'csv-stringify';
import { Readable, Transform } from 'node:stream';
import { AuditService } from '../../platform/audit/audit.service.js';
import { markBulkJobTenant } from './bulk-retention.service.js';
import { AppConfig } from '../../platform/config/config.js';
import { RequestContext } from '../../platform/context/request-context.js';
import { newId } from '../../platform/database/ids.js';
import { TenantDb } from '../../platform/database/tenant-db.js';
import { DomainError } from '../../platform/http/domain-error.js';
import {
  buildListQuery,
  encodeCursor,
  LIST_ALIAS,
  parseFields,
  parseFilterInput,
  parseSort,
  SqlParams,
  stripCursorColumns,
} from '../../platform/query/index.js';
import type { RecordData } from '../../platform/records/record.types.js';
import { FieldDef, ObjectDef, registry } from '../../platform/registry/object-registry.js';
import { assertPermission } from '../../platform/security/assert-permission.js';
import { recordPermission } from '../../platform/security/permissions.js';
import { FieldPolicy } from '../../platform/security/policy/field-policy.js';
import { RecordPolicy } from '../../platform/security/policy/record-policy.js';
import { snapshotOf } from './import-job.types.js';

export type ExportFormat = 'csv' | 'ndjson';

export interface ExportInput {
  object: string;
  filter?: unknown;
  fields?: string | string[];
  sort?: string;
  format?: ExportFormat;
}

export interface ExportJobView {
  id: string;
  object: string;
  format: ExportFormat;
  status: string;
  rows: number;
  downloadUrl: string;
  createdAt: Date;
  finishedAt: Date | null;
}

interface ExportRow {
  id: string;
  object: string;
  filter: unknown;
  fields: string[] | null;
  sort: string | null;
  format: ExportFormat;
  status: string;
  rows: number;
  createdAt: Date;
  finishedAt: Date | null;
}

const COLUMNS = `id, object, filter, fields, sort, format, status, rows, created_at AS "createdAt", finished_at AS "finishedAt"`;

/** A compiled export: what the download runs, page after page. */
interface Compiled {
  object: ObjectDef;
  columns: FieldDef[];
  page: (cursor: string | null) => {
    sql: string;
    params: unknown[];
    sort: ReturnType<typeof parseSort>;
    limit: number;
  };
}

/**
 * Exports: `create` checks and records the request (object, filter in the query language,
 * fields, sort, format), `download` streams it. The rows come from the record layer's list
 * query (buildListQuery) with the exporter's record-level read predicate (also inside relation
 * filters) and field policy — hidden fields asked for are 403 FORBIDDEN_FIELD, not asked for are
 * left out — read in keyset pages of EXPORT_CHUNK_ROWS, so memory stays flat whatever the size.
 * Each download is audited once, as `export`, with the filter, fields and row count.
 */
@Injectable()
export class ExportsService {
  private readonly logger = new Logger('exports');

  constructor(
    private readonly db: TenantDb,
    private readonly config: AppConfig,
    private readonly fieldPolicy: FieldPolicy,
    private readonly policy: RecordPolicy,
    private readonly audit: AuditService,
  ) {}

  async create(ctx: RequestContext, input: ExportInput): Promise<ExportJobView> {
    const format = input.format ?? 'csv';
    if (format !== 'csv' && format !== 'ndjson')
      throw new DomainError('VALIDATION_FAILED', 'format must be csv or ndjson', [
        { field: 'format', code: 'invalid', message: 'format must be csv or ndjson' },
      ]);
    const object = this.objectOf(input.object);
    assertPermission(ctx, 'data:export', recordPermission(object.plural, 'read'));
    const fields =
      typeof input.fields === 'string' ? input.fields.split(',').map((s) => s.trim()) : input.fields;
    // Compiled once now, so a bad filter, an unknown or hidden field is refused here (400/403).
    await this.compile(ctx, object, input.filter, fields, input.sort);
    const id = newId();
    const rows: ExportRow[] = await this.db.run(ctx, async (em) => {
      await markBulkJobTenant(em);
      return em.query(
        `INSERT INTO export_jobs (tenant_id, id, object, filter, fields, sort, format, status, principal, request_id)
         VALUES (app_tenant_id(), $1, $2, $3::jsonb, $4::text[], $5, $6, 'ready', $7::jsonb, $8) RETURNING ${COLUMNS}`,
        [
          id,
          object.plural,
          input.filter === undefined ? null : JSON.stringify(input.filter),
          fields ?? null,
          input.sort ?? null,
          format,
          JSON.stringify(snapshotOf(ctx)),
          ctx.requestId,
        ],
      );
    });
    return viewOf(rows[0]);
  }

  async get(ctx: RequestContext, id: string): Promise<ExportJobView> {
    return viewOf(await this.row(ctx, id));
  }

  /** The export as a stream of CSV or NDJSON; audited when its last row is read (or it breaks off). */
  async download(
    ctx: RequestContext,
    id: string,
  ): Promise<{ stream: Readable; format: ExportFormat; object: string }> {
    const job = await this.row(ctx, id);
    const object = this.objectOf(job.object);
    assertPermission(ctx, 'data:export', recordPermission(object.plural, 'read'));
    const compiled = await this.compile(
      ctx,
      object,
      job.filter ?? undefined,
      job.fields ?? undefined,
      job.sort ?? undefined,
    );
    const names = compiled.columns.map((f) => f.name);
    let count = 0;
    let completed = false;
    const db = this.db;
    // Audited once: when the last row is read — before the stream ends, so a client that has
    // received the whole file can already see its audit event — or, for a download that breaks
    // off, when the stream closes.
    let audited = false;
    const record = async () => {
      if (audited) return;
      audited = true;
      await this.finish(ctx, job, object, count, completed);
    };
    async function* rows(): AsyncGenerator<RecordData> {
      let cursor: string | null = null;
      for (;;) {
        const q = compiled.page(cursor);
        const raw: RecordData[] = await db.read(ctx, (em) => em.query(q.sql, q.params));
        const more = raw.length > q.limit;
        const page = more ? raw.slice(0, q.limit) : raw;
        for (const r of page) {
          count++;
          yield stripCursorColumns(r);
        }
        if (!more) break;
        cursor = encodeCursor(q.sort, page[page.length - 1]);
      }
      completed = true;
      await record();
    }
    const source = Readable.from(rows());
    const out =
      job.format === 'ndjson'
        ? source.pipe(
            new Transform({
              writableObjectMode: true,
              transform(row: RecordData, _e, done) {
                const o: Record<string, unknown> = {};
                for (const n of names) o[n] = row[n];
                done(null, `${JSON.stringify(o)}\n`);
              },
            }),
          )
        : source
            .pipe(
              new Transform({
                objectMode: true,
                transform(row: RecordData, _e, done) {
                  done(
                    null,
                    compiled.columns.map((f) => csvCell(f, row[f.name])),
                  );
                },
              }),
            )
            .pipe(stringify({ header: true, columns: names }));
    source.on('close', () => void record());
    source.on('error', () => void record());
    return { stream: out, format: job.format, object: object.plural };
  }

  private async finish(
    ctx: RequestContext,
    job: ExportRow,
    object: ObjectDef,
    rows: number,
    completed: boolean,
  ): Promise<void> {
    try {
      await this.db.run(ctx, async (em) => {
        await em.query(
          `UPDATE export_jobs SET rows = $2, status = $3, started_at = coalesce(started_at, now()), finished_at = now() WHERE id = $1`,
          [job.id, rows, completed ? 'succeeded' : 'failed'],
        );
        await this.audit.record(em, ctx, {
          action: 'export',
          object: object.name,
          details: {
            exportJob: job.id,
            filter: job.filter ?? null,
            fields: job.fields ?? null,
            sort: job.sort,
            format: job.format,
            rows,
            completed,
          },
        });
      });
    } catch (e) {
      this.logger.error(`could not record export ${job.id}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private objectOf(name: string): ObjectDef {
    const object = registry.all().find((o) => o.plural === name);
    if (!object)
      throw new DomainError(
        'VALIDATION_FAILED',
        `object must be one of: ${registry
          .all()
          .map((o) => o.plural)
          .join(', ')}`,
        [{ field: 'object', code: 'invalid', message: `unknown object ${name}` }],
      );
    return object;
  }

  /** The record layer's list query for this export (as RecordService.list composes it), page by page. */
  private async compile(
    ctx: RequestContext,
    object: ObjectDef,
    filterInput: unknown,
    fields: string[] | undefined,
    sortInput: string | undefined,
  ): Promise<Compiled> {
    const access = await this.fieldPolicy.resolve(ctx);
    const checkField = access.checker(object);
    const filter = parseFilterInput(filterInput);
    const sort = parseSort(object, sortInput ?? 'id', checkField);
    const columns =
      parseFields(object, fields?.join(',') ?? null, checkField) ?? access.for(object).readable();
    const chunk = this.config.EXPORT_CHUNK_ROWS;
    const page = (cursor: string | null) => {
      const params = new SqlParams();
      const visible = this.policy.readPredicate(ctx, object, LIST_ALIAS, params);
      return buildListQuery(registry, object, {
        filter,
        sort,
        cursor,
        pageSize: chunk,
        columns,
        extraWhere: visible ? [visible] : [],
        params,
        checkField,
        relationScope: (o, alias, p) => this.policy.readPredicate(ctx, o, alias, p),
      });
    };
    page(null);
    return { object, columns, page };
  }

  private async row(ctx: RequestContext, id: string): Promise<ExportRow> {
    const rows: ExportRow[] = await this.db.read(ctx, (em) =>
      em.query(
        `SELECT ${COLUMNS} FROM export_jobs WHERE id = $1
            AND ($2::boolean OR coalesce(principal->>'userId', principal->>'id') = $3)`,
        [id, ctx.principal.isAdmin, ctx.principal.userId ?? ctx.principal.id],
      ),
    );
    if (!rows[0]) throw new DomainError('NOT_FOUND', `No export job with id ${id}.`);
    return rows[0];
  }
}

/** A value as a CSV cell, in the form an import reads back (arrays `a;b`, JSON as JSON). */
function csvCell(f: FieldDef, v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  if (f.type === 'stringArray' && Array.isArray(v)) return v.join(';');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function viewOf(r: ExportRow): ExportJobView {
  return {
    id: r.id,
    object: r.object,
    format: r.format,
    status: r.status,
    rows: r.rows,
    downloadUrl: `/v1/exports/${r.id}/download`,
    createdAt: r.createdAt,
    finishedAt: r.finishedAt,
  };
}
