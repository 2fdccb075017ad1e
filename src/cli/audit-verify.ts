import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { verifyTenantChains, type VerifyResult } from '../platform/audit/audit-chain.js';
import { AppConfig, ConfigError, loadConfig } from '../platform/config/config.js';
import { startEmbeddedPostgres } from '../platform/database/embedded.js';
import { postgresAnswers } from '../platform/database/probe.js';

/**
 * `npm run audit:verify`: walks the audit hash chains of every tenant (docs/audit.md) and exits
 * 0 when all are intact, 1 naming the first broken event of each tenant that is not.
 *
 * Where: DATABASE_URL if set; else the embedded PostgreSQL under RAPPORT_DATA_DIR, reached on
 * EMBEDDED_PG_PORT if the server is running, else started here for the run. Nothing is migrated
 * or written.
 *
 * Who: the login that owns the schema (the one DATABASE_URL gives the server), which need not be
 * a superuser. audit_events is under forced RLS, so even the owner reads one tenant at a time:
 * the tenants come from audit_chain_heads and user_directory, whose RLS is not forced (their
 * owner reads across tenants), and each is verified in a transaction that pins app.tenant_id and
 * drops to rapport_app, exactly as GET /v1/audit-events/verify does.
 */

/** TenantDb's APP_ROLE, repeated: importing tenant-db.js pulls in Nest and TypeORM. */
const APP_ROLE = 'rapport_app';

class VerifyError extends Error {}

const say = (m: string): void => void process.stdout.write(`${m}\n`);

async function connect(config: AppConfig): Promise<{ url: string; stop(): Promise<void> }> {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL, stop: async () => undefined };
  const root = path.resolve(config.RAPPORT_DATA_DIR);
  const credentialsFile = path.join(root, 'credentials.json');
  if (!existsSync(credentialsFile))
    throw new VerifyError(
      `No Rapport database in ${root}: set DATABASE_URL, or run \`npm start\` once first.`,
    );
  const { password } = JSON.parse(await readFile(credentialsFile, 'utf8')) as { password: string };
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${config.EMBEDDED_PG_PORT}/rapport`;
  if (await postgresAnswers(url)) return { url, stop: async () => undefined };
  say(`Starting the embedded PostgreSQL in ${root} for this run…`);
  const db = await startEmbeddedPostgres(root, config.EMBEDDED_PG_PORT, () => undefined);
  return { url: db.url, stop: () => db.stop() };
}

async function tenants(client: pg.Client): Promise<string[]> {
  const rows = await client.query<{ tenant_id: string }>(
    `SELECT tenant_id FROM audit_chain_heads UNION SELECT tenant_id FROM user_directory ORDER BY 1`,
  );
  return rows.rows.map((r) => r.tenant_id);
}

async function verifyTenant(client: pg.Client, tenantId: string): Promise<VerifyResult> {
  await client.query('BEGIN READ ONLY');
  try {
    await client.query(`SELECT set_config('role', $1, true), set_config('app.tenant_id', $2, true)`, [
      APP_ROLE,
      tenantId,
    ]);
    return await verifyTenantChains(async <T>(sql: string, params: unknown[]) => {
      const result = await client.query(sql, params);
      return result.rows as T[];
    });
  } finally {
    await client.query('ROLLBACK');
  }
}

async function main(): Promise<number> {
  const config = loadConfig();
  const db = await connect(config);
  const client = new pg.Client({ connectionString: db.url, application_name: 'rapport audit:verify' });
  await client.connect();
  try {
    const ids = await tenants(client);
    let broken = 0;
    let events = 0;
    for (const tenantId of ids) {
      const result = await verifyTenant(client, tenantId);
      events += result.checked;
      if (result.ok) {
        say(`ok      tenant ${tenantId}: ${result.checked} events on ${result.chains} chains`);
      } else {
        broken++;
        say(
          `BROKEN  tenant ${tenantId}: first bad event ${result.firstBadEventId ?? '(none left)'} — ${result.reason ?? ''}`,
        );
      }
    }
    say(
      broken === 0
        ? `Audit trail intact: ${events} events in ${ids.length} tenants.`
        : `Audit trail BROKEN in ${broken} of ${ids.length} tenants.`,
    );
    return broken === 0 ? 0 : 1;
  } finally {
    await client.end();
    await db.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof VerifyError || e instanceof ConfigError) {
      process.stderr.write(`audit:verify: ${e.message}\n`);
      process.exit(e instanceof ConfigError ? 78 : 2);
    }
    process.stderr.write(`audit:verify failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(2);
  },
);
