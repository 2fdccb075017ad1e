// Jest loads globalSetup through its CommonJS hook, which resolves extensionless paths only;
// this file is therefore left out of tsc (tsconfig "exclude") and kept small.
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/platform/database/embedded';
import { migrate, readMigrations } from '../../src/platform/database/migrator';
import { LOCAL_POSTGRES_URL, postgresAnswers } from '../../src/platform/database/probe';

/**
 * Finds a PostgreSQL (TEST_DATABASE_URL, else 127.0.0.1:5432, else an embedded one), migrates a
 * template database once, and leaves its address for the test files, which each clone their own.
 */
export default async function globalSetup(): Promise<void> {
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const local = LOCAL_POSTGRES_URL;
    if (await postgresAnswers(local)) adminUrl = local;
  }
  if (!adminUrl) {
    const dir = path.join(os.tmpdir(), 'rapport-test-pg');
    const port = Number(process.env.TEST_EMBEDDED_PG_PORT ?? 54339);
    const db = await startEmbeddedPostgres(dir, port, (m) => process.stderr.write(`${m}\n`));
    (globalThis as { __rapportEmbedded?: typeof db }).__rapportEmbedded = db;
    adminUrl = db.url.replace(/\/rapport$/, '/postgres');
    process.stderr.write(`\ntests: using embedded PostgreSQL at 127.0.0.1:${port}\n`);
  }
  const migrations = await readMigrations();
  const hash = createHash('sha256')
    .update(migrations.map((m) => m.checksum).join(','))
    .digest('hex')
    .slice(0, 12);
  const template = `rapport_tpl_${hash}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query('SELECT pg_advisory_lock(7243002)');
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
    if (exists.rowCount === 0) {
      const building = `${template}_build`;
      await admin.query(`DROP DATABASE IF EXISTS ${building}`);
      await admin.query(`CREATE DATABASE ${building}`);
      const u = new URL(adminUrl);
      u.pathname = `/${building}`;
      await migrate(u.toString());
      await admin.query(`ALTER DATABASE ${building} RENAME TO ${template}`);
    }
    // Clean up clones that earlier runs left behind.
    const stale = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE 'rapport_t\\_%' AND datname NOT LIKE 'rapport_tpl%'`,
    );
    // Only clones older than two hours: another jest run may be using the recent ones.
    const cutoff = Math.floor(Date.now() / 1000) - 7200;
    for (const row of stale.rows) {
      const created = Number(row.datname.split('_')[2]);
      if (Number.isFinite(created) && created < cutoff)
        await admin.query(`DROP DATABASE IF EXISTS ${row.datname} WITH (FORCE)`);
    }
    await admin.query('SELECT pg_advisory_unlock(7243002)');
  } finally {
    await admin.end();
  }
  // Jest workers are forked after this and inherit the environment.
  process.env.RAPPORT_TEST_ADMIN_URL = adminUrl;
  process.env.RAPPORT_TEST_TEMPLATE = template;
}
