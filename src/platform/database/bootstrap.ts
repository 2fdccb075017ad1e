import type { Logger } from 'pino';
import { AppConfig } from '../config/config.js';
import { startEmbeddedPostgres } from './embedded.js';
import { migrate } from './migrator.js';

export interface Database {
  url: string;
  /** where the data is, for the start-up log (never includes a password) */
  description: string;
  stop(): Promise<void>;
}

/** Resolves the database (DATABASE_URL, else embedded under RAPPORT_DATA_DIR) and migrates it. */
export async function bootstrapDatabase(config: AppConfig, logger: Logger): Promise<Database> {
  let db: Database;
  if (config.DATABASE_URL) {
    const u = new URL(config.DATABASE_URL);
    db = {
      url: config.DATABASE_URL,
      description: `postgres://${u.host}${u.pathname}`,
      stop: async () => undefined,
    };
    logger.info({ database: db.description }, 'using PostgreSQL from DATABASE_URL');
  } else if (!config.RAPPORT_EMBEDDED_DATABASE) {
    throw new Error(
      'DATABASE_URL is required: RAPPORT_EMBEDDED_DATABASE=false turns the embedded PostgreSQL off.',
    );
  } else {
    const embedded = await startEmbeddedPostgres(config.RAPPORT_DATA_DIR, config.EMBEDDED_PG_PORT, (m) =>
      logger.info(m),
    );
    db = {
      url: embedded.url,
      description: `embedded PostgreSQL on 127.0.0.1:${config.EMBEDDED_PG_PORT}, data in ${embedded.dataDir}`,
      stop: () => embedded.stop(),
    };
    logger.info({ database: db.description }, 'no DATABASE_URL: using embedded PostgreSQL');
  }
  try {
    const applied = await migrate(db.url, (m) => logger.info(m));
    logger.info({ applied: applied.length }, 'database schema is up to date');
  } catch (e) {
    await db.stop();
    throw e;
  }
  return db;
}
