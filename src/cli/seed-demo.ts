import {
  Faker,
  faker,
  fakerDE,
  fakerEN_AU,
  fakerEN_CA,
  fakerEN_GB,
  fakerEN_US,
  fakerFR,
} from '@faker-js/faker';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { postgresAnswers } from '../platform/database/probe.js';
import { AppConfig, ConfigError, loadConfig } from '../platform/config/config.js';
import { bootstrapDatabase } from '../platform/database/bootstrap.js';
import { newId } from '../platform/database/ids.js';
import { createRootLogger } from '../platform/http/logger.js';
import { idsByExternalId, insertAll, resolve, SeedError } from './seed-demo-rows.js';
import { generateSales, LEAD_SOURCES, loadSales, SALES_COUNTS, type DemoSales } from './seed-demo-sales.js';
import { generateService, loadService, SERVICE_COUNTS, type DemoService } from './seed-demo-service.js';

/**
 * `npm run seed:demo`: loads a realistic demo dataset into the database `npm start` uses, in the
 * default tenant (the one RAPPORT_ADMIN_EMAIL signs in to): 200 accounts, 1,000 contacts (most at
 * an account) and 3,000 activities over the last two years; and sales (seed-demo-sales.ts): two
 * pipelines, 12 products, 250 opportunities across the stages with their stage history (some with
 * line items) and 300 leads, a quarter of them converted; and service (seed-demo-service.ts): a
 * business-hours calendar, SLA policies, three queues, 400 cases across every status with comments,
 * SLA figures and CSAT, and 30 knowledge articles.
 *
 * Where: DATABASE_URL if set; else the embedded PostgreSQL under RAPPORT_DATA_DIR, reached on
 * EMBEDDED_PG_PORT if the server is running (it owns the cluster), else started here for the run.
 *
 * Everything goes in one transaction as rapport_app with app.tenant_id pinned, so row-level
 * security checks every row. Rows carry external ids (demo-account-0001, …; products their SKU,
 * pipelines their name) and conflicting ones are skipped, so running it again adds nothing and
 * repairs a partial load. The data is generated from
 * a fixed faker seed; only the dates move with today.
 */

/** TenantDb's APP_ROLE, repeated: importing tenant-db.js pulls in Nest and TypeORM (~1 s of start-up). */
const APP_ROLE = 'rapport_app';
const COUNTS = { accounts: 200, contacts: 1000, activities: 3000 } as const;
const DAY = 86_400_000;
const SPAN_DAYS = 730;

const say = (m: string): void => void process.stdout.write(`${m}\n`);

// ---------------------------------------------------------------------------------------------
// Connection

interface Connection {
  url: string;
  description: string;
  stop(): Promise<void>;
}

/** The same database `npm start` uses; connects to a running embedded server rather than starting a second one. */
async function connect(config: AppConfig): Promise<Connection> {
  const quiet = createRootLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);
  if (config.DATABASE_URL) {
    const db = await bootstrapDatabase(config, quiet);
    return { url: db.url, description: db.description, stop: () => db.stop() };
  }
  const root = path.resolve(config.RAPPORT_DATA_DIR);
  const credentialsFile = path.join(root, 'credentials.json');
  if (!existsSync(credentialsFile)) {
    throw new SeedError(
      `No Rapport database in ${root} yet: run \`npm start\` once first (or set DATABASE_URL).`,
    );
  }
  const { password } = JSON.parse(await readFile(credentialsFile, 'utf8')) as { password: string };
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${config.EMBEDDED_PG_PORT}/rapport`;
  if (await postgresAnswers(url)) {
    return {
      url,
      description: `running embedded PostgreSQL on 127.0.0.1:${config.EMBEDDED_PG_PORT}`,
      stop: async () => undefined,
    };
  }
  say(`Starting the embedded PostgreSQL in ${root} for this run…`);
  const db = await bootstrapDatabase(config, quiet);
  return { url: db.url, description: db.description, stop: () => db.stop() };
}

// ---------------------------------------------------------------------------------------------
// Generation (pure: the same seed gives the same rows, whatever is in the database)

interface Region {
  country: string;
  faker: Faker;
  currency: string;
  hasRegion: boolean;
  weight: number;
}

const REGIONS: Region[] = [
  { country: 'US', faker: fakerEN_US, currency: 'USD', hasRegion: true, weight: 40 },
  { country: 'GB', faker: fakerEN_GB, currency: 'GBP', hasRegion: false, weight: 15 },
  { country: 'DE', faker: fakerDE, currency: 'EUR', hasRegion: true, weight: 15 },
  { country: 'FR', faker: fakerFR, currency: 'EUR', hasRegion: false, weight: 10 },
  { country: 'CA', faker: fakerEN_CA, currency: 'CAD', hasRegion: true, weight: 10 },
  { country: 'AU', faker: fakerEN_AU, currency: 'AUD', hasRegion: true, weight: 10 },
];

const INDUSTRIES = [
  'saas',
  'fintech',
  'healthcare',
  'manufacturing',
  'retail',
  'education',
  'logistics',
  'media',
  'energy',
  'consulting',
];
const ACCOUNT_TAGS = ['enterprise', 'mid-market', 'smb', 'partner', 'strategic', 'churn-risk', 'expansion'];
const CONTACT_TAGS = ['decision-maker', 'champion', 'newsletter', 'webinar', 'event-2025', 'vip'];

interface Address {
  street: string;
  city: string;
  region?: string;
  postalCode: string;
  country: string;
}

interface DemoAccount {
  externalId: string;
  name: string;
  domain: string;
  industry: string;
  employees: number;
  annualRevenue: string;
  currency: string;
  website: string;
  phone: string;
  billingAddress: Address;
  tags: string[];
  createdAt: Date;
  updatedAt: Date;
  region: Region;
}

interface DemoContact {
  externalId: string;
  /** index into the accounts, or null for a contact without an account */
  account: number | null;
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  title: string;
  lifecycleStage: string;
  leadSource: string;
  doNotContact: boolean;
  address: Address | null;
  tags: string[];
  createdAt: Date;
  updatedAt: Date;
}

interface DemoActivity {
  externalId: string;
  type: string;
  subject: string;
  body: string | null;
  occurredAt: Date;
  dueAt: Date | null;
  status: string;
  account: number | null;
  contact: number | null;
  createdAt: Date;
}

interface DemoData {
  accounts: DemoAccount[];
  contacts: DemoContact[];
  activities: DemoActivity[];
  sales: DemoSales;
  service: DemoService;
}

const pad = (n: number): string => String(n).padStart(4, '0');

function address(region: Region): Address {
  const f = region.faker;
  return {
    street: f.location.streetAddress(),
    city: f.location.city(),
    ...(region.hasRegion ? { region: f.location.state() } : {}),
    postalCode: f.location.zipCode(),
    country: region.country,
  };
}

/** A time between `from` and `to`, leaning towards `to` (activity grows as a CRM is adopted). */
function between(from: number, to: number, lean = 1): Date {
  const r = faker.number.float({ min: 0, max: 1 }) ** (1 / lean);
  return new Date(Math.round(from + (to - from) * r));
}

function later(date: Date, now: number): Date {
  return faker.datatype.boolean({ probability: 0.6 }) ? date : between(date.getTime(), now);
}

/** Picks from `n` items with a long tail: a few large accounts get many contacts. */
const skewed = (n: number): number =>
  Math.min(n - 1, Math.floor(n * faker.number.float({ min: 0, max: 1 }) ** 1.8));

function generate(now: number): DemoData {
  faker.seed(42);
  REGIONS.forEach((r, i) => r.faker.seed(42 + i));
  const start = now - SPAN_DAYS * DAY;

  const accounts: DemoAccount[] = [];
  const usedDomains = new Set<string>();
  for (let i = 1; i <= COUNTS.accounts; i++) {
    const region = faker.helpers.weightedArrayElement(REGIONS.map((r) => ({ value: r, weight: r.weight })));
    const name = region.faker.company.name();
    let slug = faker.helpers
      .slugify(name.toLowerCase())
      .replace(/[^a-z0-9-]+/g, '')
      .replace(/-+/g, '-')
      .replace(/^-|-$/g, '');
    if (usedDomains.has(slug)) slug = `${slug}-${i}`;
    usedDomains.add(slug);
    // RFC 2606 reserved TLD: demo addresses can never reach anyone.
    const domain = `${slug}.example`;
    const employees = Math.round(10 ** faker.number.float({ min: 1, max: 4.7 }));
    const createdAt = between(start, now, 0.8);
    accounts.push({
      externalId: `demo-account-${pad(i)}`,
      name,
      domain,
      industry: faker.helpers.arrayElement(INDUSTRIES),
      employees,
      annualRevenue: (employees * faker.number.int({ min: 60_000, max: 250_000 })).toFixed(2),
      currency: region.currency,
      website: `https://www.${domain}`,
      phone: region.faker.phone.number({ style: 'international' }),
      billingAddress: address(region),
      tags: faker.helpers.arrayElements(ACCOUNT_TAGS, { min: 0, max: 2 }),
      createdAt,
      updatedAt: later(createdAt, now),
      region,
    });
  }

  const contacts: DemoContact[] = [];
  for (let i = 1; i <= COUNTS.contacts; i++) {
    const account = faker.datatype.boolean({ probability: 0.85 }) ? skewed(accounts.length) : null;
    const region = account === null ? faker.helpers.arrayElement(REGIONS) : accounts[account].region;
    const firstName = region.faker.person.firstName();
    const lastName = region.faker.person.lastName();
    const local = faker.helpers
      .slugify(`${firstName}.${lastName}`.toLowerCase())
      .replace(/[^a-z0-9.-]+/g, '');
    const domain =
      account === null
        ? `${faker.helpers.slugify(faker.word.noun().toLowerCase())}-mail.example`
        : accounts[account].domain;
    const createdAt = between(account === null ? start : accounts[account].createdAt.getTime(), now, 0.9);
    contacts.push({
      externalId: `demo-contact-${pad(i)}`,
      account,
      firstName,
      lastName,
      email: `${local}.${i}@${domain}`,
      phone: region.faker.phone.number({ style: 'international' }),
      title: region.faker.person.jobTitle(),
      lifecycleStage: faker.helpers.weightedArrayElement([
        { value: 'subscriber', weight: 10 },
        { value: 'lead', weight: 25 },
        { value: 'marketingQualified', weight: 15 },
        { value: 'salesQualified', weight: 12 },
        { value: 'opportunity', weight: 10 },
        { value: 'customer', weight: 22 },
        { value: 'evangelist', weight: 4 },
        { value: 'other', weight: 2 },
      ]),
      leadSource: faker.helpers.arrayElement(LEAD_SOURCES),
      doNotContact: faker.datatype.boolean({ probability: 0.03 }),
      address: faker.datatype.boolean({ probability: 0.4 }) ? address(region) : null,
      tags: faker.helpers.arrayElements(CONTACT_TAGS, { min: 0, max: 2 }),
      createdAt,
      updatedAt: later(createdAt, now),
    });
  }

  const activities: DemoActivity[] = [];
  for (let i = 1; i <= COUNTS.activities; i++) {
    // Three in four concern a contact (and the contact's account); the rest only an account.
    let contact: number | null = null;
    let account: number | null;
    if (faker.datatype.boolean({ probability: 0.75 })) {
      contact = skewed(contacts.length);
      account = contacts[contact].account;
    } else {
      account = skewed(accounts.length);
    }
    const since =
      contact !== null
        ? contacts[contact].createdAt.getTime()
        : accounts[account as number].createdAt.getTime();
    const person = contact !== null ? contacts[contact].firstName : 'the team';
    const company =
      account !== null
        ? accounts[account].name
        : `${contacts[contact as number].firstName} ${contacts[contact as number].lastName}`;
    const topic = faker.company.buzzPhrase();
    const type = faker.helpers.weightedArrayElement([
      { value: 'email', weight: 35 },
      { value: 'call', weight: 25 },
      { value: 'meeting', weight: 15 },
      { value: 'note', weight: 15 },
      { value: 'task', weight: 10 },
    ]);
    const occurredAt = between(since, now, 1.3);
    let status = 'completed';
    let dueAt: Date | null = null;
    let subject: string;
    let body: string | null = faker.lorem.sentences({ min: 1, max: 3 });
    switch (type) {
      case 'email':
        subject = faker.helpers.arrayElement([
          `Re: ${topic}`,
          `Proposal for ${company}`,
          `Follow-up: ${topic}`,
          `Pricing question from ${person}`,
        ]);
        break;
      case 'call':
        subject = faker.helpers.arrayElement([
          `Call with ${person}`,
          `Discovery call: ${company}`,
          `Check-in with ${person}`,
        ]);
        body = `${faker.number.int({ min: 5, max: 55 })} min. ${body}`;
        break;
      case 'meeting':
        subject = faker.helpers.arrayElement([
          `Demo for ${company}`,
          `Quarterly business review`,
          `Workshop: ${topic}`,
          `Kick-off with ${company}`,
        ]);
        break;
      case 'note':
        subject = faker.helpers.arrayElement([
          `Notes on ${company}`,
          `${person} prefers email`,
          `Budget cycle starts next quarter`,
        ]);
        break;
      default: {
        subject = faker.helpers.arrayElement([
          `Send contract to ${person}`,
          `Follow up on ${topic}`,
          `Prepare renewal quote`,
          `Schedule demo`,
        ]);
        body = faker.datatype.boolean({ probability: 0.5 }) ? body : null;
        dueAt = new Date(occurredAt.getTime() + faker.number.int({ min: 1, max: 21 }) * DAY);
        status =
          dueAt.getTime() > now
            ? 'open'
            : faker.helpers.weightedArrayElement([
                { value: 'completed', weight: 85 },
                { value: 'cancelled', weight: 10 },
                { value: 'open', weight: 5 },
              ]);
      }
    }
    activities.push({
      externalId: `demo-activity-${pad(i)}`,
      type,
      subject,
      body,
      occurredAt,
      dueAt,
      status,
      account,
      contact,
      createdAt: occurredAt,
    });
  }
  const sales = generateSales(now, accounts, contacts);
  return { accounts, contacts, activities, sales, service: generateService(now, contacts) };
}

// ---------------------------------------------------------------------------------------------
// Loading

interface LoadResult {
  tenantId: string;
  tenantName: string;
  inserted: Record<
    keyof typeof COUNTS | keyof typeof SALES_COUNTS | keyof typeof SERVICE_COUNTS | 'pipelines',
    number
  >;
}

async function load(url: string, adminEmail: string, data: DemoData): Promise<LoadResult> {
  const client = new pg.Client({ connectionString: url, application_name: 'rapport-seed-demo' });
  await client.connect();
  try {
    const found = await client
      .query<{ tenant_id: string; user_id: string }>(
        // The sign-in directory's own lookup (SECURITY DEFINER): the same answer the token endpoint gets.
        'SELECT tenant_id, user_id FROM sign_in_lookup($1)',
        [adminEmail],
      )
      .catch((e: unknown) => {
        throw new SeedError(
          `The database has no Rapport schema yet: run \`npm start\` once first. (${e instanceof Error ? e.message : String(e)})`,
        );
      });
    if (found.rowCount === 0) {
      throw new SeedError(
        `No user ${adminEmail} and so no default tenant yet: run \`npm start\` once first (it creates both).`,
      );
    }
    const { tenant_id: tenantId, user_id: ownerId } = found.rows[0];

    await client.query('BEGIN');
    try {
      await client.query(`SELECT set_config('role', $1, true), set_config('app.tenant_id', $2, true)`, [
        APP_ROLE,
        tenantId,
      ]);
      const tenant = await client.query<{ name: string }>('SELECT name FROM tenants WHERE id = $1', [
        tenantId,
      ]);

      const accounts = await insertAll(
        client,
        'accounts',
        data.accounts.map((a) => ({
          tenant_id: tenantId,
          id: newId(),
          name: a.name,
          domain: a.domain,
          industry: a.industry,
          employees: a.employees,
          annual_revenue: a.annualRevenue,
          currency: a.currency,
          website: a.website,
          phone: a.phone,
          billing_address: a.billingAddress,
          owner_id: ownerId,
          external_id: a.externalId,
          tags: a.tags,
          created_at: a.createdAt,
          updated_at: a.updatedAt,
        })),
      );
      const accountIds = await idsByExternalId(client, 'accounts', 'demo-account-');
      const accountId = (index: number | null): string | null =>
        index === null ? null : resolve(accountIds, data.accounts[index].externalId);

      const contacts = await insertAll(
        client,
        'contacts',
        data.contacts.map((c) => ({
          tenant_id: tenantId,
          id: newId(),
          first_name: c.firstName,
          last_name: c.lastName,
          email: c.email,
          phone: c.phone,
          title: c.title,
          account_id: accountId(c.account),
          owner_id: ownerId,
          lifecycle_stage: c.lifecycleStage,
          lead_source: c.leadSource,
          do_not_contact: c.doNotContact,
          address: c.address,
          external_id: c.externalId,
          tags: c.tags,
          created_at: c.createdAt,
          updated_at: c.updatedAt,
        })),
      );
      const contactIds = await idsByExternalId(client, 'contacts', 'demo-contact-');
      const contactId = (index: number | null): string | null =>
        index === null ? null : resolve(contactIds, data.contacts[index].externalId);

      const activities = await insertAll(
        client,
        'activities',
        data.activities.map((a) => ({
          tenant_id: tenantId,
          id: newId(),
          type: a.type,
          subject: a.subject,
          body: a.body,
          occurred_at: a.occurredAt,
          due_at: a.dueAt,
          status: a.status,
          owner_id: ownerId,
          account_id: accountId(a.account),
          contact_id: contactId(a.contact),
          external_id: a.externalId,
          created_at: a.createdAt,
          updated_at: a.createdAt,
        })),
      );
      const sales = await loadSales(client, tenantId, ownerId, data.sales, {
        account: (index) => accountId(index)!,
        contact: contactId,
      });
      const service = await loadService(client, tenantId, ownerId, data.service, {
        account: accountId,
        contact: contactId,
      });
      await client.query('COMMIT');
      return {
        tenantId,
        tenantName: tenant.rows[0]?.name ?? '?',
        inserted: { accounts, contacts, activities, ...sales, ...service },
      };
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const config = loadConfig();
  const adminEmail = config.RAPPORT_ADMIN_EMAIL.trim().toLowerCase();
  const data = generate(started);
  const db = await connect(config);
  try {
    say(`Seeding demo data into ${db.description}`);
    const result = await load(db.url, adminEmail, data);
    say(`Tenant "${result.tenantName}" (${result.tenantId}), signed in to as ${adminEmail}:`);
    const expected = { ...COUNTS, pipelines: 2, ...SALES_COUNTS, ...SERVICE_COUNTS };
    for (const key of Object.keys(expected) as (keyof typeof expected)[]) {
      const inserted = result.inserted[key];
      const present = expected[key] - inserted;
      say(
        `  ${key.padEnd(13)} ${String(inserted).padStart(5)} inserted${present > 0 ? `, ${present} already there` : ''}`,
      );
    }
    // performance.now() counts from process start, so this includes loading the code.
    say(`Done in ${(performance.now() / 1000).toFixed(2)} s.`);
  } finally {
    await db.stop();
  }
}

main().catch((e: unknown) => {
  if (e instanceof SeedError || e instanceof ConfigError) {
    process.stderr.write(`seed:demo: ${e.message}\n`);
    process.exit(e instanceof ConfigError ? 78 : 1);
  }
  process.stderr.write(`seed:demo failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
