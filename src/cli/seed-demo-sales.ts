import { faker } from '@faker-js/faker';
import pg from 'pg';
import { newId } from '../platform/database/ids.js';
import { idsByExternalId, insertAll, resolve, SeedError, type Row } from './seed-demo-rows.js';

/**
 * The sales part of `npm run seed:demo` (issue 4): two pipelines with their stages, products,
 * opportunities spread over the stages with their stage history (some with line items) and leads,
 * a quarter of them converted. Generated from a fixed faker seed after the customers, whose
 * accounts and contacts the deals and conversions point at; loaded in the same transaction.
 *
 * Re-running adds nothing: pipelines are matched by name, products by SKU, opportunities and
 * leads by external id; stage history and line items are written only for demo opportunities that
 * have none yet.
 */

export const SALES_COUNTS = { products: 12, opportunities: 250, leads: 300 } as const;
export const LEAD_SOURCES = ['website', 'referral', 'event', 'partner', 'outbound', 'paid-search', 'webinar'];

const DAY = 86_400_000;
/** Deals and leads are from the last eighteen months. */
const SALES_SPAN_DAYS = 540;

type Category = 'open' | 'won' | 'lost';

interface DemoPipeline {
  name: string;
  description: string;
  /** the open stages first, then won, then lost */
  stages: { name: string; probability: number; category: Category }[];
}

const PIPELINES: DemoPipeline[] = [
  {
    name: 'New business',
    description: 'First deals with new customers.',
    stages: [
      { name: 'Qualification', probability: 10, category: 'open' },
      { name: 'Discovery', probability: 25, category: 'open' },
      { name: 'Proposal', probability: 50, category: 'open' },
      { name: 'Negotiation', probability: 75, category: 'open' },
      { name: 'Closed won', probability: 100, category: 'won' },
      { name: 'Closed lost', probability: 0, category: 'lost' },
    ],
  },
  {
    name: 'Renewals',
    description: 'Renewals and expansions of existing contracts.',
    stages: [
      { name: 'Renewal due', probability: 20, category: 'open' },
      { name: 'Quote sent', probability: 50, category: 'open' },
      { name: 'Verbal yes', probability: 80, category: 'open' },
      { name: 'Renewed', probability: 100, category: 'won' },
      { name: 'Churned', probability: 0, category: 'lost' },
    ],
  },
];

const PRODUCT_DEFS = [
  { name: 'Rapport Platform seat', description: 'One user, one year.', price: 540 },
  { name: 'Rapport Analytics add-on', description: 'Dashboards and exports, per seat and year.', price: 180 },
  { name: 'Onboarding package', description: 'Two weeks of guided set-up.', price: 4500 },
  { name: 'Premium support', description: '24/7 support with a named engineer, per year.', price: 9000 },
];
const PRODUCT_CURRENCIES = ['USD', 'EUR', 'GBP'];

/** What the sales data needs of the customers generated before it. */
export interface AccountLike {
  externalId: string;
  name: string;
  currency: string;
  createdAt: Date;
}
export interface ContactLike {
  externalId: string;
  account: number | null;
}

interface DemoProduct {
  sku: string;
  name: string;
  description: string;
  unitPrice: string;
  currency: string;
}

interface DemoLine {
  product: number;
  quantity: number;
  unitPrice: string;
  discountPercent: number;
}

interface DemoOpportunity {
  externalId: string;
  name: string;
  account: number;
  contact: number | null;
  pipeline: number;
  /** stages entered (index into the pipeline's stages) and when; the last is the current one */
  path: { stage: number; at: Date }[];
  amount: string;
  currency: string;
  closeDate: Date;
  forecastCategory: string;
  lossReason: string | null;
  source: string;
  closedAt: Date | null;
  lines: DemoLine[];
}

interface DemoLead {
  externalId: string;
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  title: string;
  company: string;
  website: string;
  industry: string;
  employees: number;
  source: string;
  status: string;
  rating: string;
  score: number;
  createdAt: Date;
  converted: { at: Date; account: number; contact: number | null; opportunity: number | null } | null;
}

export interface DemoSales {
  products: DemoProduct[];
  opportunities: DemoOpportunity[];
  leads: DemoLead[];
}

const pad = (n: number): string => String(n).padStart(4, '0');
const cents = (c: number): string => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;
const at = (from: number, to: number): Date =>
  new Date(faker.number.int({ min: from, max: Math.max(from, to) }));

/** The line's total as the database computes it: round(quantity × unit price × (100 − discount) / 100, 2). */
function lineCents(line: DemoLine, priceCents: number): number {
  return Math.round((line.quantity * priceCents * (100 - line.discountPercent)) / 100);
}

export function generateSales(now: number, accounts: AccountLike[], contacts: ContactLike[]): DemoSales {
  faker.seed(4242);
  const start = now - SALES_SPAN_DAYS * DAY;
  const products: DemoProduct[] = PRODUCT_CURRENCIES.flatMap((currency, c) =>
    PRODUCT_DEFS.map((p, k) => ({
      sku: `DEMO-${currency}-${k + 1}`,
      name: `${p.name} (${currency})`,
      description: p.description,
      unitPrice: `${Math.round(p.price * [1, 0.92, 0.8][c]!)}.00`,
      currency,
    })),
  );
  const contactsOf = new Map<number, number[]>();
  contacts.forEach((c, i) => {
    if (c.account !== null) contactsOf.set(c.account, [...(contactsOf.get(c.account) ?? []), i]);
  });

  const opportunities: DemoOpportunity[] = [];
  for (let i = 1; i <= SALES_COUNTS.opportunities; i++) {
    const account = faker.number.int({ min: 0, max: accounts.length - 1 });
    const a = accounts[account]!;
    const pipeline = faker.datatype.boolean({ probability: 0.7 }) ? 0 : 1;
    const stages = PIPELINES[pipeline]!.stages;
    const openStages = stages.filter((s) => s.category === 'open').length;
    const created = at(Math.max(start, a.createdAt.getTime()), now - DAY).getTime();
    const closeDate = new Date(
      Math.floor((created + faker.number.int({ min: 14, max: 150 }) * DAY) / DAY) * DAY,
    );
    const open = closeDate.getTime() > now;
    const reached = faker.number.int({ min: 1, max: openStages });
    const won = !open && faker.datatype.boolean({ probability: 0.2 + 0.15 * reached });
    const closedAt = open
      ? null
      : new Date(Math.max(created + DAY, closeDate.getTime() - faker.number.int({ min: 0, max: 5 }) * DAY));
    const end = closedAt?.getTime() ?? now;
    const path = Array.from({ length: reached }, (_, k) => ({
      stage: k,
      at: new Date(
        k === 0
          ? created
          : created + Math.floor(((end - created) * (k - 0.5 + 0.5 * faker.number.float())) / reached),
      ),
    }));
    if (closedAt)
      path.push({ stage: stages.findIndex((s) => s.category === (won ? 'won' : 'lost')), at: closedAt });
    const current = stages[path[path.length - 1]!.stage]!;
    const priced = PRODUCT_CURRENCIES.indexOf(a.currency);
    const lines: DemoLine[] =
      priced >= 0 && faker.datatype.boolean({ probability: 0.4 })
        ? Array.from({ length: faker.number.int({ min: 1, max: 3 }) }, (_, k) => {
            const product = priced * PRODUCT_DEFS.length + ((i + k) % PRODUCT_DEFS.length);
            return {
              product,
              quantity: faker.number.int({ min: 1, max: 50 }),
              unitPrice: products[product]!.unitPrice,
              discountPercent: faker.helpers.arrayElement([0, 0, 5, 10, 15]),
            };
          })
        : [];
    const amount = lines.length
      ? cents(lines.reduce((sum, l) => sum + lineCents(l, Math.round(Number(l.unitPrice) * 100)), 0))
      : `${faker.number.int({ min: 5, max: 300 }) * 500}.00`;
    const people = contactsOf.get(account) ?? [];
    opportunities.push({
      externalId: `demo-opportunity-${pad(i)}`,
      name: `${a.name} — ${faker.helpers.arrayElement(pipeline === 0 ? ['new seats', 'pilot', 'platform deal', 'analytics'] : ['renewal', 'expansion', 'multi-year renewal'])}`,
      account,
      contact: people.length ? faker.helpers.arrayElement(people) : null,
      pipeline,
      path,
      amount,
      currency: a.currency,
      closeDate,
      forecastCategory:
        current.category === 'won'
          ? 'closed'
          : current.category === 'lost'
            ? 'omitted'
            : faker.helpers.weightedArrayElement([
                { value: 'pipeline', weight: 5 - path.length },
                { value: 'bestCase', weight: 2 },
                { value: 'commit', weight: path.length },
              ]),
      lossReason:
        current.category === 'lost'
          ? faker.helpers.arrayElement(['price', 'competitor', 'no budget', 'timing', 'no decision'])
          : null,
      source: faker.helpers.arrayElement(LEAD_SOURCES),
      closedAt,
      lines,
    });
  }

  const opportunitiesOf = new Map<number, number[]>();
  opportunities.forEach((o, i) =>
    opportunitiesOf.set(o.account, [...(opportunitiesOf.get(o.account) ?? []), i]),
  );
  const leads: DemoLead[] = [];
  for (let i = 1; i <= SALES_COUNTS.leads; i++) {
    const firstName = faker.person.firstName();
    const lastName = faker.person.lastName();
    const company = faker.company.name();
    const slug = faker.helpers
      .slugify(company.toLowerCase())
      .replace(/[^a-z0-9-]+/g, '')
      .replace(/-+/g, '-');
    const createdAt = at(start, now - DAY);
    let converted: DemoLead['converted'] = null;
    if (createdAt.getTime() < now - 7 * DAY && faker.datatype.boolean({ probability: 0.25 })) {
      const account = faker.number.int({ min: 0, max: accounts.length - 1 });
      const people = contactsOf.get(account) ?? [];
      const deals = opportunitiesOf.get(account) ?? [];
      converted = {
        at: at(createdAt.getTime() + DAY, Math.min(now, createdAt.getTime() + 30 * DAY)),
        account,
        contact: people.length ? faker.helpers.arrayElement(people) : null,
        opportunity:
          deals.length && faker.datatype.boolean({ probability: 0.6 })
            ? faker.helpers.arrayElement(deals)
            : null,
      };
    }
    leads.push({
      externalId: `demo-lead-${pad(i)}`,
      firstName,
      lastName,
      email: `${faker.helpers.slugify(`${firstName}.${lastName}`.toLowerCase()).replace(/[^a-z0-9.-]+/g, '')}.${i}@${slug || 'lead'}.example`,
      phone: faker.phone.number({ style: 'international' }),
      title: faker.person.jobTitle(),
      company,
      website: `https://www.${slug || 'lead'}.example`,
      industry: faker.helpers.arrayElement(['saas', 'fintech', 'healthcare', 'retail', 'logistics', 'media']),
      employees: Math.round(10 ** faker.number.float({ min: 1, max: 4 })),
      source: faker.helpers.arrayElement(LEAD_SOURCES),
      status: converted
        ? 'converted'
        : faker.helpers.weightedArrayElement([
            { value: 'new', weight: 30 },
            { value: 'working', weight: 25 },
            { value: 'nurturing', weight: 15 },
            { value: 'qualified', weight: 10 },
            { value: 'unqualified', weight: 20 },
          ]),
      rating: faker.helpers.arrayElement(['hot', 'warm', 'cold']),
      score: faker.number.int({ min: 0, max: 100 }),
      createdAt,
      converted,
    });
  }
  return { products, opportunities, leads };
}

/** The ids the sales rows point at, resolved by the caller from the customers it loaded. */
export interface CustomerIds {
  account(index: number): string;
  contact(index: number | null): string | null;
}

export type SalesInserted = Record<keyof typeof SALES_COUNTS | 'pipelines', number>;

/** Loads the sales data in the caller's transaction (rapport_app, tenant pinned). */
export async function loadSales(
  client: pg.ClientBase,
  tenantId: string,
  ownerId: string,
  data: DemoSales,
  customers: CustomerIds,
): Promise<SalesInserted> {
  let pipelinesInserted = 0;
  const stageIds: string[][] = [];
  const pipelineIds: string[] = [];
  for (const def of PIPELINES) {
    const found = await client.query<{ id: string }>(
      'SELECT id FROM pipelines WHERE name = $1 AND deleted_at IS NULL ORDER BY created_at, id LIMIT 1',
      [def.name],
    );
    let pipelineId = found.rows[0]?.id;
    if (!pipelineId) {
      pipelineId = newId();
      await insertAll(
        client,
        'pipelines',
        [{ tenant_id: tenantId, id: pipelineId, name: def.name, description: def.description }],
        null,
      );
      await insertAll(
        client,
        'pipeline_stages',
        def.stages.map((s, k) => ({
          tenant_id: tenantId,
          id: newId(),
          pipeline_id: pipelineId!,
          name: s.name,
          position: k + 1,
          probability: s.probability,
          category: s.category,
        })),
        null,
      );
      pipelinesInserted++;
    }
    const stages = await client.query<{ id: string; name: string }>(
      'SELECT id, name FROM pipeline_stages WHERE pipeline_id = $1 AND deleted_at IS NULL',
      [pipelineId],
    );
    const byName = new Map(stages.rows.map((r) => [r.name, r.id]));
    stageIds.push(
      def.stages.map((s) => {
        const id = byName.get(s.name);
        if (!id)
          throw new SeedError(
            `Pipeline "${def.name}" exists without its stage "${s.name}"; rename it to seed.`,
          );
        return id;
      }),
    );
    pipelineIds.push(pipelineId);
  }

  const products = await insertAll(
    client,
    'products',
    data.products.map((p) => ({
      tenant_id: tenantId,
      id: newId(),
      sku: p.sku,
      name: p.name,
      description: p.description,
      unit_price: p.unitPrice,
      currency: p.currency,
    })),
    '(tenant_id, sku)',
  );
  const productIds = new Map(
    (
      await client.query<{ id: string; sku: string }>('SELECT id, sku FROM products WHERE sku = ANY($1)', [
        data.products.map((p) => p.sku),
      ])
    ).rows.map((r) => [r.sku, r.id]),
  );

  const opportunities = await insertAll(
    client,
    'opportunities',
    data.opportunities.map((o): Row => {
      const current = o.path[o.path.length - 1]!;
      return {
        tenant_id: tenantId,
        id: newId(),
        name: o.name,
        account_id: customers.account(o.account),
        primary_contact_id: customers.contact(o.contact),
        pipeline_id: pipelineIds[o.pipeline]!,
        stage_id: stageIds[o.pipeline]![current.stage]!,
        amount: o.amount,
        currency: o.currency,
        close_date: o.closeDate,
        probability: PIPELINES[o.pipeline]!.stages[current.stage]!.probability,
        forecast_category: o.forecastCategory,
        owner_id: ownerId,
        loss_reason: o.lossReason,
        source: o.source,
        closed_at: o.closedAt,
        external_id: o.externalId,
        created_at: o.path[0]!.at,
        updated_at: current.at,
      };
    }),
  );
  const opportunityIds = await idsByExternalId(client, 'opportunities', 'demo-opportunity-');
  const byExternalId = new Map(data.opportunities.map((o) => [o.externalId, o]));

  // History and lines only for demo deals that have none (new ones, or a load cut short before).
  const bare = async (table: string) =>
    (
      await client.query<{ external_id: string }>(
        `SELECT o.external_id FROM opportunities o WHERE o.external_id LIKE 'demo-opportunity-%'
            AND NOT EXISTS (SELECT 1 FROM ${table} x WHERE x.opportunity_id = o.id)`,
      )
    ).rows
      .map((r) => byExternalId.get(r.external_id))
      .filter((o): o is DemoOpportunity => o !== undefined);
  const history: Row[] = (await bare('opportunity_stage_history')).flatMap((o) =>
    o.path.map((entry, k) => ({
      tenant_id: tenantId,
      id: newId(),
      opportunity_id: resolve(opportunityIds, o.externalId),
      from_stage_id: k === 0 ? null : stageIds[o.pipeline]![o.path[k - 1]!.stage]!,
      to_stage_id: stageIds[o.pipeline]![entry.stage]!,
      changed_at: entry.at,
      changed_by: ownerId,
      seconds_in_from_stage: k === 0 ? null : (entry.at.getTime() - o.path[k - 1]!.at.getTime()) / 1000,
    })),
  );
  await insertAll(client, 'opportunity_stage_history', history, null);
  const lines: Row[] = (await bare('opportunity_line_items')).flatMap((o) =>
    o.lines.map((l) => ({
      tenant_id: tenantId,
      id: newId(),
      opportunity_id: resolve(opportunityIds, o.externalId),
      product_id: resolve(productIds, data.products[l.product]!.sku),
      quantity: l.quantity,
      unit_price: l.unitPrice,
      discount_percent: l.discountPercent,
      currency: o.currency,
    })),
  );
  await insertAll(client, 'opportunity_line_items', lines, null);

  const leads = await insertAll(
    client,
    'leads',
    data.leads.map((l) => ({
      tenant_id: tenantId,
      id: newId(),
      first_name: l.firstName,
      last_name: l.lastName,
      email: l.email,
      phone: l.phone,
      title: l.title,
      company: l.company,
      website: l.website,
      industry: l.industry,
      employees: l.employees,
      source: l.source,
      status: l.status,
      rating: l.rating,
      score: l.score,
      owner_id: ownerId,
      converted_account_id: l.converted ? customers.account(l.converted.account) : null,
      converted_contact_id: l.converted ? customers.contact(l.converted.contact) : null,
      converted_opportunity_id:
        l.converted?.opportunity != null
          ? resolve(opportunityIds, data.opportunities[l.converted.opportunity]!.externalId)
          : null,
      converted_at: l.converted?.at ?? null,
      converted_by: l.converted ? ownerId : null,
      external_id: l.externalId,
      created_at: l.createdAt,
      updated_at: l.converted?.at ?? l.createdAt,
    })),
  );
  return { pipelines: pipelinesInserted, products, opportunities, leads };
}
