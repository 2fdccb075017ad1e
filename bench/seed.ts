/**
 * The benchmark data generator (issue 7): fills `rapport_bench_<size>` with deterministic
 * scale data and leaves a manifest for the runner (bench/lib/manifest.ts).
 *
 *   npx swc src bench -d bench/.build --quiet && node bench/.build/bench/seed.js --size tiny|small|full
 *
 * The database server is the one `npm start` uses: DATABASE_URL, else the embedded PostgreSQL
 * under RAPPORT_DATA_DIR. The bench database on it is dropped and made afresh.
 *
 * Tenants, users (admin, sales manager, eight sales reps each), the sales reps' field policies
 * and the bench user's API key go through the application (booted in-process). The bulk rows are
 * streamed with COPY into a temporary stage table and moved with one INSERT … SELECT per chunk
 * as rapport_app with the tenant pinned, so that they pass the same row-level security policies,
 * keys and constraints as the application's own writes (COPY itself is refused on tables under
 * row-level security). Everything but the users' ids is a function of the seed.
 */
import { realpathSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pino } from 'pino';
import { createApp } from '../src/app.js';
import { PasswordHasher } from '../src/platform/auth/password-hasher.js';
import { TenantsService } from '../src/platform/auth/tenants.service.js';
import { UsersService } from '../src/platform/auth/users.service.js';
import { ConfigError, loadConfig } from '../src/platform/config/config.js';
import { migrate } from '../src/platform/database/migrator.js';
import { TenantDb } from '../src/platform/database/tenant-db.js';
import { builtinRoleIds } from '../src/platform/security/builtin-roles.js';
import { BUILTIN_ROLES } from '../src/platform/security/permissions.js';
import {
  ACCOUNT_COLUMNS,
  AccountGenerator,
  ACTIVITY_COLUMNS,
  ActivityGenerator,
  CONTACT_COLUMNS,
  ContactGenerator,
  DATA_START,
  FIRST_NAMES,
  INDUSTRIES,
  LIFECYCLE_STAGES,
  linkMigrations,
  SURNAMES,
  type TableGenerator,
} from './lib/build.js';
import {
  currentQuarter,
  LEAD_COLUMNS,
  LeadGenerator,
  LinesGenerator,
  summaryMonth,
  OPPORTUNITY_COLUMNS,
  OpportunityGenerator,
  PIPELINE_COLUMNS,
  PipelineSet,
  PRODUCT_COLUMNS,
  ProductGenerator,
  STAGE_COLUMNS,
  STAGE_HISTORY_COLUMNS,
  StageHistoryGenerator,
} from './lib/build-sales.js';
import {
  ARTICLE_COLUMNS,
  ArticleGenerator,
  CASE_COLUMNS,
  CASE_COMMENT_COLUMNS,
  CASE_QUEUE_COLUMNS,
  CaseCommentGenerator,
  CaseGenerator,
  metricsMonth,
  QueueSet,
} from './lib/build-service.js';
import { benchDatabase, benchDatabaseName, recreateDatabase } from './lib/database.js';
import {
  type BenchManifest,
  type BenchSize,
  type BenchTenant,
  MANIFEST_VERSION,
  TIMELINE_ACTIVITIES,
} from './lib/manifest.js';
import { Prng, uuidv7 } from './lib/prng.js';

export const SEED = 20261124;
/** Every bench user's password. */
export const BENCH_PASSWORD = 'bench-password-123';
export const BENCH_SIZES: readonly BenchSize[] = ['tiny', 'small', 'full'];

interface SizeSpec {
  tenants: number;
  /** totals over all tenants: the measured tenant (tenants[0]) holds half, the others share the rest */
  contacts: number;
  accounts: number;
  activities: number;
  /** sales (issue 4): opportunities (1–4 stage-history rows each) and leads, split like the rest */
  opportunities: number;
  leads: number;
  /** products per tenant (every tenant has two pipelines of six stages) */
  products: number;
  /** service (issue 5): cases (one in five answered ones with a comment) and knowledge articles, split like the rest */
  cases: number;
  articles: number;
  /** accounts of the measured tenant with exactly TIMELINE_ACTIVITIES activities each */
  timelineAccounts: number;
}

export const SIZES: Record<BenchSize, SizeSpec> = {
  tiny: {
    tenants: 2,
    contacts: 600,
    accounts: 100,
    activities: 1_200,
    opportunities: 300,
    leads: 120,
    products: 5,
    cases: 1_000,
    articles: 40,
    timelineAccounts: 1,
  },
  small: {
    tenants: 2,
    contacts: 10_000,
    accounts: 2_000,
    activities: 20_000,
    opportunities: 5_000,
    leads: 2_000,
    products: 20,
    cases: 10_000,
    articles: 200,
    timelineAccounts: 5,
  },
  full: {
    tenants: 20,
    contacts: 1_000_000,
    accounts: 200_000,
    activities: 2_000_000,
    opportunities: 500_000,
    leads: 200_000,
    products: 50,
    cases: 1_000_000,
    articles: 2_000,
    timelineAccounts: 20,
  },
};

const REPS = 8;
/** Rows per transaction (one stage table, one INSERT … SELECT). */
const CHUNK_ROWS = 100_000;
/** Rows per string handed to the COPY stream. */
const BATCH_ROWS = 2_000;
const MAX_IDS = 100_000;

interface TenantPlan extends BenchTenant {
  index: number;
  timelineAccounts: number;
}

/** The measured tenant's share of `total` is half; the rest goes evenly to the others (remainder first). */
function share(total: number, tenants: number, index: number): number {
  if (tenants === 1) return total;
  const half = Math.floor(total / 2);
  if (index === 0) return half;
  const rest = total - half;
  const others = tenants - 1;
  return Math.floor(rest / others) + (index - 1 < rest % others ? 1 : 0);
}

function planTenants(size: BenchSize): TenantPlan[] {
  const spec = SIZES[size];
  const ids = new Prng(SEED, 'tenants');
  return Array.from({ length: spec.tenants }, (_, index) => ({
    index,
    // Deterministic like every row: created a day before the data starts, a second apart.
    id: uuidv7(DATA_START - 86_400_000 + index * 1000, ids),
    name: index === 0 ? 'Bench tenant 0 (measured)' : `Bench tenant ${index}`,
    contacts: share(spec.contacts, spec.tenants, index),
    accounts: share(spec.accounts, spec.tenants, index),
    activities: share(spec.activities, spec.tenants, index),
    opportunities: share(spec.opportunities, spec.tenants, index),
    leads: share(spec.leads, spec.tenants, index),
    cases: share(spec.cases, spec.tenants, index),
    articles: share(spec.articles, spec.tenants, index),
    timelineAccounts: index === 0 ? spec.timelineAccounts : 0,
  }));
}

const emailOf = (tenant: number, user: string): string => `${user}@t${tenant}.bench.rapport.test`;

interface TenantUsers {
  adminEmail: string;
  repIds: string[];
  repRoleId: string;
}

interface Setup {
  users: TenantUsers[];
  benchUserId: string;
  apiKey: string;
}

/**
 * The application's REST API over a loopback socket (not `app.inject`: light-my-request cannot
 * be loaded under Jest's ESM mode, and the test suite calls generate()).
 */
async function call(
  base: string,
  method: 'POST' | 'PUT',
  path: string,
  token: string,
  body: object,
  expect: number,
): Promise<unknown> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== expect) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

async function signIn(base: string, email: string): Promise<string> {
  const res = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'password',
      username: email,
      password: BENCH_PASSWORD,
    }).toString(),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`sign-in ${email}: ${res.status} ${text}`);
  return (JSON.parse(text) as { access_token: string }).access_token;
}

/**
 * Boots the application on the database and makes, through its services and REST API, the
 * tenants with their users, the sales reps' field policies and the bench user's API key.
 */
async function setUp(url: string, plan: TenantPlan[], log: (m: string) => void): Promise<Setup> {
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  const app = await createApp(config, url, { logger: pino({ level: 'silent' }) });
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    const db = app.get(TenantDb);
    const tenants = app.get(TenantsService);
    const usersService = app.get(UsersService);
    // One hash for every bench user (same password); argon2 takes tens of ms a time.
    const hash = await app.get(PasswordHasher).hash(BENCH_PASSWORD);
    const users: TenantUsers[] = [];
    for (const t of plan) {
      // TenantsService.createTenant with a deterministic id instead of a fresh one.
      await db.runAsTenant(t.id, (em) => tenants.insertTenant(em, t.id, t.name));
      const made = await db.runAsTenant(t.id, async (em) => {
        const roles = await builtinRoleIds(em, t.id);
        const managerRole = roles.get('salesManager');
        const repRole = roles.get('salesRep');
        if (!managerRole || !repRole) throw new Error('built-in roles salesManager/salesRep missing');
        const user = (key: string, displayName: string, roleId?: string) =>
          usersService.insertUser(
            em,
            t.id,
            { email: emailOf(t.index, key), displayName, isAdmin: roleId === undefined, roleId },
            hash,
          );
        await user('admin', `Admin (tenant ${t.index})`);
        await user('manager', `Sales manager (tenant ${t.index})`, managerRole);
        const repIds: string[] = [];
        for (let r = 1; r <= REPS; r++)
          repIds.push((await user(`rep${r}`, `Sales rep ${r} (tenant ${t.index})`, repRole)).id);
        return { adminEmail: emailOf(t.index, 'admin'), repIds, repRoleId: repRole };
      });
      users.push(made);
      const adminToken = await signIn(base, made.adminEmail);
      const policy = (object: string, rules: Record<string, string>) =>
        call(
          base,
          'PUT',
          `/v1/field-policies/${made.repRoleId}/${object}`,
          adminToken,
          { mode: 'denyList', rules },
          200,
        );
      await policy('contacts', { phone: 'read' });
      await policy('accounts', { annualRevenue: 'hidden' });
    }
    log(`  ${plan.length} tenants, ${plan.length * (REPS + 2)} users, field policies on salesRep`);

    const benchUser = users[0]!;
    const repToken = await signIn(base, emailOf(0, 'rep1'));
    const scopes = BUILTIN_ROLES.find((r) => r.key === 'salesRep')!.permissions();
    const key = (await call(base, 'POST', '/v1/api-keys', repToken, { name: 'bench', scopes }, 201)) as {
      key: string;
    };
    return { users, benchUserId: benchUser.repIds[0]!, apiKey: key.key };
  } finally {
    await app.close();
  }
}

function* batches(gen: TableGenerator, rows: number): Generator<string> {
  for (let left = rows; left > 0;) {
    const n = Math.min(BATCH_ROWS, left);
    let text = '';
    for (let k = 0; k < n; k++) text += gen.nextLine();
    left -= n;
    yield text;
  }
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const seconds = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;

/**
 * Loads a generator's rows into `table` for one tenant, a chunk per transaction: COPY into a
 * temporary stage table, then INSERT … SELECT as rapport_app with the tenant pinned (RLS, keys,
 * foreign keys and CHECKs apply as to the application's writes).
 */
async function load(
  client: pg.Client,
  table: string,
  columns: Columns,
  tenant: TenantPlan,
  gen: TableGenerator,
  log: (m: string) => void,
): Promise<void> {
  const names = columns.map(([name]) => name).join(', ');
  const stageColumns = columns.map(([name, type]) => `${name} ${type}`).join(', ');
  const start = process.hrtime.bigint();
  while (gen.done < gen.count) {
    const rows = Math.min(CHUNK_ROWS, gen.count - gen.done);
    await client.query('BEGIN');
    try {
      await client.query(`CREATE TEMP TABLE stage (${stageColumns}) ON COMMIT DROP`);
      await pipeline(Readable.from(batches(gen, rows)), client.query(copyFrom('COPY stage FROM STDIN')));
      await client.query('GRANT SELECT ON stage TO rapport_app');
      await client.query(
        `SELECT set_config('role', 'rapport_app', true), set_config('app.tenant_id', $1, true)`,
        [tenant.id],
      );
      const res = await client.query(
        `INSERT INTO ${table} (tenant_id, ${names}) SELECT $1::uuid, ${names} FROM stage`,
        [tenant.id],
      );
      if (res.rowCount !== rows) throw new Error(`${table}: inserted ${res.rowCount} of ${rows} rows`);
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
    if (gen.count > CHUNK_ROWS || gen.done === gen.count) {
      const s = seconds(start);
      log(
        `  ${table.padEnd(10)} tenant ${String(tenant.index).padStart(2)}: ${fmt(gen.done).padStart(9)} / ${fmt(gen.count)} rows, ${fmt(gen.done / s)} rows/s`,
      );
    }
  }
}

/** The measured tenant's facts the manifest needs, gathered while its rows are generated. */
interface Measured {
  timelineAccountIds: string[];
  listFilter: { lifecycleStage: string; industry: string };
  listFilterMatches: number;
  searchTerm: string;
  searchMatches: number;
  ids: string[];
  /** the reports' scenarios: the first pipeline */
  pipelineId: string;
  /** the context scenario's cases (with a contact and an account) */
  contextCaseIds: string[];
}

function measure(
  accounts: AccountGenerator,
  contacts: ContactGenerator,
  timeline: number[],
  pipelines: PipelineSet,
  cases: CaseGenerator,
): Measured {
  // The list scenario: customers (~30%) at accounts of one industry (~1/10 of the linked 90%),
  // the industry with the most such contacts.
  const customer = LIFECYCLE_STAGES.indexOf('customer');
  const perIndustry = new Array<number>(INDUSTRIES.length).fill(0);
  const perSurname = new Array<number>(SURNAMES.length).fill(0);
  for (let c = 0; c < contacts.count; c++) {
    const a = contacts.account[c]!;
    if (a >= 0 && contacts.lifecycle[c] === customer) perIndustry[accounts.industry[a]!]!++;
    perSurname[contacts.lastName[c]!]!++;
  }
  const industry = perIndustry.indexOf(Math.max(...perIndustry));
  // The q scenario: the most common surname that is no first name too (so that it matches last
  // names only: titles hold no surname, and an email is one token of its own).
  let surname = -1;
  perSurname.forEach((count, s) => {
    if (!FIRST_NAMES.includes(SURNAMES[s]!) && (surname < 0 || count > perSurname[surname]!)) surname = s;
  });
  // bench.ids: up to MAX_IDS contacts in a random order (a partial Fisher–Yates shuffle).
  const n = contacts.count;
  const take = Math.min(MAX_IDS, n);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const prng = new Prng(SEED, 'ids');
  const ids: string[] = [];
  for (let k = 0; k < take; k++) {
    const j = k + prng.int(n - k);
    const pos = order[j]!;
    order[j] = order[k]!;
    order[k] = pos;
    ids.push(contacts.ids[pos]!);
  }
  return {
    timelineAccountIds: timeline.map((a) => accounts.ids[a]!),
    listFilter: { lifecycleStage: 'customer', industry: INDUSTRIES[industry]! },
    listFilterMatches: perIndustry[industry]!,
    searchTerm: SURNAMES[surname]!,
    searchMatches: perSurname[surname]!,
    ids,
    pipelineId: pipelines.pipelineIds[0]!,
    contextCaseIds: sample(cases.linked, CONTEXT_CASES, 'context-cases').map((i) => cases.ids[i]!),
  };
}

/** Cases the context scenario rotates over. */
const CONTEXT_CASES = 1_000;

/** Up to `k` of `items`, in a seeded random order (a partial Fisher–Yates shuffle of a copy). */
function sample<T>(items: readonly T[], k: number, stream: string): T[] {
  const pool = [...items];
  const prng = new Prng(SEED, stream);
  const take = Math.min(k, pool.length);
  for (let j = 0; j < take; j++) {
    const r = j + prng.int(pool.length - j);
    [pool[j], pool[r]] = [pool[r]!, pool[j]!];
  }
  return pool.slice(0, take);
}

/** Timeline accounts: distinct accounts among the oldest tenth (they have a long history). */
function pickTimelineAccounts(tenant: TenantPlan): number[] {
  if (tenant.timelineAccounts > tenant.accounts) throw new Error('more timeline accounts than accounts');
  const prng = new Prng(SEED, `timeline-accounts/${tenant.index}`);
  const pool = Math.max(tenant.timelineAccounts, Math.floor(tenant.accounts / 10));
  const chosen = new Set<number>();
  while (chosen.size < tenant.timelineAccounts) chosen.add(prng.int(pool));
  return [...chosen];
}

type Columns = readonly (readonly [string, string])[];

/** A superuser session with bulk-load settings (temp_buffers must precede the first temp table). */
async function bulkSession(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      `SET synchronous_commit = off; SET temp_buffers = '256MB'; SET work_mem = '256MB'; ` +
        `SET maintenance_work_mem = '512MB'`,
    );
  } catch (e) {
    await client.end();
    throw e;
  }
  return client;
}

/**
 * Generates the bench data into the database at `url`, which must exist and hold no bench data
 * yet (a fresh database, or a clone of a migrated template): migrates it (idempotent), creates
 * the tenants and users through the application, loads the rows, writes `bench.ids` and
 * `bench.manifest`, and returns the manifest.
 */
export async function generate(
  url: string,
  size: BenchSize,
  log: (m: string) => void,
): Promise<BenchManifest> {
  const spec = SIZES[size];
  if (!spec) throw new Error(`unknown size ${String(size)}; one of ${BENCH_SIZES.join(', ')}`);
  const timings: Record<string, number> = {};
  const startAll = process.hrtime.bigint();
  const phase = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const start = process.hrtime.bigint();
    const result = await work();
    timings[name] = Math.round((timings[name] ?? 0) * 1000 + seconds(start) * 1000) / 1000;
    return result;
  };

  linkMigrations();
  await phase('migrate', () => migrate(url));
  const plan = planTenants(size);
  log(
    `generating ${size}: ${plan.length} tenants, ${fmt(spec.accounts)} accounts, ${fmt(spec.contacts)} contacts, ` +
      `${fmt(spec.activities)} activities, ${fmt(spec.opportunities)} opportunities, ${fmt(spec.leads)} leads, ` +
      `${fmt(spec.cases)} cases, ${fmt(spec.articles)} articles (seed ${SEED})`,
  );
  log('setup: tenants, users, field policies, API key (through the application)');
  const setup = await phase('setup', () => setUp(url, plan, log));

  // Two loaders at once, each its own session: the measured tenant (half the rows) on one, the
  // other tenants on the other. A load is CPU-bound in its backend (tsvector, five to seven
  // indexes, three or four foreign-key checks per row), so two backends use two cores.
  let failed = false;
  const loadTenant = async (client: pg.Client, tenant: TenantPlan): Promise<Measured | undefined> => {
    const owners = setup.users[tenant.index]!.repIds;
    const table = async (name: string, columns: Columns, gen: TableGenerator) => {
      if (failed) throw new Error('stopped: the other loader failed');
      await phase(`load.${name}`, () => load(client, name, columns, tenant, gen, log));
    };
    const accounts = new AccountGenerator(SEED, tenant.index, tenant.accounts, owners);
    await table('accounts', ACCOUNT_COLUMNS, accounts);
    const timeline = pickTimelineAccounts(tenant);
    const contacts = new ContactGenerator(
      SEED,
      tenant.index,
      tenant.contacts,
      accounts,
      new Set(timeline),
      owners,
    );
    await table('contacts', CONTACT_COLUMNS, contacts);
    await table(
      'activities',
      ACTIVITY_COLUMNS,
      new ActivityGenerator(
        SEED,
        tenant.index,
        tenant.activities,
        accounts,
        contacts,
        timeline,
        TIMELINE_ACTIVITIES,
        owners,
      ),
    );
    // Sales: two pipelines of six stages, products, opportunities with their stage history, leads.
    const pipelines = new PipelineSet(SEED, tenant.index);
    await table('pipelines', PIPELINE_COLUMNS, new LinesGenerator(pipelines.pipelineLines));
    await table('pipeline_stages', STAGE_COLUMNS, new LinesGenerator(pipelines.stageLines));
    await table('products', PRODUCT_COLUMNS, new ProductGenerator(SEED, tenant.index, spec.products));
    const deals = new OpportunityGenerator(
      SEED,
      tenant.index,
      tenant.opportunities,
      pipelines,
      accounts,
      owners,
    );
    await table('opportunities', OPPORTUNITY_COLUMNS, deals);
    await table(
      'opportunity_stage_history',
      STAGE_HISTORY_COLUMNS,
      new StageHistoryGenerator(SEED, tenant.index, deals, pipelines, owners),
    );
    await table(
      'leads',
      LEAD_COLUMNS,
      new LeadGenerator(SEED, tenant.index, tenant.leads, accounts, contacts, deals, owners),
    );
    // Service: queues, knowledge articles, cases (numbered CS-000001… in creation order) and comments.
    const queues = new QueueSet(SEED, tenant.index);
    await table('case_queues', CASE_QUEUE_COLUMNS, new LinesGenerator(queues.lines));
    await table(
      'knowledge_articles',
      ARTICLE_COLUMNS,
      new ArticleGenerator(SEED, tenant.index, tenant.articles),
    );
    const cases = new CaseGenerator(SEED, tenant.index, tenant.cases, accounts, contacts, queues, owners);
    await table('cases', CASE_COLUMNS, cases);
    await table(
      'case_comments',
      CASE_COMMENT_COLUMNS,
      new CaseCommentGenerator(SEED, tenant.index, cases, owners),
    );
    // the next case created through the API continues the numbering (gap-free)
    await client.query(
      `INSERT INTO case_counters (tenant_id, last) VALUES ($1, $2)
       ON CONFLICT (tenant_id) DO UPDATE SET last = EXCLUDED.last`,
      [tenant.id, tenant.cases],
    );
    return tenant.index === 0 ? measure(accounts, contacts, timeline, pipelines, cases) : undefined;
  };
  const loader = async (tenants: TenantPlan[]): Promise<Measured | undefined> => {
    const client = await bulkSession(url);
    let measured: Measured | undefined;
    try {
      for (const tenant of tenants) measured = (await loadTenant(client, tenant)) ?? measured;
      return measured;
    } catch (e) {
      failed = true;
      throw e;
    } finally {
      await client.end();
    }
  };
  const results = await phase('load', () =>
    Promise.all([loader(plan.slice(0, 1)), ...(plan.length > 1 ? [loader(plan.slice(1))] : [])]),
  );
  const m = results[0];
  if (!m) throw new Error('no measured tenant');

  const client = await bulkSession(url);
  try {
    log('vacuum analyze');
    await phase('vacuum', () =>
      client.query(
        'VACUUM (ANALYZE) accounts, contacts, activities, pipelines, pipeline_stages, products, opportunities, ' +
          'opportunity_stage_history, leads, case_queues, knowledge_articles, cases, case_comments',
      ),
    );

    const manifest: BenchManifest = {
      version: MANIFEST_VERSION,
      size,
      seed: SEED,
      tenants: plan.map(
        ({ id, name, contacts, accounts, activities, opportunities, leads, cases, articles }) => ({
          id,
          name,
          contacts,
          accounts,
          activities,
          opportunities,
          leads,
          cases,
          articles,
        }),
      ),
      tenantId: plan[0]!.id,
      user: {
        email: emailOf(0, 'rep1'),
        password: BENCH_PASSWORD,
        userId: setup.benchUserId,
        role: 'salesRep',
      },
      apiKey: setup.apiKey,
      timelineAccountIds: m.timelineAccountIds,
      listFilter: m.listFilter,
      listFilterMatches: m.listFilterMatches,
      searchTerm: m.searchTerm,
      searchMatches: m.searchMatches,
      idCount: m.ids.length,
      pipelineId: m.pipelineId,
      forecastPeriod: currentQuarter(),
      summaryWindow: summaryMonth(),
      contextCaseIds: m.contextCaseIds,
      contextCase: await contextCase(client, plan[0]!.id, m.contextCaseIds[0]),
      metricsWindow: metricsMonth(),
      timings,
      generatedAt: new Date().toISOString(),
    };
    await phase('manifest', () => writeBenchSchema(client, m.ids, manifest));
    timings.total = Math.round(seconds(startAll) * 1000) / 1000;
    await client.query('UPDATE bench.manifest SET body = $1::jsonb WHERE id = 1', [JSON.stringify(manifest)]);
    return manifest;
  } finally {
    await client.end();
  }
}

/** The first context case's links and subject, for the raw side of the context scenario. */
async function contextCase(
  client: pg.Client,
  tenantId: string,
  id: string | undefined,
): Promise<BenchManifest['contextCase']> {
  if (!id) return null;
  const rows = await client.query<{ contactId: string; accountId: string; subject: string }>(
    `SELECT contact_id AS "contactId", account_id AS "accountId", subject FROM cases WHERE tenant_id = $1 AND id = $2`,
    [tenantId, id],
  );
  return rows.rows[0] ? { id, ...rows.rows[0] } : null;
}

/** Schema `bench` (not part of the application's migrations): the contact ids and the manifest. */
async function writeBenchSchema(client: pg.Client, ids: string[], manifest: BenchManifest): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(`
      CREATE SCHEMA IF NOT EXISTS bench;
      DROP TABLE IF EXISTS bench.manifest, bench.ids;
      CREATE TABLE bench.manifest (id int PRIMARY KEY DEFAULT 1 CHECK (id = 1), body jsonb NOT NULL);
      CREATE TABLE bench.ids (n int PRIMARY KEY, id uuid NOT NULL);
      GRANT USAGE ON SCHEMA bench TO rapport_app;
      GRANT SELECT ON bench.manifest, bench.ids TO rapport_app;`);
    function* lines(): Generator<string> {
      for (let k = 0; k < ids.length; k += BATCH_ROWS)
        yield ids
          .slice(k, k + BATCH_ROWS)
          .map((id, j) => `${k + j + 1}\t${id}\n`)
          .join('');
    }
    await pipeline(Readable.from(lines()), client.query(copyFrom('COPY bench.ids (n, id) FROM STDIN')));
    await client.query('INSERT INTO bench.manifest (id, body) VALUES (1, $1::jsonb)', [
      JSON.stringify(manifest),
    ]);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

// CLI ----------------------------------------------------------------------------------------

function parseSize(args: string[]): BenchSize {
  let size: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--size') size = args[++i];
    else if (a.startsWith('--size=')) size = a.slice('--size='.length);
    else throw new Error(`unknown argument ${a}; usage: bench:seed -- --size ${BENCH_SIZES.join('|')}`);
  }
  size ??= 'small';
  if (!(BENCH_SIZES as readonly string[]).includes(size))
    throw new Error(`--size must be one of ${BENCH_SIZES.join(', ')} (got ${size})`);
  return size as BenchSize;
}

async function main(): Promise<void> {
  const say = (m: string): void => void process.stdout.write(`${m}\n`);
  const size = parseSize(process.argv.slice(2));
  linkMigrations();
  const db = await benchDatabase(size, say);
  try {
    say(`bench database: ${db.description}`);
    const start = process.hrtime.bigint();
    await recreateDatabase(db.serverUrl, benchDatabaseName(size));
    say(`recreated ${benchDatabaseName(size)} in ${seconds(start).toFixed(1)} s`);
    const manifest = await generate(db.url, size, say);
    say(`\ndone: ${size}, tenant ${manifest.tenantId}, user ${manifest.user.email}`);
    const [measured, ...others] = manifest.tenants;
    const sum = (k: 'accounts' | 'contacts' | 'activities' | 'opportunities' | 'leads') =>
      others.reduce((n, t) => n + t[k], 0);
    say(
      `rows: measured tenant ${fmt(measured!.accounts)} accounts, ${fmt(measured!.contacts)} contacts, ` +
        `${fmt(measured!.activities)} activities, ${fmt(measured!.opportunities)} opportunities, ` +
        `${fmt(measured!.leads)} leads; ${others.length} other tenant(s) ${fmt(sum('accounts'))} / ` +
        `${fmt(sum('contacts'))} / ${fmt(sum('activities'))} / ${fmt(sum('opportunities'))} / ${fmt(sum('leads'))} in all`,
    );
    say(
      `list filter ${JSON.stringify(manifest.listFilter)} → ${fmt(manifest.listFilterMatches ?? 0)} contacts; ` +
        `q=${manifest.searchTerm} → ${fmt(manifest.searchMatches ?? 0)}; ${fmt(manifest.idCount)} ids`,
    );
    // load.* are summed over the two loaders, which run at the same time; load is the wall time.
    say('\n| phase | seconds |\n| --- | ---: |');
    for (const [name, s] of Object.entries(manifest.timings)) say(`| ${name} | ${s.toFixed(1)} |`);
  } finally {
    await db.stop();
  }
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main().catch((e: unknown) => {
    process.stderr.write(
      `${e instanceof ConfigError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    process.exit(1);
  });
}
