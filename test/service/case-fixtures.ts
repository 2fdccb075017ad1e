import { randomBytes } from 'node:crypto';
import { newId } from '../../src/platform/database/ids.js';
import { TestApp } from '../harness/app.js';
import { superSql } from '../harness/sql.js';

/** Columns of `cases` a fixture may set (snake_case, as in migrations/0010). */
export type CaseColumns = Partial<{
  subject: string;
  status: string;
  priority: string;
  channel: string | null;
  contact_id: string | null;
  account_id: string | null;
  queue_id: string | null;
  assignee_id: string | null;
  created_at: string;
  resolved_at: string | null;
  closed_at: string | null;
  first_responded_at: string | null;
  first_response_due_at: string | null;
  resolution_due_at: string | null;
  first_response_breached: boolean;
  resolution_breached: boolean;
  business_first_response_minutes: string | number | null;
  business_resolution_minutes: string | number | null;
  csat_score: number | null;
  csat_at: string | null;
  deleted_at: string | null;
}>;

/**
 * A case inserted straight into the database (as the superuser), so that a test controls every
 * timestamp and SLA figure the service would otherwise compute. Returns its id.
 */
export async function insertCase(t: TestApp, tenantId: string, columns: CaseColumns = {}): Promise<string> {
  const id = newId();
  const values: Record<string, unknown> = {
    tenant_id: tenantId,
    id,
    number: `T-${randomBytes(5).toString('hex')}`,
    subject: 'A case',
    ...columns,
  };
  if (values.csat_score !== undefined && values.csat_score !== null && values.csat_at === undefined)
    values.csat_at = values.resolved_at ?? values.created_at ?? new Date().toISOString();
  const names = Object.keys(values);
  await superSql(
    t.databaseUrl,
    `INSERT INTO cases (${names.join(', ')}) VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')})`,
    names.map((n) => values[n]),
  );
  return id;
}
