import { DataSource } from 'typeorm';
import { RefreshToken } from '../../src/platform/auth/refresh-token.entity.js';
import { SigningKey } from '../../src/platform/auth/signing-key.entity.js';
import { Tenant } from '../../src/platform/auth/tenant.entity.js';
import { UserDirectoryEntry } from '../../src/platform/auth/user-directory.entity.js';
import { User } from '../../src/platform/auth/user.entity.js';
import { createTestApp, TestApp } from '../harness/app.js';

/** TypeORM column types as Postgres reports them in information_schema.columns.data_type. */
const PG_TYPE: Record<string, string> = {
  uuid: 'uuid',
  text: 'text',
  boolean: 'boolean',
  integer: 'integer',
  int: 'integer',
  // TypeORM forces @VersionColumn to its driver's version type, int4, whatever type is given.
  int4: 'integer',
  timestamptz: 'timestamp with time zone',
  jsonb: 'jsonb',
};

describe('auth entities match the migrated schema', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it.each([Tenant, User, UserDirectoryEntry, RefreshToken, SigningKey].map((e) => [e.name, e] as const))(
    '%s',
    async (_name, entity) => {
      const ds = t.app.get(DataSource);
      const meta = ds.getMetadata(entity);
      const rows: { column_name: string; data_type: string; is_nullable: string }[] = await ds.query(
        `SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1`,
        [meta.tableName],
      );
      const schema = new Map(rows.map((r) => [r.column_name, r]));
      // Every table column is mapped, and every mapped column exists with the same type and nullability.
      expect(meta.columns.map((c) => c.databaseName).sort()).toEqual([...schema.keys()].sort());
      for (const column of meta.columns) {
        const actual = schema.get(column.databaseName)!;
        expect({
          column: column.databaseName,
          type: PG_TYPE[String(column.type)],
          nullable: column.isNullable,
        }).toEqual({
          column: column.databaseName,
          type: actual.data_type,
          nullable: actual.is_nullable === 'YES',
        });
      }
    },
  );
});
