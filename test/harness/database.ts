import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Clones the migrated template into a database of this test file's own; returns its URL. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = process.env.RAPPORT_TEST_ADMIN_URL;
  const template = process.env.RAPPORT_TEST_TEMPLATE;
  if (!adminUrl || !template) throw new Error('test harness: global setup did not run');
  // The creation time in the name lets a later run drop only clones that an old, dead run left.
  const name = `rapport_t_${Math.floor(Date.now() / 1000)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await admin.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
