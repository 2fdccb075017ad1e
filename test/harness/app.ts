import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { pino } from 'pino';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent.js';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/platform/config/config.js';
import { createTestDatabase } from './database.js';

export interface TestApp {
  app: NestFastifyApplication;
  http: TestAgent;
  databaseUrl: string;
  close(): Promise<void>;
}

/** Boots the real application on a fresh clone of the migrated database. */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  // JOBS_ENABLED=false: a test app works no background jobs (no cron ticks racing the test); a test
  // of a job calls its service directly, or passes { JOBS_ENABLED: 'true' } to run pg-boss workers.
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    RAPPORT_ADMIN_PASSWORD: 'test-admin-password',
    JOBS_ENABLED: 'false',
    ...env,
  });
  const app = await createApp(config, db.url, { logger: pino({ level: 'silent' }) });
  return {
    app,
    http: request(app.getHttpServer()),
    databaseUrl: db.url,
    async close() {
      await app.close();
      await db.drop();
    },
  };
}
