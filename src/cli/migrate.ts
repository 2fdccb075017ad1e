import { loadConfig } from '../platform/config/config.js';
import { bootstrapDatabase } from '../platform/database/bootstrap.js';
import { createRootLogger } from '../platform/http/logger.js';

/** `npm run migrate`: applies pending migrations to DATABASE_URL (or the embedded database) and exits. */
const config = loadConfig();
const logger = createRootLogger(config.LOG_LEVEL);
const db = await bootstrapDatabase(config, logger);
await db.stop();
