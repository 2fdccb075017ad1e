import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/** `migrations/` at the repository root, from both src/ (tests) and dist/ (built). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations/', import.meta.url));

export interface MigrationFile {
  id: string;
  sql: string;
  checksum: string;
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((n) => /^\d{4}_[a-z0-9_]+\.sql$/.test(n)).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(dir + name, 'utf8');
      return {
        id: name.replace(/\.sql$/, ''),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    }),
  );
}

/**
 * Applies the hand-written SQL migrations in order, each in its own transaction, under an
 * advisory lock so that replicas starting together migrate once. A migration whose file changed
 * after it was applied stops the run: landed migrations are never edited.
 */
export async function migrate(url: string, log: (m: string) => void = () => undefined): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock(7243001)');
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      id text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Map(
      (
        await client.query<{ id: string; checksum: string }>('SELECT id, checksum FROM schema_migrations')
      ).rows.map((r) => [r.id, r.checksum]),
    );
    for (const m of await readMigrations()) {
      const previous = done.get(m.id);
      if (previous !== undefined) {
        if (previous !== m.checksum) {
          throw new Error(`migration ${m.id} was edited after it was applied; add a new migration instead`);
        }
        continue;
      }
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (id, checksum) VALUES ($1, $2)', [
          m.id,
          m.checksum,
        ]);
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${m.id} failed: ${e instanceof Error ? e.message : String(e)}`);
      }
      applied.push(m.id);
      log(`applied migration ${m.id}`);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(7243001)').catch(() => undefined);
    await client.end();
  }
  return applied;
}
