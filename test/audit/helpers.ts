import { TestApp } from '../harness/app.js';
import { superSql } from '../harness/sql.js';

export interface AuditRow {
  id: string;
  tenant_id: string;
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
  changes: Record<string, { before: unknown; after: unknown }> | null;
  details: Record<string, unknown> | null;
  chain: number;
  seq: string;
}

/** The audit events of a record (or of a tenant), oldest first, read as the superuser. */
export function auditRows(
  t: TestApp,
  where: { tenantId?: string; recordId?: string; action?: string; userId?: string },
): Promise<AuditRow[]> {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (where.tenantId) clauses.push(`tenant_id = $${params.push(where.tenantId)}`);
  if (where.recordId) clauses.push(`record_id = $${params.push(where.recordId)}`);
  if (where.action) clauses.push(`action = $${params.push(where.action)}`);
  if (where.userId) clauses.push(`user_id = $${params.push(where.userId)}`);
  return superSql<AuditRow>(
    t.databaseUrl,
    `SELECT id, tenant_id, actor_type, actor_id, user_id, client_id, channel, request_id, object, record_id,
            action, outcome, changes, details, chain, seq::text AS seq
       FROM audit_events ${clauses.length ? `WHERE ${clauses.join(' AND ')}` : ''}
      ORDER BY occurred_at, id`,
    params,
  );
}
