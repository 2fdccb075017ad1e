import 'reflect-metadata';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './platform/config/config.js';
import { BootstrapService } from './platform/auth/bootstrap.service.js';
import { bootstrapDatabase } from './platform/database/bootstrap.js';
import { HealthService } from './platform/http/health.service.js';
import { createRootLogger } from './platform/http/logger.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(78);
    }
    throw e;
  }
  const logger = createRootLogger(config.LOG_LEVEL);
  const started = Date.now();
  const db = await bootstrapDatabase(config, logger);
  const app = await createApp(config, db.url, { logger });
  await app.get(BootstrapService).ensureDefaults();
  await app.listen({ port: config.PORT, host: config.HOST });
  logger.info(
    { port: config.PORT, database: db.description, ms: Date.now() - started },
    `Rapport is ready on http://localhost:${config.PORT} (docs at /docs)`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    try {
      // Readiness turns 503 first so a load balancer stops routing here, then in-flight work drains.
      app.get(HealthService).beginDraining();
      if (config.SHUTDOWN_DRAIN_MS > 0) await new Promise((r) => setTimeout(r, config.SHUTDOWN_DRAIN_MS));
      await app.close();
      await db.stop();
      logger.info('stopped');
      process.exit(0);
    } catch (e) {
      logger.error({ err: e }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((e: unknown) => {
  process.stderr.write(`Rapport failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
