/**
 * Test registry mirroring the accounts/contacts/activities/users tables of the foundation
 * migration, plus helpers to seed rows (as the postgres superuser, explicit tenant_id) and run
 * SQL the way the service does (SET LOCAL ROLE rapport_app + app.tenant_id, so RLS applies).
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { field, ObjectRegistry, systemFields } from '../../src/platform/registry/object-registry.js';
import type { ObjectDef } from '../../src/platform/registry/object-registry.js';
import { createTestDatabase } from '../harness/database.js';

export const LIFECYCLE = [
  'subscriber',
  'lead',
  'marketingQualified',
  'salesQualified',
  'opportunity',
  'customer',
  'evangelist',
  'other',
] as const;

export function buildRegistry(): {
  registry: ObjectRegistry;
  account: ObjectDef;
  contact: ObjectDef;
  activity: ObjectDef;
  user: ObjectDef;
} {
  const registry = new ObjectRegistry();
  const account = registry.register({
    name: 'account',
    plural: 'accounts',
    table: 'accounts',
    fields: [
      ...systemFields(),
      field({ name: 'name', type: 'string', nullable: false }),
      field({ name: 'domain', type: 'string' }),
      field({ name: 'industry', type: 'string' }),
      field({ name: 'employees', type: 'integer' }),
      field({ name: 'annualRevenue', type: 'decimal' }),
      field({ name: 'currency', type: 'string' }),
      field({ name: 'website', type: 'string' }),
      field({ name: 'phone', type: 'string' }),
      field({ name: 'billingAddress', type: 'json' }),
      field({ name: 'parentAccountId', type: 'uuid' }),
      field({ name: 'ownerId', type: 'uuid' }),
      field({ name: 'externalId', type: 'string', sortable: false }),
      field({ name: 'tags', type: 'stringArray', nullable: false }),
    ],
    relations: [
      { kind: 'toOne', name: 'parent', target: 'account', field: 'parentAccountId' },
      { kind: 'toMany', name: 'children', target: 'account', foreignField: 'parentAccountId' },
      { kind: 'toMany', name: 'contacts', target: 'contact', foreignField: 'accountId' },
      { kind: 'toMany', name: 'activities', target: 'activity', foreignField: 'accountId' },
    ],
    searchColumn: 'search',
    defaultSort: [{ field: 'name', direction: 'asc' }],
    softDelete: true,
  });
  const contact = registry.register({
    name: 'contact',
    plural: 'contacts',
    table: 'contacts',
    fields: [
      ...systemFields(),
      field({ name: 'firstName', type: 'string', personal: true }),
      field({ name: 'lastName', type: 'string', nullable: false, personal: true }),
      field({ name: 'email', type: 'string', personal: true }),
      field({ name: 'phone', type: 'string', personal: true, filterable: false }),
      field({ name: 'title', type: 'string' }),
      field({ name: 'accountId', type: 'uuid' }),
      field({ name: 'ownerId', type: 'uuid' }),
      field({ name: 'lifecycleStage', type: 'enum', enumValues: LIFECYCLE }),
      field({ name: 'leadSource', type: 'string' }),
      field({ name: 'doNotContact', type: 'boolean', nullable: false }),
      field({ name: 'address', type: 'json' }),
      field({ name: 'externalId', type: 'string' }),
      field({ name: 'tags', type: 'stringArray', nullable: false }),
    ],
    relations: [
      { kind: 'toOne', name: 'account', target: 'account', field: 'accountId' },
      { kind: 'toMany', name: 'activities', target: 'activity', foreignField: 'contactId' },
    ],
    searchColumn: 'search',
    defaultSort: [{ field: 'lastName', direction: 'asc' }],
    softDelete: true,
  });
  const activity = registry.register({
    name: 'activity',
    plural: 'activities',
    table: 'activities',
    fields: [
      ...systemFields(),
      field({
        name: 'type',
        type: 'enum',
        nullable: false,
        enumValues: ['call', 'email', 'meeting', 'note', 'task'],
      }),
      field({ name: 'subject', type: 'string', nullable: false }),
      field({ name: 'body', type: 'text' }),
      field({ name: 'occurredAt', type: 'datetime', nullable: false }),
      field({ name: 'dueAt', type: 'datetime' }),
      field({
        name: 'status',
        type: 'enum',
        nullable: false,
        enumValues: ['open', 'completed', 'cancelled'],
      }),
      field({ name: 'ownerId', type: 'uuid' }),
      field({ name: 'accountId', type: 'uuid' }),
      field({ name: 'contactId', type: 'uuid' }),
      field({ name: 'externalId', type: 'string' }),
    ],
    relations: [
      { kind: 'toOne', name: 'account', target: 'account', field: 'accountId' },
      { kind: 'toOne', name: 'contact', target: 'contact', field: 'contactId' },
    ],
    searchColumn: 'search',
    defaultSort: [{ field: 'occurredAt', direction: 'desc' }],
    softDelete: true,
  });
  const user = registry.register({
    name: 'user',
    plural: 'users',
    table: 'users',
    fields: [
      field({ name: 'id', type: 'uuid', nullable: false }),
      field({ name: 'email', type: 'string', nullable: false }),
      field({ name: 'displayName', type: 'string', nullable: false }),
      field({ name: 'isAdmin', type: 'boolean', nullable: false }),
      field({ name: 'lastLoginAt', type: 'datetime' }),
    ],
    relations: [],
    defaultSort: [{ field: 'email', direction: 'asc' }],
    softDelete: false,
  });
  return { registry, account, contact, activity, user };
}

export interface TestDb {
  client: pg.Client;
  close(): Promise<void>;
  /** Runs `fn` inside a transaction as rapport_app for `tenant` (RLS on); always rolls back. */
  asTenant<T>(tenant: string, fn: (client: pg.Client) => Promise<T>): Promise<T>;
  /** Runs one query as the tenant. */
  query<R extends pg.QueryResultRow = Record<string, unknown>>(
    tenant: string,
    sql: string,
    params?: unknown[],
  ): Promise<R[]>;
}

export async function openTestDb(): Promise<TestDb> {
  const db = await createTestDatabase();
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const asTenant = async <T>(tenant: string, fn: (c: pg.Client) => Promise<T>): Promise<T> => {
    await client.query('BEGIN');
    try {
      await client.query('SET LOCAL ROLE rapport_app');
      await client.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenant]);
      return await fn(client);
    } finally {
      await client.query('ROLLBACK');
    }
  };
  return {
    client,
    asTenant,
    query: <R extends pg.QueryResultRow>(tenant: string, sql: string, params: unknown[] = []) =>
      asTenant(tenant, async (c) => (await c.query<R>(sql, params)).rows),
    async close() {
      await client.end();
      await db.drop();
    },
  };
}

export async function insertTenant(client: pg.Client, name: string): Promise<string> {
  const id = randomUUID();
  await client.query('INSERT INTO tenants (id, name) VALUES ($1, $2)', [id, name]);
  return id;
}

type Row = Record<string, unknown>;

/** Inserts a row (column names as in SQL) as the superuser; returns the id. */
export async function insertRow(client: pg.Client, table: string, tenant: string, row: Row): Promise<string> {
  const id = (row.id as string | undefined) ?? randomUUID();
  const data: Row = { ...row, tenant_id: tenant, id };
  const cols = Object.keys(data);
  const sql = `INSERT INTO ${table} (${cols.map((c) => `"${c}"`).join(', ')}) VALUES (${cols.map((_c, i) => `$${i + 1}`).join(', ')})`;
  await client.query(
    sql,
    cols.map((c) => data[c]),
  );
  return id;
}

/** Row counts of the three tables (as superuser), to check nothing was changed. */
export async function tableCounts(client: pg.Client): Promise<Record<string, number>> {
  const r = await client.query<{ a: number; c: number; x: number }>(
    `SELECT (SELECT count(*)::int FROM accounts) AS a, (SELECT count(*)::int FROM contacts) AS c,
            (SELECT count(*)::int FROM activities) AS x`,
  );
  const row = r.rows[0]!;
  return { accounts: row.a, contacts: row.c, activities: row.x };
}
