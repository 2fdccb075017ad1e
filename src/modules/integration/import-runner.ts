import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { UsersService } from '../../platform/auth/users.service.js';
import { AppConfig } from '../../platform/config/config.js';
import { RequestContext } from '../../platform/context/request-context.js';
import { TenantDb } from '../../platform/database/tenant-db.js';
import { DomainError } from '../../platform/http/domain-error.js';
import { JobsService } from '../../platform/jobs/jobs.service.js';
import { narrowByScopes } from '../../platform/security/permissions.js';
import { FieldPolicy } from '../../platform/security/policy/field-policy.js';
import { ImportEngine, RowError } from './import-engine.js';
import { ImportJobRow, JOB_COLUMNS } from './import-job.types.js';
import { checkWritableFields, columnFields, resolveOptions } from './import-plan.js';
import { chunkLines } from './import-staging.js';
import { returned } from './returned.js';
import { IMPORT_JOB, importPermissions } from './imports.service.js';

/** Advisory-lock namespace of import jobs (the second key is hashtext(job id)). */
const LOCK_SPACE = 7243013;

/**
 * Works import jobs, chunk by chunk, each chunk one transaction that ends with the checkpoint.
 *
 * Exactly one worker works a job at a time, whichever replica: it holds a session-level advisory
 * lock on the job for as long as it works it. A killed process's session ends and Postgres drops
 * its locks at once, so the job is free for the next worker, which resumes at the checkpoint.
 * Workers are woken by pg-boss (`integration.import`, sent when an upload is staged) and, so that
 * nothing depends on pg-boss noticing a dead worker (its expiry is minutes), by a sweep of
 * import_open_jobs at start-up and every IMPORT_SWEEP_SECONDS.
 */
@Injectable()
export class ImportRunner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('imports');
  private readonly running = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(
    private readonly db: TenantDb,
    private readonly config: AppConfig,
    private readonly jobs: JobsService,
    private readonly engine: ImportEngine,
    private readonly users: UsersService,
    private readonly fieldPolicy: FieldPolicy,
  ) {
    jobs.register<{ tenantId: string; jobId: string }>({
      name: IMPORT_JOB,
      concurrency: config.IMPORT_CONCURRENCY,
      retryLimit: 2,
      handler: async ({ tenantId, jobId }) => this.run(tenantId, jobId),
    });
  }

  onApplicationBootstrap(): void {
    if (!this.jobs.enabled) return;
    void this.sweep();
    this.timer = setInterval(() => void this.sweep(), this.config.IMPORT_SWEEP_SECONDS * 1000);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.allSettled([...this.running.values()]);
  }

  /** Starts the unfinished jobs nobody works (up to IMPORT_CONCURRENCY in this process). */
  async sweep(): Promise<void> {
    if (this.stopping) return;
    try {
      const open: { tenantId: string; jobId: string }[] = await this.db.runWithoutTenant((em) =>
        em.query(`SELECT tenant_id AS "tenantId", job_id AS "jobId" FROM open_import_jobs(100)`),
      );
      for (const o of open) {
        if (this.running.size >= this.config.IMPORT_CONCURRENCY) return;
        if (!this.running.has(o.jobId)) void this.run(o.tenantId, o.jobId);
      }
    } catch (e) {
      this.logger.error(`import sweep failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Works a job to its end (or to shutdown); returns at once if another worker has it. */
  run(tenantId: string, jobId: string): Promise<void> {
    const current = this.running.get(jobId);
    if (current) return current;
    const work = this.exclusive(tenantId, jobId).finally(() => this.running.delete(jobId));
    this.running.set(jobId, work);
    return work;
  }

  private async exclusive(tenantId: string, jobId: string): Promise<void> {
    const session = this.db.dataSource.createQueryRunner();
    await session.connect();
    try {
      const [{ locked }] = (await session.query(
        `SELECT pg_try_advisory_lock(${LOCK_SPACE}, hashtext($1)) AS locked`,
        [jobId],
      )) as { locked: boolean }[];
      if (!locked) return;
      try {
        await this.work(tenantId, jobId);
      } finally {
        await session.query(`SELECT pg_advisory_unlock(${LOCK_SPACE}, hashtext($1))`, [jobId]);
      }
    } finally {
      await session.release();
    }
  }

  private async work(tenantId: string, jobId: string): Promise<void> {
    const job = await this.load(tenantId, jobId);
    if (!job) return;
    if (job.status !== 'queued' && job.status !== 'running') {
      await this.db.runAsTenant(tenantId, (em) =>
        em.query(`DELETE FROM import_open_jobs WHERE job_id = $1`, [jobId]),
      );
      return;
    }
    let ctx: RequestContext;
    try {
      ctx = await this.contextOf(job);
      const plan = resolveOptions({
        ...job.options,
        object: job.object,
        mode: job.mode,
        match: job.match,
        format: job.format,
      });
      const access = await this.fieldPolicy.resolve(ctx);
      const missing = importPermissions(plan.object.plural, plan.mode).filter((p) => !ctx.can(p));
      if (missing.length)
        throw new DomainError('FORBIDDEN', `The importing principal no longer holds ${missing.join(', ')}.`);
      if (job.options.header)
        checkWritableFields(
          plan,
          access,
          columnFields(plan, job.options.header).filter((f) => f !== null),
        );
      await this.db.runAsTenant(tenantId, (em) =>
        em.query(
          `UPDATE import_jobs SET status = 'running', started_at = coalesce(started_at, now()), updated_at = now()
            WHERE id = $1 AND status IN ('queued', 'running')`,
          [jobId],
        ),
      );
      await this.chunks(ctx, job, plan);
    } catch (e) {
      // Anything that is not one row's fault stops the job (row faults never reach here).
      const message = e instanceof DomainError ? e.message : 'internal error while processing the import';
      if (!(e instanceof DomainError))
        this.logger.error(`import ${jobId} failed: ${e instanceof Error ? e.stack : String(e)}`);
      await this.finish(tenantId, jobId, 'failed', message);
    }
  }

  /**
   * Works the job's remaining chunks in line order, up to IMPORT_CHUNKS_IN_FLIGHT at once (each
   * its own transaction: while the database writes one, this process prepares the next), then
   * ends the job. Chunks that share a match key apply in file order (ChunkOrder); leads and
   * opportunities, and imports whose rows refer to records of the object being imported, go one
   * chunk at a time. Cancellation is seen between chunks.
   */
  private async chunks(
    ctx: RequestContext,
    job: ImportJobRow,
    plan: ReturnType<typeof resolveOptions>,
  ): Promise<void> {
    const remaining: { firstLine: number }[] = await this.db.run(ctx, (em) =>
      em.query(`SELECT first_line AS "firstLine" FROM import_chunks WHERE job_id = $1 ORDER BY first_line`, [
        job.id,
      ]),
    );
    const selfReferencing = [...plan.references.values()].some((r) => r.target === plan.object);
    const width = plan.def.perRow || selfReferencing ? 1 : this.config.IMPORT_CHUNKS_IN_FLIGHT;
    const order = new ChunkOrder();
    const clock = { accountedUntil: 0 };
    const inFlight = new Set<Promise<void>>();
    let failure: unknown;
    let cancelled = false;
    for (const { firstLine } of remaining) {
      if (this.stopping || failure !== undefined) break;
      const [state] = (await this.db.read(ctx, (em) =>
        em.query(`SELECT status, cancel_requested AS "cancelRequested" FROM import_jobs WHERE id = $1`, [
          job.id,
        ]),
      )) as { status: string; cancelRequested: boolean }[];
      if (!state || state.status !== 'running') break;
      if (state.cancelRequested) {
        cancelled = true;
        break;
      }
      const turn = order.next();
      const work: Promise<void> = this.chunk({ ctx, job, plan, firstLine, turn, clock })
        .catch((e: unknown) => {
          failure ??= e;
        })
        .finally(() => {
          turn.finish();
          inFlight.delete(work);
        });
      inFlight.add(work);
      if (inFlight.size >= width) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure;
    if (this.stopping) return;
    await this.db.run(ctx, async (em) => {
      const [state] = (await em.query(
        `SELECT status, failed, cancel_requested AS "cancelRequested" FROM import_jobs WHERE id = $1 FOR UPDATE`,
        [job.id],
      )) as { status: string; failed: number; cancelRequested: boolean }[];
      if (!state || state.status !== 'running') return;
      if (cancelled || state.cancelRequested) {
        const [left] = (await em.query(`SELECT count(*)::int AS n FROM import_chunks WHERE job_id = $1`, [
          job.id,
        ])) as { n: number }[];
        // A cancel that arrives after the last chunk changes nothing: the job has finished.
        if (left.n > 0) return this.close(em, job.id, 'cancelled', null);
      }
      await this.close(em, job.id, state.failed > 0 ? 'partiallySucceeded' : 'succeeded', null);
    });
  }

  /**
   * One chunk, in one transaction: the chunk's staged lines are taken (deleted: its checkpoint),
   * processed into records, audit and outbox events and row errors, and counted on the job. A
   * deadlock or serialization failure (which would be a bug in the lock order, not the data's
   * fault) retries the chunk a few times before it fails the job.
   */
  private async chunk(work: ChunkWork): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.run(work.ctx, (em) => this.chunkOnce(em, work));
      } catch (e) {
        const code = (e as { code?: unknown })?.code;
        if (attempt >= 3 || (code !== '40P01' && code !== '40001')) throw e;
        this.logger.warn(
          `import ${work.job.id}: chunk at line ${work.firstLine} retried after ${String(code)}`,
        );
      }
    }
  }

  private async chunkOnce(
    em: EntityManager,
    { ctx, job, plan, firstLine, turn, clock }: ChunkWork,
  ): Promise<void> {
    const started = Date.now();
    const [chunk] = returned<{ data: string }>(
      await em.query(`DELETE FROM import_chunks WHERE job_id = $1 AND first_line = $2 RETURNING data`, [
        job.id,
        firstLine,
      ]),
    );
    // Gone: processed by a run of this job that committed it (nothing to do twice).
    if (!chunk) return turn.claim([]);
    const staged = chunkLines(chunk.data);
    if (job.dryRun) await em.query('SAVEPOINT import_dry_run');
    const result = await this.engine.processChunk(
      em,
      ctx,
      plan,
      job.options.header ?? null,
      staged,
      job.id,
      (keys) => turn.claim(keys),
    );
    if (job.dryRun) await em.query('ROLLBACK TO SAVEPOINT import_dry_run');
    await this.saveErrors(em, job.id, result.errors);
    // Time the job was being worked, for rows/s: overlapping chunks count once.
    const now = Date.now();
    const workMs = Math.max(0, now - Math.max(started, clock.accountedUntil));
    clock.accountedUntil = Math.max(clock.accountedUntil, now);
    await em.query(
      `UPDATE import_jobs SET next_line = greatest(next_line, $2), processed = processed + $3, created = created + $4,
              updated = updated + $5, unchanged = unchanged + $6, failed = failed + $7, work_ms = work_ms + $8,
              updated_at = now()
        WHERE id = $1`,
      [
        job.id,
        staged[staged.length - 1].lineNo + 1,
        staged.length,
        result.created,
        result.updated,
        result.unchanged,
        result.failed,
        workMs,
      ],
    );
  }

  private async saveErrors(em: EntityManager, jobId: string, errors: RowError[]): Promise<void> {
    if (errors.length === 0) return;
    const seq = new Map<number, number>();
    const seqs = errors.map((e) => {
      const n = seq.get(e.line) ?? 0;
      seq.set(e.line, n + 1);
      return n;
    });
    await em.query(
      `INSERT INTO import_errors (tenant_id, job_id, line_no, seq, field, code, message, raw)
       SELECT app_tenant_id(), $1::uuid, u.l, u.s, u.f, u.c, u.m, u.r
         FROM unnest($2::int[], $3::smallint[], $4::text[], $5::text[], $6::text[], $7::text[]) AS u(l, s, f, c, m, r)`,
      [
        jobId,
        errors.map((e) => e.line),
        seqs,
        errors.map((e) => e.field),
        errors.map((e) => e.code),
        errors.map((e) => e.message.slice(0, 1000)),
        errors.map((e) => (e.raw === null ? null : e.raw.slice(0, 10000))),
      ],
    );
  }

  /** Ends a job: its final status, and its staged rows and open-job marker go. */
  private async close(em: EntityManager, jobId: string, status: string, error: string | null): Promise<void> {
    await em.query(
      `UPDATE import_jobs SET status = $2, error = $3, finished_at = now(), updated_at = now() WHERE id = $1`,
      [jobId, status, error],
    );
    await em.query(`DELETE FROM import_chunks WHERE job_id = $1`, [jobId]);
    await em.query(`DELETE FROM import_open_jobs WHERE job_id = $1`, [jobId]);
  }

  private finish(tenantId: string, jobId: string, status: string, error: string | null): Promise<void> {
    return this.db.runAsTenant(tenantId, (em) => this.close(em, jobId, status, error));
  }

  private async load(tenantId: string, jobId: string): Promise<ImportJobRow | undefined> {
    const rows: ImportJobRow[] = await this.db.runAsTenant(tenantId, (em) =>
      em.query(`SELECT ${JOB_COLUMNS} FROM import_jobs WHERE id = $1`, [jobId]),
    );
    return rows[0];
  }

  /**
   * The importer's context, rebuilt: a user (or a key or token acting for one) must still be
   * active, and the job holds no more than the user holds now, narrowed as when it was started.
   */
  private async contextOf(job: ImportJobRow): Promise<RequestContext> {
    const p = job.principal;
    let permissions = new Set(p.permissions);
    let principal = {
      type: p.type,
      id: p.id,
      userId: p.userId,
      clientId: p.clientId,
      isAdmin: p.isAdmin,
      roleId: p.roleId,
      teamIds: p.teamIds,
    };
    if (p.type === 'apiKey' || p.type === 'oauthClient') {
      // A key or client revoked (or a key expired) since the upload stops its queued work too.
      const live: unknown[] = await this.db.runAsTenant(job.tenantId, (em) =>
        em.query(
          p.type === 'apiKey'
            ? `SELECT 1 FROM api_keys WHERE id = $1::uuid AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`
            : `SELECT 1 FROM oauth_clients WHERE id = $1::uuid AND revoked_at IS NULL`,
          [p.id],
        ),
      );
      if (live.length === 0)
        throw new DomainError(
          'FORBIDDEN',
          `The ${p.type === 'apiKey' ? 'API key' : 'OAuth client'} that started the import has been revoked or has expired.`,
        );
    }
    if (p.userId) {
      const active = await this.users.activePrincipal(job.tenantId, p.userId);
      if (!active) throw new DomainError('FORBIDDEN', 'The user who started the import is no longer active.');
      const now = narrowByScopes(active.permissions, p.scopes);
      permissions = new Set([...permissions].filter((x) => now.has(x)));
      principal = {
        ...principal,
        isAdmin: active.isAdmin,
        roleId: active.roleId ?? undefined,
        teamIds: active.teamIds,
      };
    }
    return new RequestContext(job.tenantId, principal, 'bulk', `import:${job.id}`, p.scopes, permissions);
  }
}

/** What one chunk's transaction works with. */
interface ChunkWork {
  ctx: RequestContext;
  job: ImportJobRow;
  plan: ReturnType<typeof resolveOptions>;
  /** the chunk's key: its first line */
  firstLine: number;
  turn: ChunkTurn;
  /** until when the job's work time has been counted (overlapping chunks count once) */
  clock: { accountedUntil: number };
}

/** One chunk's place in its job's order of chunks (ChunkOrder). */
export interface ChunkTurn {
  /**
   * Declares the match keys the chunk's rows carry and waits until every earlier chunk that
   * carries one of them has finished (committed or failed): a key's rows then apply in file order
   * even with several chunks in flight. Call once, before the chunk reads the records it matches.
   */
  claim(keys: Iterable<string>): Promise<void>;
  /** The chunk is over (called whatever happened; a chunk that never claimed claims nothing). */
  finish(): void;
}

interface Slot {
  keys: Set<string> | null;
  known: Promise<void>;
  markKnown: () => void;
  done: Promise<void>;
  markDone: () => void;
}

/**
 * The order of a job's chunks in flight: a chunk waits only for the earlier chunks it shares a
 * match key with, and only earlier ones, so the waits cannot form a cycle.
 */
export class ChunkOrder {
  private readonly open: Slot[] = [];

  next(): ChunkTurn {
    const slot = {} as Slot;
    slot.keys = null;
    slot.known = new Promise<void>((r) => (slot.markKnown = r));
    slot.done = new Promise<void>((r) => (slot.markDone = r));
    const earlier = [...this.open];
    this.open.push(slot);
    return {
      claim: async (keys) => {
        slot.keys = new Set(keys);
        slot.markKnown();
        for (const before of earlier) {
          await before.known;
          if (before.keys && intersects(before.keys, slot.keys)) await before.done;
        }
      },
      finish: () => {
        slot.keys ??= new Set();
        slot.markKnown();
        slot.markDone();
        this.open.splice(this.open.indexOf(slot), 1);
      },
    };
  }
}

function intersects(a: Set<string>, b: Set<string>): boolean {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const k of small) if (large.has(k)) return true;
  return false;
}
