import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { pino, Logger } from 'pino';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent.js';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/platform/config/config.js';
import { createTestDatabase } from '../harness/database.js';

export interface BootedApp {
  app: NestFastifyApplication;
  http: TestAgent;
  /** Closes the app once (later calls are no-ops), for tests that watch the shutdown itself. */
  closeApp(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Like the harness's createTestApp, but takes the pino logger (to capture request logs) and lets a
 * test close the app on its own.
 */
export async function bootApp(logger: Logger = pino({ level: 'silent' })): Promise<BootedApp> {
  const db = await createTestDatabase();
  const config = loadConfig({ LOG_LEVEL: 'silent', RAPPORT_ADMIN_PASSWORD: 'test-admin-password' });
  const app = await createApp(config, db.url, { logger });
  let closing: Promise<void> | undefined;
  const closeApp = () => (closing ??= app.close());
  return {
    app,
    http: request(app.getHttpServer()),
    closeApp,
    async close() {
      await closeApp();
      await db.drop();
    },
  };
}

/** An in-memory pino destination that parses each JSON line and can wait for a matching one. */
export class LogCapture {
  readonly lines: Record<string, unknown>[] = [];
  private waiters: {
    match: (line: Record<string, unknown>) => boolean;
    resolve: (line: Record<string, unknown>) => void;
  }[] = [];

  write(chunk: string): void {
    for (const text of chunk.split('\n')) {
      if (!text.trim()) continue;
      const line = JSON.parse(text) as Record<string, unknown>;
      this.lines.push(line);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(line)) return true;
        w.resolve(line);
        return false;
      });
    }
  }

  /** Resolves on the first line, past or future, that matches; jest's timeout bounds the wait. */
  waitFor(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    const seen = this.lines.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }
}
