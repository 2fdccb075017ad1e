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
  canonicalJson,
  chainTimestamp,
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
    const actorId = clip(actor.actorId) ?? 'unknown';
    const userId = actor.userId && UUID_RE.test(actor.userId) ? actor.userId : null;
    const clientId = clip(actor.clientId);
    const requestId = clip(actor.requestId);
    // The canonical JSON of an event (canonicalJson of a ChainedEvent: keys sorted, no
    // whitespace), built by concatenation: the parts shared by every event of the call once, and
    // changes/details serialised once — the same text is hashed and stored (as jsonb).
    const shared = {
      actor: `"actorId":${JSON.stringify(actorId)},"actorType":${JSON.stringify(actor.actorType)},"chain":${chain},`,
      channel: `"channel":${JSON.stringify(actor.channel)},"clientId":${str(clientId)},`,
      occurred: `"occurredAt":"${occurredAt}",`,
      tail: `"tenantId":${JSON.stringify(actor.tenantId)},"userId":${str(userId)}}`,
      request: `"requestId":${str(requestId)},`,
    };
    let prevHash = head.hash;
    let seq = head.seq;
    const n = events.length;
    const ids = new Array<string>(n);
    const objects = new Array<string | null>(n);
    const recordIds = new Array<string | null>(n);
    const actions = new Array<string>(n);
    const outcomes = new Array<string>(n);
    const subjectKeys = new Array<string | null>(n);
    const prevHashes = new Array<string>(n);
    const hashes = new Array<string>(n);
    const changes = new Array<string>(n);
    const details = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      const e = events[i];
      seq++;
      const id = newId();
      const object = e.object ?? null;
      const recordId = e.recordId ?? null;
      const outcome = e.outcome ?? 'success';
      const subjectKeyId = e.subjectKeyId ?? null;
      const c = e.changesJson ?? (e.changes ? canonical(e.changes) : 'null');
      const d = e.details ? canonical(e.details) : 'null';
      const text =
        `{"action":${JSON.stringify(e.action)},${shared.actor}"changes":${c},${shared.channel}"details":${d},` +
        `"id":"${id}","object":${str(object)},${shared.occurred}"outcome":${JSON.stringify(outcome)},` +
        `"prevHash":"${prevHash}","recordId":${str(recordId)},${shared.request}"seq":${seq},` +
        `"subjectKeyId":${str(subjectKeyId)},${shared.tail}`;
      const hash = createHash('sha256').update(`${prevHash}\n${text}`, 'utf8').digest('hex');
      ids[i] = id;
      objects[i] = object;
      recordIds[i] = recordId;
      actions[i] = e.action;
      outcomes[i] = outcome;
      subjectKeys[i] = subjectKeyId;
      prevHashes[i] = prevHash;
      hashes[i] = hash;
      changes[i] = c;
      details[i] = d;
      prevHash = hash;
    }
    // One statement whose text never changes (TenantDb prepares statements by their text): the
    // per-event columns as JSON arrays (JSON.stringify is native and makes one string, where pg's
    // array literals escape element by element), zipped by ROWS FROM.
    await em.query(
      `WITH head AS (
         UPDATE audit_chain_heads SET seq = $1, hash = $2, updated_at = now()
          WHERE tenant_id = app_tenant_id() AND chain = $3
       )
       INSERT INTO audit_events (tenant_id, id, occurred_at, actor_type, actor_id, user_id, client_id, channel,
         request_id, object, record_id, action, outcome, changes, details, subject_key_id, chain, seq, prev_hash, hash)
       SELECT $4::uuid, u.id::uuid, $5::timestamptz, $6, $7, $8::uuid, $9, $10, $11, u.object, u.record_id::uuid,
              u.action, u.outcome, NULLIF(u.changes, 'null'::jsonb), NULLIF(u.details, 'null'::jsonb),
              u.subject_key_id::uuid,
              $3::smallint, $12::bigint + u.n, u.prev_hash, u.hash
         FROM ROWS FROM (json_array_elements_text($13::json), json_array_elements_text($14::json),
                         json_array_elements_text($15::json), json_array_elements_text($16::json),
                         json_array_elements_text($17::json), jsonb_array_elements($18::jsonb),
                         jsonb_array_elements($19::jsonb), json_array_elements_text($20::json),
                         json_array_elements_text($21::json), json_array_elements_text($22::json))
              WITH ORDINALITY AS u(id, object, record_id, action, outcome, changes, details, subject_key_id,
                                   prev_hash, hash, n)`,
      [
        seq,
        prevHash,
        chain,
        actor.tenantId,
        occurredAt,
        actor.actorType,
        actorId,
        userId,
        clientId,
        actor.channel,
        requestId,
        head.seq,
        JSON.stringify(ids),
        JSON.stringify(objects),
        JSON.stringify(recordIds),
        JSON.stringify(actions),
        JSON.stringify(outcomes),
        `[${changes.join(',')}]`,
        `[${details.join(',')}]`,
        JSON.stringify(subjectKeys),
        JSON.stringify(prevHashes),
        JSON.stringify(hashes),
      ],
    );
    return ids;
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

/** A nullable string as JSON. */
function str(value: string | null): string {
  return value === null ? 'null' : JSON.stringify(value);
}

/**
 * canonicalJson(jsonValue(value)) without the JSON round trip: plain objects (keys sorted),
 * arrays, strings, numbers, booleans, null and Dates (ISO strings) directly; anything else (a
 * class instance with its own toJSON) through the round trip, as before.
 */
export function canonical(value: unknown): string {
  // Already in canonical key order (bulk writers build their changes so): JSON.stringify gives
  // the same text natively, with one string allocated instead of one per value.
  if (inCanonicalOrder(value)) return JSON.stringify(value) ?? 'null';
  return reorder(value);
}

/** Whether JSON.stringify(value) is its canonical JSON: plain objects with sorted keys all the way down. */
function inCanonicalOrder(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (Array.isArray(value)) {
    for (const v of value) if (!inCanonicalOrder(v)) return false;
    return true;
  }
  if (value instanceof Date) return true;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  let last: string | undefined;
  for (const k in value) {
    if (last !== undefined && !(last < k)) return false;
    last = k;
    if (!inCanonicalOrder((value as Record<string, unknown>)[k])) return false;
  }
  return true;
}

function reorder(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
    case 'number':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return canonicalJson(jsonValue(value));
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      out += (i ? ',' : '') + (typeof v === 'function' || typeof v === 'symbol' ? 'null' : reorder(v));
    }
    return `${out}]`;
  }
  if (value instanceof Date) return JSON.stringify(value) ?? 'null';
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return canonicalJson(jsonValue(value));
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o);
  // Insertion sort in place (a record's keys are few): Array#sort allocates per call, and this
  // runs for every object of every event — it was a third of an import's garbage.
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i];
    let j = i - 1;
    while (j >= 0 && keys[j] > k) {
      keys[j + 1] = keys[j];
      j--;
    }
    keys[j + 1] = k;
  }
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = o[k];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    out += `${first ? '' : ','}${quotedKey(k)}:${reorder(v)}`;
    first = false;
  }
  return `${out}}`;
}

/** Object keys as JSON strings, cached: the same few field names recur in every event. */
const QUOTED = new Map<string, string>();
function quotedKey(k: string): string {
  let q = QUOTED.get(k);
  if (q === undefined) {
    q = JSON.stringify(k);
    if (QUOTED.size < 10_000) QUOTED.set(k, q);
  }
  return q;
}
