import pg from 'pg';
import { loadConfig } from '../../src/platform/config/config.js';
import { startEmbeddedPostgres } from '../../src/platform/database/embedded.js';
import type { BenchSize } from './manifest.js';

export interface BenchDatabase {
  /** the bench database, `rapport_bench_<size>` */
  url: string;
  /** the maintenance database `postgres` on the same server (to create and drop the bench one) */
  serverUrl: string;
  /** where it is, for the log (never includes a password) */
  description: string;
  stop(): Promise<void>;
}

export const benchDatabaseName = (size: BenchSize): string => `rapport_bench_${size}`;

/** The URL of database `name` on the server of `url` (credentials and options kept). */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * The server `npm start` would use, with the same defaults: DATABASE_URL when set, else the
 * embedded PostgreSQL under RAPPORT_DATA_DIR on EMBEDDED_PG_PORT (started here; `stop` stops it).
 * The bench database itself is `rapport_bench_<size>` on that server; it is not created here.
 */
export async function benchDatabase(size: BenchSize, log: (m: string) => void): Promise<BenchDatabase> {
  const config = loadConfig();
  const name = benchDatabaseName(size);
  if (config.DATABASE_URL) {
    const u = new URL(config.DATABASE_URL);
    return {
      url: withDatabase(config.DATABASE_URL, name),
      serverUrl: withDatabase(config.DATABASE_URL, 'postgres'),
      description: `PostgreSQL at ${u.host} (DATABASE_URL), database ${name}`,
      stop: async () => undefined,
    };
  }
  if (!config.RAPPORT_EMBEDDED_DATABASE) {
    throw new Error(
      'DATABASE_URL is required: RAPPORT_EMBEDDED_DATABASE=false turns the embedded PostgreSQL off.',
    );
  }
  const embedded = await startEmbeddedPostgres(config.RAPPORT_DATA_DIR, config.EMBEDDED_PG_PORT, log);
  return {
    url: withDatabase(embedded.url, name),
    serverUrl: withDatabase(embedded.url, 'postgres'),
    description:
      `embedded PostgreSQL on 127.0.0.1:${config.EMBEDDED_PG_PORT} (data in ${embedded.dataDir}), ` +
      `database ${name}`,
    stop: () => embedded.stop(),
  };
}

const DATABASE_NAME_RE = /^[a-z_][a-z0-9_]{0,62}$/;

function quotedName(name: string): string {
  if (!DATABASE_NAME_RE.test(name)) throw new Error(`not a plain database name: ${JSON.stringify(name)}`);
  return `"${name}"`;
}

async function onServer<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Drops database `name` (disconnecting its sessions) and creates it empty. */
export async function recreateDatabase(serverUrl: string, name: string): Promise<void> {
  const quoted = quotedName(name);
  await onServer(serverUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${quoted}`);
  });
}

/** Creates database `name` unless it exists; true when it was created. */
export async function ensureDatabase(serverUrl: string, name: string): Promise<boolean> {
  const quoted = quotedName(name);
  return onServer(serverUrl, async (client) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    try {
      await client.query(`CREATE DATABASE ${quoted}`);
    } catch (e) {
      // Another process created it between the look and the create.
      if ((e as { code?: string }).code === '42P04') return false;
      throw e;
    }
    return true;
  });
}
