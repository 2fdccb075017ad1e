/**
 * Overhead of record- and field-level security on `GET /v1/contacts?limit=50` (issue 3).
 *
 *   npx swc src bench -d bench/.build --quiet && node bench/.build/bench/policy-overhead.js
 *
 * Boots the real application (createApp) on a scratch database — TEST_DATABASE_URL, else a
 * PostgreSQL on 127.0.0.1:5432, else an embedded one. Each scenario gets its own tenant with the
 * same data: 1,000 contacts, half owned by the measured sales rep, half by another rep. Requests
 * are sequential and in-process (Fastify inject: no sockets, so the numbers are the server's own
 * work plus the database round trips), round-robin over the scenarios so that machine noise
 * spreads evenly; 200 timed requests per scenario after 30 warm-up rounds:
 *   admin                  no predicate, no field policy (administrators bypass both)
 *   rep, readWrite         record predicate present, org default readWrite (the default)
 *   rep, readWrite + FLS   … and a field policy hiding email, making phone read-only
 *   rep, private           org default private: owner / hierarchy / shares decide per row
 *   rep, private + FLS     both
 *   rep, private + shares  private with 300 record shares (user, team and role) in the table
 * Not part of `npm test`. Prints a table; BENCH_REQUESTS overrides the count.
 */
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { createApp } from '../src/app.js';
import { TenantsService } from '../src/platform/auth/tenants.service.js';
import { UsersService } from '../src/platform/auth/users.service.js';
import { loadConfig } from '../src/platform/config/config.js';
import { TenantDb } from '../src/platform/database/tenant-db.js';
import { startEmbeddedPostgres } from '../src/platform/database/embedded.js';
import { migrate } from '../src/platform/database/migrator.js';
import { LOCAL_POSTGRES_URL, postgresAnswers } from '../src/platform/database/probe.js';
import { builtinRoleIds } from '../src/platform/security/builtin-roles.js';
import { linkMigrations } from './lib/build.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const WARMUP = 30;
const CONTACTS = 1000;
const say = (m: string): void => void process.stdout.write(`${m}\n`);

async function adminUrl(): Promise<{ url: string; stop(): Promise<void> }> {
  if (process.env.TEST_DATABASE_URL)
    return { url: process.env.TEST_DATABASE_URL, stop: async () => undefined };
  if (await postgresAnswers(LOCAL_POSTGRES_URL))
    return { url: LOCAL_POSTGRES_URL, stop: async () => undefined };
  const db = await startEmbeddedPostgres(path.join(os.tmpdir(), 'rapport-bench-pg'), 54341, say);
  return { url: db.url.replace(/\/rapport$/, '/postgres'), stop: () => db.stop() };
}

async function superSql(url: string, sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

interface Scenario {
  name: string;
  asAdmin?: boolean;
  defaultAccess?: 'private' | 'read' | 'readWrite';
  fieldPolicy?: boolean;
  shares?: boolean;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const pct = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

async function main(): Promise<void> {
  linkMigrations();
  const server = await adminUrl();
  const name = `rapport_bench_${Date.now()}`;
  await superSql(server.url, `CREATE DATABASE ${name}`);
  const u = new URL(server.url);
  u.pathname = `/${name}`;
  const url = u.toString();
  try {
    await migrate(url);
    const config = loadConfig({ LOG_LEVEL: 'silent', RAPPORT_ADMIN_PASSWORD: 'bench-admin-password' });
    const app = await createApp(config, url, { logger: pino({ level: 'silent' }) });
    try {
      const users = app.get(UsersService);
      const signIn = async (email: string) => {
        const res = await app.inject({
          method: 'POST',
          url: '/oauth/token',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: `grant_type=password&username=${encodeURIComponent(email)}&password=bench-password-123`,
        });
        if (res.statusCode !== 200) throw new Error(`sign-in ${email}: ${res.statusCode} ${res.body}`);
        return (JSON.parse(res.body) as { access_token: string }).access_token;
      };

      /** A tenant with an admin, two reps and the seeded data, configured for one scenario. */
      const tenantFor = async (scenario: Scenario): Promise<{ scenario: string; token: string }> => {
        const tenant = await app.get(TenantsService).createTenant(scenario.name);
        const roles = await app.get(TenantDb).runAsTenant(tenant.id, (em) => builtinRoleIds(em, tenant.id));
        const repRole = roles.get('salesRep')!;
        const make = async (key: string, isAdmin: boolean) => {
          const email = `${key}-${tenant.id}@bench.test`;
          const user = await users.createUser(tenant.id, {
            email,
            password: 'bench-password-123',
            isAdmin,
            roleId: isAdmin ? undefined : repRole,
          });
          return { id: user.id, token: await signIn(email) };
        };
        const admin = await make('admin', true);
        const rep = await make('rep', false);
        const other = await make('other', false);
        const accounts = await superSql(
          url,
          `INSERT INTO accounts (tenant_id, id, name, owner_id)
           SELECT $1, gen_random_uuid(), 'Account ' || g, $2 FROM generate_series(1, 100) g RETURNING id`,
          [tenant.id, rep.id],
        );
        await superSql(
          url,
          `INSERT INTO contacts (tenant_id, id, first_name, last_name, email, phone, title, account_id, owner_id, created_at)
           SELECT $1, gen_random_uuid(), 'First' || g, 'Last' || g, 'c' || g || '@bench.test', '+1 555 ' || g, 'Title',
                  ($4::uuid[])[1 + g % 100], CASE WHEN g % 2 = 0 THEN $2::uuid ELSE $3::uuid END,
                  now() - g * interval '1 minute'
             FROM generate_series(1, $5::int) g`,
          [tenant.id, rep.id, other.id, accounts.rows.map((r: { id: string }) => r.id), CONTACTS],
        );
        const put = async (path: string, body: object) => {
          const res = await app.inject({
            method: 'PUT',
            url: path,
            headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
            payload: JSON.stringify(body),
          });
          if (res.statusCode !== 200) throw new Error(`${path}: ${res.statusCode} ${res.body}`);
        };
        if (scenario.defaultAccess)
          await put('/v1/sharing-settings/contacts', { defaultAccess: scenario.defaultAccess });
        if (scenario.fieldPolicy)
          await put(`/v1/field-policies/${repRole}/contacts`, {
            mode: 'denyList',
            rules: { email: 'hidden', phone: 'read' },
          });
        if (scenario.shares) {
          // 300 of the other rep's contacts shared: 100 each with the rep, a team of theirs, the salesRep role.
          const team = await superSql(
            url,
            `INSERT INTO teams (tenant_id, id, name) VALUES ($1, gen_random_uuid(), 'Bench team') RETURNING id`,
            [tenant.id],
          );
          await superSql(url, `INSERT INTO team_members (tenant_id, team_id, user_id) VALUES ($1, $2, $3)`, [
            tenant.id,
            team.rows[0].id,
            rep.id,
          ]);
          await superSql(
            url,
            `INSERT INTO record_shares (tenant_id, id, object, record_id, grantee_type, grantee_id, access)
             SELECT $1, gen_random_uuid(), 'contacts', c.id, k.type,
                    CASE k.type WHEN 'user' THEN $2::uuid WHEN 'role' THEN $3::uuid ELSE $5::uuid END, 'read'
               FROM (SELECT id, row_number() OVER (ORDER BY id) n FROM contacts WHERE owner_id = $4) c
               JOIN (VALUES (0, 'user'), (1, 'team'), (2, 'role')) k(m, type) ON c.n % 3 = k.m
              WHERE c.n <= 300`,
            [tenant.id, rep.id, repRole, other.id, team.rows[0].id],
          );
        }
        return { scenario: scenario.name, token: scenario.asAdmin ? admin.token : rep.token };
      };

      const SCENARIOS: Scenario[] = [
        { name: 'admin (no policy at all)', asAdmin: true },
        { name: 'rep, readWrite default' },
        { name: 'rep, readWrite + field policy', fieldPolicy: true },
        { name: 'rep, private default', defaultAccess: 'private' },
        { name: 'rep, private + field policy', defaultAccess: 'private', fieldPolicy: true },
        { name: 'rep, private + 300 shares', defaultAccess: 'private', shares: true },
      ];
      const subjects = [];
      for (const scenario of SCENARIOS) subjects.push(await tenantFor(scenario));
      await superSql(url, 'ANALYZE');

      const once = async (token: string): Promise<number> => {
        const start = process.hrtime.bigint();
        const res = await app.inject({
          method: 'GET',
          url: '/v1/contacts?limit=50',
          headers: { authorization: `Bearer ${token}` },
        });
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        if (res.statusCode !== 200) throw new Error(`GET /v1/contacts: ${res.statusCode} ${res.body}`);
        const rows = (JSON.parse(res.body) as { data: unknown[] }).data.length;
        if (rows !== 50) throw new Error(`expected 50 rows, got ${rows}`);
        return ms;
      };
      // Round-robin over the scenarios, so that load from anything else on the machine spreads evenly.
      const times = subjects.map(() => [] as number[]);
      for (let i = 0; i < WARMUP + REQUESTS; i++)
        for (const [k, subject] of subjects.entries()) {
          const ms = await once(subject.token);
          if (i >= WARMUP) times[k]!.push(ms);
        }

      const base = median(times[0]!);
      say(
        `\nGET /v1/contacts?limit=50 — ${CONTACTS} contacts per tenant, ${REQUESTS} requests per scenario, interleaved, in-process\n`,
      );
      say('| scenario | median ms | p95 ms | median vs admin |');
      say('| --- | ---: | ---: | ---: |');
      subjects.forEach((subject, k) => {
        const m = median(times[k]!);
        say(
          `| ${subject.scenario} | ${m.toFixed(2)} | ${pct(times[k]!, 0.95).toFixed(2)} | ${m >= base ? '+' : ''}${(m - base).toFixed(2)} ms |`,
        );
      });
    } finally {
      await app.close();
    }
  } finally {
    await superSql(server.url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await server.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
