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
  const config = loadConfig({ LOG_LEVEL: 'silent', RAPPORT_ADMIN_PASSWORD: 'test-admin-password', ...env });
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
