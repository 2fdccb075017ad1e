import pg from 'pg';
import { createTestDatabase } from './database.js';

describe('test harness', () => {
  it('clones a migrated database', async () => {
    const db = await createTestDatabase();
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const r = await c.query(`SELECT count(*)::int AS n FROM schema_migrations`);
    expect(r.rows[0].n).toBeGreaterThan(0);
    await c.end();
    await db.drop();
  });
});
