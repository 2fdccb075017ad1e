import { DataSource } from 'typeorm';
import { registry } from '../../src/platform/registry/object-registry.js';
import { createTestApp, TestApp } from '../harness/app.js';
import { superSql } from '../harness/sql.js';

/** TypeORM column types → Postgres udt_name as information_schema reports them. */
const UDT: Record<string, string> = {
  uuid: 'uuid',
  text: 'text',
  integer: 'int4',
  int: 'int4',
  numeric: 'numeric',
  character: 'bpchar',
  jsonb: 'jsonb',
  boolean: 'bool',
  timestamptz: 'timestamptz',
  'timestamp with time zone': 'timestamptz',
  bigint: 'int8',
  smallint: 'int2',
};

/**
 * Small configuration tables (a handful of rows per tenant) whose foreign keys need no index of
 * their own: a scan of them costs less than maintaining one.
 */
const SMALL_TABLES = new Set(['api_keys', 'oauth_clients', 'lead_assignment_rules']);

interface DbColumn {
  table_name: string;
  column_name: string;
  udt_name: string;
  is_nullable: 'YES' | 'NO';
}

describe('entities and registry match the migrated schema', () => {
  let t: TestApp;
  let columns: Map<string, DbColumn>;

  beforeAll(async () => {
    t = await createTestApp();
    const rows = await superSql<DbColumn>(
      t.databaseUrl,
      `SELECT table_name, column_name, udt_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public'`,
    );
    columns = new Map(rows.map((r) => [`${r.table_name}.${r.column_name}`, r]));
  });
  afterAll(() => t.close());

  it('every entity column exists with the same type and nullability', () => {
    const problems: string[] = [];
    const entities = t.app.get(DataSource).entityMetadatas;
    expect(entities.length).toBeGreaterThanOrEqual(6);
    for (const entity of entities) {
      for (const column of entity.columns) {
        const key = `${entity.tableName}.${column.databaseName}`;
        const db = columns.get(key);
        if (!db) {
          problems.push(`${key}: missing in the schema`);
          continue;
        }
        const type = typeof column.type === 'string' ? column.type : String(column.type.name).toLowerCase();
        const expected = column.isArray ? `_${UDT[type] ?? type}` : (UDT[type] ?? type);
        if (db.udt_name !== expected) problems.push(`${key}: entity ${expected}, schema ${db.udt_name}`);
        const dbNullable = db.is_nullable === 'YES';
        if (dbNullable !== column.isNullable)
          problems.push(`${key}: entity nullable=${column.isNullable}, schema nullable=${dbNullable}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('every registry field maps to a column of its table, nullable exactly when declared', () => {
    const problems: string[] = [];
    for (const object of registry.all()) {
      for (const field of object.fields) {
        const db = columns.get(`${object.table}.${field.column}`);
        if (!db) problems.push(`${object.name}.${field.name}: no column ${object.table}.${field.column}`);
        else if ((db.is_nullable === 'YES') !== field.nullable)
          problems.push(`${object.name}.${field.name}: nullable mismatch`);
      }
      if (object.searchColumn && !columns.has(`${object.table}.${object.searchColumn}`))
        problems.push(`${object.name}: no search column`);
    }
    expect(
      registry
        .all()
        .map((o) => o.name)
        .sort(),
    ).toEqual(expect.arrayContaining(['account', 'activity', 'contact']));
    expect(problems).toEqual([]);
  });

  it('every foreign key of a table that grows has an index leading with its columns', async () => {
    const rows = await superSql<{ table: string; fk: string }>(
      t.databaseUrl,
      `SELECT c.conrelid::regclass::text AS table, c.conname AS fk
         FROM pg_constraint c
        WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
          AND NOT EXISTS (
            SELECT 1 FROM pg_index i
             WHERE i.indrelid = c.conrelid
               AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] @> c.conkey
               AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] <@ c.conkey)`,
    );
    expect(rows.filter((r) => !SMALL_TABLES.has(r.table)).map((r) => `${r.table}: ${r.fk}`)).toEqual([]);
  });
});
