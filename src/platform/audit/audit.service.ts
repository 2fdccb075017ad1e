import { ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { decodeJwt } from 'jose';
import { createHash } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { parseClientId } from '../auth/credentials.js';
import { requestOf } from '../context/ctx.decorator.js';
import { RequestContext } from '../context/request-context.js';
import { newId, UUID_RE } from '../database/ids.js';
import { TenantDb } from '../database/tenant-db.js';
import {
  chainFor,
  chainTimestamp,
  ChainedEvent,
  eventHash,
  GENESIS_HASH,
  verifyTenantChains,
  VerifyResult,
} from './audit-chain.js';
import type { AuditActor, AuditEventInput } from './audit.types.js';
import { jsonValue } from './record-diff.js';
import { describeAttempt } from './refusal.js';

const ACTION_RE = /^[a-z][a-z_]{0,39}$/;
const MAX_TEXT = 200;

/** The actor columns of an event made by the caller of a request. */
export function actorOf(ctx: RequestContext): AuditActor {
  const p = ctx.principal;
  return {
    tenantId: ctx.tenantId,
    actorType: p.type,
    actorId: p.id,
    userId: p.userId ?? null,
    clientId: p.clientId ?? null,
    channel: ctx.channel,
    requestId: ctx.requestId,
  };
}

/**
 * Writes audit events into the tenant's hash chains (migrations/0005_audit.sql, docs/audit.md)
 * and verifies them.
 *
 * `record(em, ctx, event)` runs inside the caller's transaction, so the event commits or rolls
 * back with the change it describes. The few events that have no transaction of their own to
 * join (a refused attempt, whose work rolled back; a failed sign-in) use the `…InOwnTransaction`
 * forms.
 */
@Injectable()
export class AuditService {
  private readonly logger = new Logger('audit');
  /** The chain each open transaction locked first; its later events go on the same chain. */
  private readonly chainOfTransaction = new WeakMap<EntityManager, number>();

  constructor(private readonly db: TenantDb) {}

  /** Records one event of the request's caller in the caller's transaction; returns its id. */
  async record(em: EntityManager, ctx: RequestContext, event: AuditEventInput): Promise<string> {
    const [id] = await this.recordMany(em, actorOf(ctx), [event]);
    return id;
  }

  /** Records events by an explicit actor (sign-in, where no RequestContext exists yet). */
  async recordAs(em: EntityManager, actor: AuditActor, event: AuditEventInput): Promise<string> {
    const [id] = await this.recordMany(em, actor, [event]);
    return id;
  }

  /**
   * Several events in one statement, on one chain (bulk writes: call once, at the end of the
   * transaction, so the chain's head is locked for the shortest time).
   */
  async recordMany(em: EntityManager, actor: AuditActor, events: AuditEventInput[]): Promise<string[]> {
    if (events.length === 0) return [];
    for (const e of events) validate(e);
    const chain =
      this.chainOfTransaction.get(em) ??
      chainFor(events[0].recordId ?? `${actor.actorType}:${actor.actorId}`);
    const head = await this.lockHead(em, chain);
    this.chainOfTransaction.set(em, chain);
    const occurredAt = chainTimestamp(new Date());
    let prevHash = head.hash;
    let seq = head.seq;
    const rows: { r: ChainedEvent; hash: string }[] = [];
    for (const e of events) {
      seq++;
      const row: ChainedEvent = {
        tenantId: actor.tenantId,
        id: newId(),
        occurredAt,
        actorType: actor.actorType,
        actorId: clip(actor.actorId) ?? 'unknown',
        userId: actor.userId && UUID_RE.test(actor.userId) ? actor.userId : null,
        clientId: clip(actor.clientId),
        channel: actor.channel,
        requestId: clip(actor.requestId),
        object: e.object ?? null,
        recordId: e.recordId ?? null,
        action: e.action,
        outcome: e.outcome ?? 'success',
        changes: e.changes ? jsonValue(e.changes) : null,
        details: e.details ? jsonValue(e.details) : null,
        subjectKeyId: e.subjectKeyId ?? null,
        chain,
        seq,
        prevHash,
      };
      prevHash = eventHash(row);
      rows.push({ r: row, hash: prevHash });
    }
    const params: unknown[] = [seq, prevHash, chain];
    const values = rows.map(({ r, hash }) => {
      const p = (v: unknown) => {
        params.push(v);
        return `$${params.length}`;
      };
      return `(${p(r.tenantId)}::uuid, ${p(r.id)}::uuid, ${p(r.occurredAt)}::timestamptz, ${p(r.actorType)}, ${p(r.actorId)}, ${p(r.userId)}::uuid, ${p(r.clientId)}, ${p(r.channel)}, ${p(r.requestId)}, ${p(r.object)}, ${p(r.recordId)}::uuid, ${p(r.action)}, ${p(r.outcome)}, ${p(json(r.changes))}::jsonb, ${p(json(r.details))}::jsonb, ${p(r.subjectKeyId)}::uuid, ${p(r.chain)}::smallint, ${p(r.seq)}::bigint, ${p(r.prevHash)}, ${p(hash)})`;
    });
    await em.query(
      `WITH head AS (
         UPDATE audit_chain_heads SET seq = $1, hash = $2, updated_at = now()
          WHERE tenant_id = app_tenant_id() AND chain = $3
       )
       INSERT INTO audit_events (tenant_id, id, occurred_at, actor_type, actor_id, user_id, client_id, channel,
         request_id, object, record_id, action, outcome, changes, details, subject_key_id, chain, seq, prev_hash, hash)
       VALUES ${values.join(', ')}`,
      params,
    );
    return rows.map(({ r }) => r.id);
  }

  /**
   * An attempt that was refused (403): its own transaction, since the attempt's rolled back.
   * Never throws — a failure to audit a refusal is logged and the refusal stands.
   */
  async recordDenied(ctx: RequestContext, event: Omit<AuditEventInput, 'outcome' | 'action'>): Promise<void> {
    try {
      await this.db.run(ctx, (em) => this.record(em, ctx, { ...event, action: 'denied', outcome: 'denied' }));
    } catch (e) {
      this.logger.error(`could not audit a denied attempt: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /**
   * A refusal (403) of the request behind `context`, described from its route or GraphQL field:
   * for guards, which run before the AuditInterceptor sees anything. Never throws; a request
   * without a tenant context (unauthenticated) is not recorded.
   */
  async recordRefusal(context: ExecutionContext, error: unknown): Promise<void> {
    const ctx = requestOf(context).rapportCtx;
    if (!ctx) return;
    await this.recordDenied(ctx, describeAttempt(context, error));
  }

  /** An event with no transaction to join (a token grant after the fact), in a tenant transaction of its own. */
  recordInOwnTransaction(actor: AuditActor, event: AuditEventInput): Promise<string> {
    return this.db.runAsTenant(actor.tenantId, (em) => this.recordAs(em, actor, event));
  }

  /**
   * A failed password sign-in. A known email is recorded in its user's tenant (actor = that user,
   * outcome failure). An unknown email belongs to no tenant: it is not in any tenant's trail, only
   * in the service log, as a hash prefix (strangers' typing is not stored). Never throws.
   */
  async recordLoginFailed(email: string, requestId: string | undefined, reason: string): Promise<void> {
    try {
      const normalized = email.trim().toLowerCase();
      const entry =
        normalized.length > 0 && normalized.length <= 320
          ? await this.db.runWithoutTenant(async (em) => {
              const rows: { tenantId: string; userId: string }[] = await em.query(
                'SELECT tenant_id AS "tenantId", user_id AS "userId" FROM sign_in_lookup($1)',
                [normalized],
              );
              return rows[0];
            })
          : undefined;
      if (!entry) {
        const tag = createHash('sha256').update(normalized).digest('hex').slice(0, 12);
        this.logger.warn(`failed sign-in for an unknown email (sha256 ${tag}…), request ${requestId ?? '?'}`);
        return;
      }
      await this.recordInOwnTransaction(
        {
          tenantId: entry.tenantId,
          actorType: 'user',
          actorId: entry.userId,
          userId: entry.userId,
          channel: 'rest',
          requestId,
        },
        {
          action: 'login_failed',
          outcome: 'failure',
          object: 'user',
          recordId: entry.userId,
          details: { grantType: 'password', reason },
        },
      );
    } catch (e) {
      this.logger.error(`could not audit a failed sign-in: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /**
   * A successful sign-in (password grant), in the transaction that issues its tokens: actor and
   * record are the user; details keep the grant type and the scope asked for.
   */
  recordLogin(
    em: EntityManager,
    login: { tenantId: string; userId: string; scope: string; requestId?: string },
  ): Promise<string> {
    return this.recordAs(
      em,
      {
        tenantId: login.tenantId,
        actorType: 'user',
        actorId: login.userId,
        userId: login.userId,
        channel: 'rest',
        requestId: login.requestId,
      },
      {
        action: 'login',
        object: 'user',
        recordId: login.userId,
        details: { grantType: 'password', scope: login.scope },
      },
    );
  }

  /**
   * A token issued by the refresh_token or client_credentials grant, read back from the access
   * token's own claims (tid, sub, ptyp, client_id, scope), in a transaction of its own after the
   * grant. Never throws: the token is already issued.
   */
  async recordTokenGrant(accessToken: string, grantType: string, requestId?: string): Promise<void> {
    try {
      const claims = decodeJwt(accessToken) as {
        tid?: unknown;
        sub?: unknown;
        ptyp?: unknown;
        client_id?: unknown;
        scope?: unknown;
      };
      if (typeof claims.tid !== 'string' || typeof claims.sub !== 'string') return;
      const isClient = claims.ptyp === 'client';
      // A client token's sub is the client_id; the principal (and record) id is the client's UUID.
      const actorId = isClient ? (parseClientId(claims.sub)?.id ?? claims.sub) : claims.sub;
      await this.recordInOwnTransaction(
        {
          tenantId: claims.tid,
          actorType: isClient ? 'oauthClient' : 'user',
          actorId,
          userId: isClient ? null : claims.sub,
          clientId: typeof claims.client_id === 'string' ? claims.client_id : null,
          channel: 'rest',
          requestId,
        },
        {
          action: 'token_granted',
          object: isClient ? 'oauthClient' : 'user',
          recordId: UUID_RE.test(actorId) ? actorId : null,
          details: { grantType, scope: typeof claims.scope === 'string' ? claims.scope : '' },
        },
      );
    } catch (e) {
      this.logger.error(`could not audit a token grant: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Walks the caller's tenant's chains (no permission check here: callers decide who may). */
  verify(ctx: RequestContext): Promise<VerifyResult> {
    return this.db.run(ctx, (em) => verifyTenantChains((sql, params) => em.query(sql, params)));
  }

  /** Locks the chain's head row for this transaction, creating it on first use. */
  private async lockHead(em: EntityManager, chain: number): Promise<{ seq: number; hash: string }> {
    const select = `SELECT seq::text AS seq, hash FROM audit_chain_heads WHERE tenant_id = app_tenant_id() AND chain = $1 FOR UPDATE`;
    let rows: { seq: string; hash: string }[] = await em.query(select, [chain]);
    if (rows.length === 0) {
      await em.query(
        `INSERT INTO audit_chain_heads (tenant_id, chain, seq, hash) VALUES (app_tenant_id(), $1, 0, $2)
         ON CONFLICT (tenant_id, chain) DO NOTHING`,
        [chain, GENESIS_HASH],
      );
      rows = await em.query(select, [chain]);
    }
    if (rows.length === 0) throw new Error(`audit chain ${chain} has no head and none could be made`);
    return { seq: Number(rows[0].seq), hash: rows[0].hash };
  }
}

function validate(e: AuditEventInput): void {
  if (!ACTION_RE.test(e.action)) throw new Error(`audit: action "${e.action}" is not lower_snake`);
  if (e.recordId != null && !UUID_RE.test(e.recordId))
    throw new Error(`audit: recordId "${e.recordId}" is not a UUID`);
  if (e.subjectKeyId != null && !UUID_RE.test(e.subjectKeyId))
    throw new Error('audit: subjectKeyId is not a UUID');
}

function clip(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return value.length > MAX_TEXT ? value.slice(0, MAX_TEXT) : value;
}

function json(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}
