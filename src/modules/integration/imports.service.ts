import { Injectable } from '@nestjs/common';
import { stringify } from 'csv-stringify';
import { createHash, Hash } from 'node:crypto';
import { Readable, Transform, TransformCallback, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppConfig } from '../../platform/config/config.js';
import { RequestContext } from '../../platform/context/request-context.js';
import { newId } from '../../platform/database/ids.js';
import { TenantDb } from '../../platform/database/tenant-db.js';
import { DomainError } from '../../platform/http/domain-error.js';
import { toDomainError } from '../../platform/http/problem.js';
import { JobsService } from '../../platform/jobs/jobs.service.js';
import { assertPermission } from '../../platform/security/assert-permission.js';
import { recordPermission } from '../../platform/security/permissions.js';
import { FieldPolicy } from '../../platform/security/policy/field-policy.js';
import {
  FINISHED,
  ImportJobRow,
  ImportJobView,
  JOB_COLUMNS,
  snapshotOf,
  viewOf,
} from './import-job.types.js';
import {
  checkWritableFields,
  columnFields,
  ImportOptions,
  ImportPlan,
  resolveOptions,
} from './import-plan.js';
import { markBulkJobTenant } from './bulk-retention.service.js';
import { ByteLimit, csvLines, ndjsonLines, stageLines } from './import-staging.js';
import { returned } from './returned.js';

export const IMPORT_JOB = 'integration.import';

const ERROR_PAGE = 5000;

/** Whose jobs a caller sees: their own (the user behind a key or token), or all for an administrator. */
const OWN_JOB = (who: string, admin: string) =>
  `(${admin}::boolean OR coalesce(principal->>'userId', principal->>'id') = ${who})`;
const ownerOf = (ctx: RequestContext): string => ctx.principal.userId ?? ctx.principal.id;

export interface ImportPage {
  data: ImportJobView[];
  nextCursor: string | null;
}

/** Passes an upload through unchanged while hashing it (sha256): the job's content hash. */
class Sha256Tap extends Transform {
  readonly hash: Hash = createHash('sha256');
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    done(null, chunk);
  }
}

/** The permissions an import mode needs on its object. */
export function importPermissions(plural: string, mode: ImportOptions['mode']): string[] {
  if (mode === 'create') return [recordPermission(plural, 'create')];
  if (mode === 'update') return [recordPermission(plural, 'update')];
  return [recordPermission(plural, 'create'), recordPermission(plural, 'update')];
}

/**
 * Import jobs, the API side: stage an upload (parsed as it streams, into import_chunks, in one
 * transaction with the job row: a failed or refused upload leaves nothing behind), show jobs,
 * stream their row errors, cancel them. ImportRunner works them.
 */
@Injectable()
export class ImportsService {
  constructor(
    private readonly db: TenantDb,
    private readonly config: AppConfig,
    private readonly fieldPolicy: FieldPolicy,
    private readonly jobs: JobsService,
  ) {}

  async create(ctx: RequestContext, options: ImportOptions, body: Readable): Promise<ImportJobView> {
    const plan = resolveOptions(options);
    assertPermission(ctx, ...importPermissions(plan.object.plural, plan.mode));
    const access = await this.fieldPolicy.resolve(ctx);
    const id = newId();
    const limit = new ByteLimit(this.config.IMPORT_MAX_BYTES);
    const tap = new Sha256Tap();
    body.on('error', (e) => limit.destroy(e));
    const input = body.pipe(tap).pipe(limit);
    let header: string[] | null = null;
    const onHeader = (h: string[]) => {
      header = h;
      const fields = columnFields(plan, h).filter((f) => f !== null);
      checkWritableFields(plan, access, fields);
      this.checkOwner(
        ctx,
        plan,
        fields.map((f) => f.name),
      );
    };
    // Attached now, before any await: an upload error (413) must find its listener.
    const lines = plan.format === 'csv' ? csvLines(input, onHeader) : ndjsonLines(input);
    let row: ImportJobRow;
    try {
      row = await this.db.run(ctx, async (em) => {
        await markBulkJobTenant(em);
        await em.query(
          `INSERT INTO import_jobs (tenant_id, id, object, mode, match, format, options, dry_run, status, principal, request_id)
           VALUES (app_tenant_id(), $1, $2, $3, $4, $5, $6::jsonb, $7, 'queued', $8::jsonb, $9)`,
          [
            id,
            plan.object.plural,
            plan.mode,
            plan.match.name,
            plan.format,
            JSON.stringify({ mapping: options.mapping ?? {}, references: options.references ?? {} }),
            options.dryRun ?? false,
            JSON.stringify(snapshotOf(ctx)),
            ctx.requestId,
          ],
        );
        const received = await stageLines(em, id, lines, this.config.IMPORT_CHUNK_ROWS);
        await em.query(`INSERT INTO import_open_jobs (tenant_id, job_id) VALUES (app_tenant_id(), $1)`, [id]);
        const result: unknown = await em.query(
          `UPDATE import_jobs SET received = $2, bytes = $3, options = options || jsonb_build_object('header', $4::jsonb, 'sha256', $5::text)
            WHERE id = $1 RETURNING ${JOB_COLUMNS}`,
          [id, received, limit.bytes, JSON.stringify(header), tap.hash.digest('hex')],
        );
        return returned<ImportJobRow>(result)[0];
      });
    } catch (e) {
      body.unpipe();
      body.resume();
      throw toDomainError(e);
    }
    await this.jobs.send(IMPORT_JOB, { tenantId: ctx.tenantId, jobId: id }).catch(() => undefined);
    return viewOf(row);
  }

  /**
   * The sha256 of an upload read through and discarded (up to IMPORT_MAX_BYTES, 413 beyond): how
   * a retry with an Idempotency-Key is compared with the file its key first came with.
   */
  async digest(body: Readable): Promise<string> {
    const tap = new Sha256Tap();
    const sink = new Writable({ write: (_c, _e, done) => done() });
    try {
      await pipeline(body, tap, new ByteLimit(this.config.IMPORT_MAX_BYTES), sink);
    } catch (e) {
      body.resume();
      throw toDomainError(e);
    }
    return tap.hash.digest('hex');
  }

  /** The content hash of a job's upload (null for a job staged before hashes were kept, or gone). */
  async contentHash(ctx: RequestContext, id: string): Promise<string | null> {
    const rows: { sha256: string | null }[] = await this.db.read(ctx, (em) =>
      em.query(`SELECT options->>'sha256' AS sha256 FROM import_jobs WHERE id = $1`, [id]),
    );
    return rows[0]?.sha256 ?? null;
  }

  /** `ownerId` in the file hands records over: it needs `<plural>:assign` (as in ObjectService). */
  private checkOwner(ctx: RequestContext, plan: ImportPlan, fields: string[]): void {
    if (!fields.includes('ownerId')) return;
    const permission = recordPermission(plan.object.plural, 'assign');
    if (ctx.can(permission)) return;
    const message = `ownerId can be set only with the ${permission} permission`;
    throw new DomainError('VALIDATION_FAILED', `Invalid import: ${message}.`, [
      { field: 'ownerId', code: 'forbidden', message },
    ]);
  }

  async get(ctx: RequestContext, id: string): Promise<ImportJobView> {
    return viewOf(await this.row(ctx, id));
  }

  async list(ctx: RequestContext, limit = 50, cursor?: string): Promise<ImportPage> {
    if (limit < 1 || limit > 200)
      throw new DomainError('LIMIT_TOO_LARGE', 'limit must be between 1 and 200.');
    let after: { t: string; id: string } | null = null;
    if (cursor) {
      try {
        after = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { t: string; id: string };
      } catch {
        throw new DomainError('INVALID_CURSOR', 'The cursor is not one this API returned.');
      }
    }
    const rows: ImportJobRow[] = await this.db.read(ctx, (em) =>
      em.query(
        `SELECT ${JOB_COLUMNS} FROM import_jobs
          WHERE ($1::timestamptz IS NULL OR (created_at, id) < ($1::timestamptz, $2::uuid)) AND ${OWN_JOB('$4', '$5')}
          ORDER BY created_at DESC, id DESC LIMIT $3`,
        [after?.t ?? null, after?.id ?? null, limit + 1, ownerOf(ctx), ctx.principal.isAdmin],
      ),
    );
    const more = rows.length > limit;
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      data: page.map(viewOf),
      nextCursor:
        more && last
          ? Buffer.from(JSON.stringify({ t: last.createdAt.toISOString(), id: last.id })).toString(
              'base64url',
            )
          : null,
    };
  }

  /** Cancels at the next chunk boundary (a queued job at once). Cancelling a finished job changes nothing. */
  async cancel(ctx: RequestContext, id: string): Promise<ImportJobView> {
    await this.row(ctx, id);
    const rows: ImportJobRow[] = await this.db.run(ctx, async (em) => {
      await em.query(
        `UPDATE import_jobs SET cancel_requested = true, updated_at = now() WHERE id = $1 AND status IN ('queued', 'running')`,
        [id],
      );
      return em.query(`SELECT ${JOB_COLUMNS} FROM import_jobs WHERE id = $1`, [id]);
    });
    return viewOf(rows[0]);
  }

  /** The job's row errors, streamed page by page (constant memory), as CSV or NDJSON. */
  async errors(ctx: RequestContext, id: string, format: 'csv' | 'ndjson'): Promise<Readable> {
    await this.row(ctx, id);
    const db = this.db;
    async function* pages(): AsyncGenerator<{
      line: number;
      field: string | null;
      code: string;
      message: string;
      raw: string | null;
    }> {
      let after = -1;
      let seq = -1;
      for (;;) {
        const rows: {
          line: number;
          seq: number;
          field: string | null;
          code: string;
          message: string;
          raw: string | null;
        }[] = await db.read(ctx, (em) =>
          em.query(
            `SELECT line_no AS line, seq, field, code, message, raw FROM import_errors
                WHERE job_id = $1 AND (line_no, seq) > ($2, $3) ORDER BY line_no, seq LIMIT $4`,
            [id, after, seq, ERROR_PAGE],
          ),
        );
        for (const r of rows)
          yield { line: r.line, field: r.field, code: r.code, message: r.message, raw: r.raw };
        if (rows.length < ERROR_PAGE) return;
        after = rows[rows.length - 1].line;
        seq = rows[rows.length - 1].seq;
      }
    }
    const source = Readable.from(pages());
    if (format === 'ndjson') {
      return source.pipe(
        new Transform({
          writableObjectMode: true,
          transform(row: object, _e, done) {
            done(null, `${JSON.stringify(row)}\n`);
          },
        }),
      );
    }
    return source.pipe(stringify({ header: true, columns: ['line', 'field', 'code', 'message', 'raw'] }));
  }

  private async row(ctx: RequestContext, id: string): Promise<ImportJobRow> {
    const rows: ImportJobRow[] = await this.db.read(ctx, (em) =>
      em.query(`SELECT ${JOB_COLUMNS} FROM import_jobs WHERE id = $1 AND ${OWN_JOB('$2', '$3')}`, [
        id,
        ownerOf(ctx),
        ctx.principal.isAdmin,
      ]),
    );
    if (!rows[0]) throw new DomainError('NOT_FOUND', `No import job with id ${id}.`);
    return rows[0];
  }

  static finished(row: ImportJobRow): boolean {
    return FINISHED.includes(row.status);
  }
}
