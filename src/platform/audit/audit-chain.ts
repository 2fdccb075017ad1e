/**
 * The audit hash chains (migrations/0005_audit.sql, docs/audit.md): canonical JSON, the event
 * hash, and the verification walk. No Nest or TypeORM here: `npm run audit:verify` uses it over
 * a bare pg client, the API over a tenant transaction.
 */
import { createHash } from 'node:crypto';

/** Chains (stripes) per tenant. Verification walks whatever chains exist, so this may change. */
export const AUDIT_CHAINS = 8;

/** prev_hash of the first event of a chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** Events read per statement while verifying. */
const VERIFY_BATCH = 1000;

/**
 * JSON with object keys sorted (recursively) and no whitespace: the same value always gives the
 * same text, whatever order its keys were built or stored in (jsonb reorders them). `undefined`
 * properties are dropped as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    return text === undefined ? 'null' : text;
  }
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** A timestamp as the chain hashes it: UTC, microseconds, e.g. `2026-01-02T03:04:05.678000Z`. */
export function chainTimestamp(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** The SQL rendering of a timestamptz column that matches chainTimestamp() (exact to the microsecond). */
export const chainTimestampSql = (column = 'occurred_at'): string =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** Everything an event's hash covers: every column but `hash`, as stored. */
export interface ChainedEvent {
  tenantId: string;
  id: string;
  occurredAt: string;
  actorType: string;
  actorId: string;
  userId: string | null;
  clientId: string | null;
  channel: string;
  requestId: string | null;
  object: string | null;
  recordId: string | null;
  action: string;
  outcome: string;
  changes: unknown;
  details: unknown;
  subjectKeyId: string | null;
  chain: number;
  seq: number;
  prevHash: string;
}

export function eventHash(event: ChainedEvent): string {
  return createHash('sha256')
    .update(`${event.prevHash}\n${canonicalJson(event)}`, 'utf8')
    .digest('hex');
}

/** The stripe for a key (record id, else actor id): stable, spread evenly over AUDIT_CHAINS. */
export function chainFor(key: string): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0) % AUDIT_CHAINS;
}

// ------------------------------------------------------------------------------- verification

/** Runs one parameterised statement in a transaction where app.tenant_id is the tenant's. */
export type TenantQuery = <T>(sql: string, params: unknown[]) => Promise<T[]>;

export interface VerifyResult {
  ok: boolean;
  /** events whose hash was checked */
  checked: number;
  /** chains walked */
  chains: number;
  /** the first event that fails (lowest seq of the first bad chain) */
  firstBadEventId?: string;
  /** the chain it is on */
  badChain?: number;
  /** what is wrong, for a human */
  reason?: string;
}

interface EventRow {
  id: string;
  tenant_id: string;
  occurred_at: string;
  actor_type: string;
  actor_id: string;
  user_id: string | null;
  client_id: string | null;
  channel: string;
  request_id: string | null;
  object: string | null;
  record_id: string | null;
  action: string;
  outcome: string;
  changes: unknown;
  details: unknown;
  subject_key_id: string | null;
  chain: number;
  seq: string;
  prev_hash: string;
  hash: string;
}

/**
 * Walks every chain of the tenant the query is pinned to. Runs in READ COMMITTED beside live
 * writers: per chain it reads the highest event seq, then the head (a later snapshot), then walks
 * the events up to the head's seq. An event and its head move in one transaction, so a committed
 * event is never beyond the head read after it; one that is was inserted by hand. Events
 * appended while the walk runs are beyond the head it read and are left for the next run.
 */
export async function verifyTenantChains(query: TenantQuery): Promise<VerifyResult> {
  const found = await query<{ chain: number }>(
    `SELECT chain FROM audit_chain_heads WHERE tenant_id = app_tenant_id()
     UNION SELECT DISTINCT chain FROM audit_events WHERE tenant_id = app_tenant_id()
     ORDER BY chain`,
    [],
  );
  const chains = found.map((c) => Number(c.chain));
  let checked = 0;
  const fail = (chain: number, id: string | undefined, reason: string): VerifyResult => ({
    ok: false,
    checked,
    chains: chains.length,
    ...(id ? { firstBadEventId: id } : {}),
    badChain: chain,
    reason: `chain ${chain}: ${reason}`,
  });
  for (const chain of chains) {
    const [top] = await query<{ seq: string | null }>(
      `SELECT max(seq)::text AS seq FROM audit_events WHERE tenant_id = app_tenant_id() AND chain = $1`,
      [chain],
    );
    const [head] = await query<{ seq: string; hash: string }>(
      `SELECT seq::text AS seq, hash FROM audit_chain_heads WHERE tenant_id = app_tenant_id() AND chain = $1`,
      [chain],
    );
    const headSeq = head ? Number(head.seq) : 0;
    if (top?.seq !== null && top?.seq !== undefined && Number(top.seq) > headSeq) {
      const [beyond] = await query<{ id: string }>(
        `SELECT id FROM audit_events WHERE tenant_id = app_tenant_id() AND chain = $1 AND seq > $2 ORDER BY seq LIMIT 1`,
        [chain, headSeq],
      );
      return fail(
        chain,
        beyond?.id,
        head
          ? `events beyond the head (seq ${head.seq}) were inserted outside the service`
          : 'events without a head',
      );
    }
    let prevHash = GENESIS_HASH;
    let expectedSeq = 1;
    let lastId: string | undefined;
    while (expectedSeq <= headSeq) {
      const rows = await query<EventRow>(
        `SELECT id, tenant_id, ${chainTimestampSql()} AS occurred_at, actor_type, actor_id, user_id, client_id,
                channel, request_id, object, record_id, action, outcome, changes, details, subject_key_id,
                chain, seq::text AS seq, prev_hash, hash
           FROM audit_events e
          WHERE e.tenant_id = app_tenant_id() AND e.chain = $1 AND e.seq >= $2 AND e.seq <= $3
          ORDER BY e.seq
          LIMIT ${VERIFY_BATCH}`,
        [chain, expectedSeq, headSeq],
      );
      for (const row of rows) {
        if (Number(row.seq) !== expectedSeq)
          return fail(chain, row.id, `seq ${row.seq} follows seq ${expectedSeq - 1} (events deleted)`);
        if (row.prev_hash !== prevHash)
          return fail(chain, row.id, `seq ${row.seq} does not link to the previous event's hash`);
        checked++;
        if (eventHash(toChained(row)) !== row.hash)
          return fail(chain, row.id, `seq ${row.seq} was altered (its hash does not recompute)`);
        prevHash = row.hash;
        expectedSeq++;
        lastId = row.id;
      }
      if (rows.length < VERIFY_BATCH) break;
    }
    if (expectedSeq - 1 !== headSeq || (head && prevHash !== head.hash))
      return fail(
        chain,
        lastId,
        `the head is at seq ${headSeq} but the events end at seq ${expectedSeq - 1} (events deleted, or the head altered)`,
      );
  }
  return { ok: true, checked, chains: chains.length };
}

function toChained(row: EventRow): ChainedEvent {
  return {
    tenantId: row.tenant_id,
    id: row.id,
    occurredAt: row.occurred_at,
    actorType: row.actor_type,
    actorId: row.actor_id,
    userId: row.user_id,
    clientId: row.client_id,
    channel: row.channel,
    requestId: row.request_id,
    object: row.object,
    recordId: row.record_id,
    action: row.action,
    outcome: row.outcome,
    changes: row.changes,
    details: row.details,
    subjectKeyId: row.subject_key_id,
    chain: Number(row.chain),
    seq: Number(row.seq),
    prevHash: row.prev_hash,
  };
}
