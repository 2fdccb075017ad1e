import { createHash } from 'node:crypto';
import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions.js';
import { AppConfig } from '../config/config.js';
import { RequestContext } from '../context/request-context.js';
import { UUID_RE } from './ids.js';

export const APP_ROLE = 'rapport_app';

/** TypeORM keeps these on the query runner; set here because the transaction is opened by hand. */
interface RunnerState {
  isTransactionActive: boolean;
  transactionDepth: number;
  databaseConnection: object;
  releasePostgresConnection(err?: unknown): Promise<void>;
}

/** `app.tenant_id` as each pooled session has it now ('' = none); absent = unknown, set it. */
const pinned = new WeakMap<object, string>();
/** Sessions whose statements are sent as named prepared statements (see prepareStatements). */
const prepared = new WeakSet<object>();

/** Named prepared statements per session at most; beyond it, statements go unnamed (planned each time). */
const MAX_PREPARED_PER_SESSION = 500;

interface PgSession {
  query(config: unknown, values?: unknown, callback?: unknown): unknown;
}

/**
 * Makes a session send parameterised statements as NAMED prepared statements (named by a hash of
 * their text), so Postgres parses each distinct statement once per session and can reuse its
 * plan: a record-level-security predicate joins several RLS-protected tables, and planning it
 * cost more than running it (bench/README.md). Statements without parameters (BEGIN, COMMIT) go
 * as they are. Each session prepares at most MAX_PREPARED_PER_SESSION distinct statements.
 */
function prepareStatements(session: PgSession): void {
  const names = new Set<string>();
  const send = session.query.bind(session);
  session.query = (config: unknown, values?: unknown, callback?: unknown) => {
    if (typeof config === 'string' && Array.isArray(values) && values.length > 0) {
      const name = `r${createHash('sha1').update(config).digest('base64url')}`;
      if (names.has(name) || names.size < MAX_PREPARED_PER_SESSION) {
        names.add(name);
        return send({ name, text: config, values }, callback);
      }
    }
    return send(config, values, callback);
  };
}

/**
 * The only way services reach tenant data. Every statement runs as the unprivileged rapport_app
 * role with `app.tenant_id` pinned, so Postgres RLS confines it to the caller's tenant, whatever
 * SQL runs inside.
 *
 * Tenant work has a pool of its own whose sessions are rapport_app from the start (the role and
 * the statement timeout are startup parameters of the connection), and each session remembers
 * which tenant it is pinned to: a request pins its session only when it last served another
 * tenant. A read is then ONE round trip — the statement itself — where a transaction with
 * `SET LOCAL`s costs four (BEGIN, settings, statement, COMMIT); that fixed cost dominated every
 * short request (bench/README.md, docs/decisions.md #16).
 *
 * Why the pinning is safe:
 * - it is a session-level `set_config(…, false)` sent as its own autocommitted statement, never
 *   inside a transaction (a rolled-back transaction would silently undo it); only after it
 *   succeeded is the session marked as pinned;
 * - a session is used by one request at a time (checked out of the pool), and every checkout
 *   goes through here, which pins before anything else runs;
 * - if anything fails in a way that leaves the session's state in doubt (a failed pin or
 *   ROLLBACK), the session is discarded from the pool, not reused;
 * - with no tenant pinned, `app_tenant_id()` is NULL and the policies match no row.
 *
 * `run` wraps the work in a transaction (writes, and reads that must see one snapshot); `read`
 * runs it in autocommit (single reads: under READ COMMITTED each statement takes its own snapshot
 * inside a transaction too, so a read-only transaction adds nothing but round trips).
 */
@Injectable()
export class TenantDb implements OnModuleInit, OnApplicationShutdown {
  private pool?: DataSource;
  /** Contexts handed out by `inTransaction`: their `run` and `read` calls join its open transaction. */
  private readonly joined = new WeakMap<RequestContext, EntityManager>();

  constructor(
    /** the owner's DataSource: migrations, signing keys, health; never tenant data */
    readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    const owner = this.dataSource.options as PostgresDataSourceOptions;
    const timeout = Math.trunc(this.config.DATABASE_STATEMENT_TIMEOUT_MS);
    this.pool = new DataSource({
      ...owner,
      name: 'rapport-tenant',
      poolSize: this.config.DATABASE_POOL_SIZE,
      installExtensions: false,
      extra: {
        ...(owner.extra as object),
        application_name: 'rapport',
        // statement_timeout bounds any one statement (a pathological filter, a lock wait) so it
        // cannot hold a connection. jit=off: the planner's JIT threshold is met by ordinary list
        // queries over large tables, and compiling costs 100+ ms per execution of a query that
        // runs in a few (bench/README.md) — the usual advice for OLTP workloads.
        options: `-c role=${APP_ROLE} -c statement_timeout=${timeout} -c jit=off -c plan_cache_mode=force_generic_plan`,
      },
    } as PostgresDataSourceOptions);
    await this.pool.initialize();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.pool?.isInitialized) await this.pool.destroy();
  }

  /** The tenant pool (for its gauges in /metrics). */
  get tenantPool(): DataSource | undefined {
    return this.pool;
  }

  /** In a transaction, as the caller's tenant. */
  run<T>(ctx: RequestContext, work: (em: EntityManager) => Promise<T>): Promise<T> {
    const em = this.joined.get(ctx);
    if (em) return work(em);
    return this.session(ctx.tenantId, true, work);
  }

  /** In autocommit, as the caller's tenant: for reads (each statement sees committed data). */
  read<T>(ctx: RequestContext, work: (em: EntityManager) => Promise<T>): Promise<T> {
    const em = this.joined.get(ctx);
    if (em) return work(em);
    return this.session(ctx.tenantId, false, work);
  }

  /**
   * One tenant transaction around several service calls (a lead conversion creating an account, a
   * contact and an opportunity through their services): `work` gets a copy of `ctx` whose every
   * `run` and `read` — in any service, the record layer and the audit writer included — joins this
   * transaction, so the calls see each other's writes and commit or roll back together. Called
   * with such a copy, it joins the transaction already open. Statements on one transaction run one
   * at a time: `work` must not fan out (no Promise.all over service calls).
   */
  inTransaction<T>(
    ctx: RequestContext,
    work: (tx: RequestContext, em: EntityManager) => Promise<T>,
  ): Promise<T> {
    const open = this.joined.get(ctx);
    if (open) return work(ctx, open);
    return this.run(ctx, async (em) => {
      const tx = ctx.withChannel(ctx.channel);
      this.joined.set(tx, em);
      try {
        return await work(tx, em);
      } finally {
        this.joined.delete(tx);
      }
    });
  }

  /**
   * `inTransaction` for a transaction the caller already holds: `em` is a transaction this pool
   * opened through `run` (a bulk job's chunk, say), and `work` gets a copy of `ctx` whose service
   * calls join it, on `channel`. The same one-statement-at-a-time rule applies.
   */
  async joinTransaction<T>(
    ctx: RequestContext,
    em: EntityManager,
    channel: RequestContext['channel'],
    work: (tx: RequestContext) => Promise<T>,
  ): Promise<T> {
    if (!em.queryRunner?.isTransactionActive) throw new Error('joinTransaction needs an open transaction');
    const tx = ctx.withChannel(channel);
    this.joined.set(tx, em);
    try {
      return await work(tx);
    } finally {
      this.joined.delete(tx);
    }
  }

  runAsTenant<T>(tenantId: string, work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.session(tenantId, true, work);
  }

  /** As rapport_app with no tenant: only the non-tenant tables (the sign-in directory) answer. */
  runWithoutTenant<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.session('', true, work);
  }

  private async session<T>(
    tenantId: string,
    transactional: boolean,
    work: (em: EntityManager) => Promise<T>,
  ): Promise<T> {
    if (!this.pool) throw new Error('TenantDb used before the module was initialised');
    // A tenant id reaches here from a verified token or the database; anything else is a bug.
    if (tenantId !== '' && !UUID_RE.test(tenantId)) throw new Error('TenantDb: the tenant id is not a UUID');
    const runner = this.pool.createQueryRunner();
    const state = runner as unknown as RunnerState;
    let discard: unknown;
    let inTransaction = false;
    try {
      await runner.connect();
      const session = state.databaseConnection;
      if (!pinned.has(session) && !prepared.has(session)) {
        prepareStatements(session as PgSession);
        prepared.add(session);
      }
      if (pinned.get(session) !== tenantId) {
        pinned.delete(session);
        try {
          await runner.query(`SELECT set_config('app.tenant_id', $1, false)`, [tenantId]);
        } catch (e) {
          discard = e;
          throw e;
        }
        pinned.set(session, tenantId);
      }
      if (!transactional) return await work(runner.manager);
      await runner.query('BEGIN');
      inTransaction = true;
      state.isTransactionActive = true;
      state.transactionDepth = 1;
      const result = await work(runner.manager);
      await runner.query('COMMIT');
      return result;
    } catch (e) {
      // Whatever failed (the work or the COMMIT), end any transaction still open; after a failed
      // COMMIT Postgres has ended it already and ROLLBACK only warns. A session that cannot even
      // roll back is in an unknown state: the pool drops it rather than hand it out again.
      if (inTransaction) await runner.query('ROLLBACK').catch((err: unknown) => (discard = err));
      throw e;
    } finally {
      state.isTransactionActive = false;
      state.transactionDepth = 0;
      await state.releasePostgresConnection(discard);
    }
  }
}
