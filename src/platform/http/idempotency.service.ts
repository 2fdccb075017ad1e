import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/config.js';
import { RequestContext } from '../context/request-context.js';
import { TenantDb } from '../database/tenant-db.js';
import { JobsService } from '../jobs/jobs.service.js';
import { DomainError } from './domain-error.js';

/** What identifies one use of a key: the request it was first sent with. */
export interface IdempotentRequest {
  /** the Idempotency-Key header value (check it with `parseIdempotencyKey`) */
  key: string;
  method: string;
  /** the request path with its query string */
  path: string;
  /** hex sha256 of the request (`fingerprintOf`, or one an endpoint computes itself) */
  fingerprint: string;
}

/** The response a completed key replays. */
export interface StoredResponse {
  status: number;
  /** lower-case names; only REPLAYED_HEADERS */
  headers: Record<string, string>;
  body: Buffer;
}

export type BeginResult = { state: 'started' } | { state: 'replay'; response: StoredResponse };

/** Headers a replay repeats (the others — request id, rate limits — belong to the new request). */
export const REPLAYED_HEADERS = ['location', 'etag', 'content-type'] as const;

/** An in-progress key older than this is taken to be from a request that died (crash, lost socket) and may be claimed again. */
export const IN_PROGRESS_LEASE_SECONDS = 300;

/** Seconds a client is told to wait (Retry-After) when its key is in use. */
export const IN_USE_RETRY_AFTER_SECONDS = 1;

const PURGE_BATCH = 5000;

/** Canonical JSON: object keys sorted at every level, so `{a,b}` and `{b,a}` are the same request. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return '';
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

/** sha256 over the method, the path (with query) and the canonical JSON body (or `extra`, e.g. an upload's own hash). */
export function fingerprintOf(method: string, path: string, body?: unknown, extra = ''): string {
  return createHash('sha256')
    .update(`${method.toUpperCase()}\n${path}\n${canonicalJson(body)}\n${extra}`)
    .digest('hex');
}

interface KeyRow {
  fingerprint: string;
  state: 'in_progress' | 'completed';
  status: number | null;
  headers: Record<string, string>;
  body: Buffer | null;
}

/**
 * Idempotency keys (DESIGN §9): claim a key before running a POST, store its response after, and
 * replay it to a retry. The HTTP layer (IdempotencyInterceptor) does this for every authenticated
 * POST with a JSON body; an endpoint that streams its body (imports) calls it itself:
 *
 * ```ts
 * const started = await idempotency.begin(ctx, { key, method, path, fingerprint });
 * if (started.state === 'replay') return replayResponse(reply, started.response);
 * try { …; await idempotency.complete(ctx, key, { status, headers, body }); }
 * catch (e) { 5xx → await idempotency.abandon(ctx, key); 4xx → complete with the problem }
 * ```
 * Every statement is its own short transaction, never the request's.
 */
@Injectable()
export class IdempotencyService {
  private readonly logger = new Logger('idempotency');

  constructor(
    private readonly db: TenantDb,
    private readonly config: AppConfig,
    jobs: JobsService,
  ) {
    jobs.register({
      name: 'idempotency.purge',
      cron: '17 * * * *',
      retryLimit: 1,
      handler: async () => {
        const purged = await this.purgeExpired();
        if (purged > 0) this.logger.log(`purged ${purged} expired idempotency keys`);
      },
    });
  }

  /**
   * Claims `req.key` for the caller, or tells what became of it: `started` (run the request, then
   * `complete` or `abandon`), `replay` (send the stored response). Throws IDEMPOTENCY_KEY_REUSED
   * (422) when the key was used with a different request, IDEMPOTENCY_KEY_IN_USE (409) while that
   * request is still running. An expired key, or an in-progress one past its lease, is claimed anew.
   */
  async begin(ctx: RequestContext, req: IdempotentRequest, attempt = 1): Promise<BeginResult> {
    const { type, id } = ctx.principal;
    const claimed: unknown[] = await this.db.run(ctx, (em) =>
      em.query(
        `INSERT INTO idempotency_keys AS k (tenant_id, principal_type, principal_id, key, method, path, fingerprint, state, expires_at)
         VALUES (app_tenant_id(), $1, $2, $3, $4, $5, $6, 'in_progress', now() + make_interval(hours => $7::int))
         ON CONFLICT (tenant_id, principal_type, principal_id, key) DO UPDATE
           SET method = EXCLUDED.method, path = EXCLUDED.path, fingerprint = EXCLUDED.fingerprint,
               state = 'in_progress', response_status = NULL, response_headers = '{}'::jsonb,
               response_body = NULL, created_at = now(), completed_at = NULL, expires_at = EXCLUDED.expires_at
           WHERE k.expires_at <= now()
              OR (k.state = 'in_progress' AND k.created_at <= now() - make_interval(secs => $8::int))
         RETURNING 1`,
        [
          type,
          id,
          req.key,
          req.method,
          req.path,
          req.fingerprint,
          this.config.IDEMPOTENCY_TTL_HOURS,
          IN_PROGRESS_LEASE_SECONDS,
        ],
      ),
    );
    if (claimed.length > 0) return { state: 'started' };
    const rows: KeyRow[] = await this.db.read(ctx, (em) =>
      em.query(
        `SELECT fingerprint, state, response_status AS status, response_headers AS headers, response_body AS body
           FROM idempotency_keys
          WHERE tenant_id = app_tenant_id() AND principal_type = $1 AND principal_id = $2 AND key = $3`,
        [type, id, req.key],
      ),
    );
    const row = rows[0];
    // Gone between the two statements (its request failed and abandoned it): claim it again.
    if (!row) {
      if (attempt < 3) return this.begin(ctx, req, attempt + 1);
      throw new DomainError('IDEMPOTENCY_KEY_IN_USE', 'This Idempotency-Key is busy; retry shortly.');
    }
    if (row.fingerprint !== req.fingerprint)
      throw new DomainError(
        'IDEMPOTENCY_KEY_REUSED',
        'This Idempotency-Key was already used with a different request (method, path or body); use a new key for a new request.',
        [{ field: 'Idempotency-Key', code: 'reused', message: 'the key belongs to another request' }],
      );
    if (row.state === 'in_progress' || row.status === null)
      throw new DomainError(
        'IDEMPOTENCY_KEY_IN_USE',
        'A request with this Idempotency-Key is still being processed; retry after it has finished.',
        [{ field: 'Idempotency-Key', code: 'in_use', message: 'the first request is still running' }],
      );
    return {
      state: 'replay',
      response: { status: row.status, headers: row.headers ?? {}, body: row.body ?? Buffer.alloc(0) },
    };
  }

  /** Stores the response of a claimed key; from now on a retry replays it. */
  async complete(ctx: RequestContext, key: string, response: StoredResponse): Promise<void> {
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = response.headers[name];
      if (value !== undefined) headers[name] = value;
    }
    await this.db.run(ctx, (em) =>
      em.query(
        `UPDATE idempotency_keys SET state = 'completed', response_status = $4, response_headers = $5::jsonb,
                response_body = $6, completed_at = now()
          WHERE tenant_id = app_tenant_id() AND principal_type = $1 AND principal_id = $2 AND key = $3
            AND state = 'in_progress'`,
        [ctx.principal.type, ctx.principal.id, key, response.status, JSON.stringify(headers), response.body],
      ),
    );
  }

  /** Forgets a claimed key whose request failed on our side (5xx), so that a retry runs again. */
  async abandon(ctx: RequestContext, key: string): Promise<void> {
    await this.db.run(ctx, (em) =>
      em.query(
        `DELETE FROM idempotency_keys
          WHERE tenant_id = app_tenant_id() AND principal_type = $1 AND principal_id = $2 AND key = $3
            AND state = 'in_progress'`,
        [ctx.principal.type, ctx.principal.id, key],
      ),
    );
  }

  /** Deletes expired keys of every tenant (the hourly job); returns how many. */
  async purgeExpired(now: Date = new Date()): Promise<number> {
    let total = 0;
    for (;;) {
      const rows: { n: number }[] = await this.db.runWithoutTenant((em) =>
        em.query(`SELECT purge_expired_idempotency_keys($1, $2) AS n`, [now, PURGE_BATCH]),
      );
      const n = Number(rows[0]?.n ?? 0);
      total += n;
      if (n < PURGE_BATCH) return total;
    }
  }
}
