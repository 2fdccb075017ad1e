import { faker } from '@faker-js/faker';
import pg from 'pg';
import { newId } from '../platform/database/ids.js';
import {
  addBusinessMinutes,
  type BusinessCalendarSpec,
  businessMinutesBetween,
} from '../modules/service/sla/business-time.js';
import { idsByExternalId, insertAll, resolve, type Row } from './seed-demo-rows.js';

/**
 * The service part of `npm run seed:demo` (issue 5): a business-hours calendar, three SLA
 * policies, three case queues (the demo admin a member of each), 400 cases across every status
 * with comments, SLA due dates computed in business time, breaches and CSAT, and 30 knowledge
 * articles (most published, some linked to the cases they solved). Generated from a fixed faker
 * seed after the customers, whose contacts and accounts the cases belong to; loaded in the same
 * transaction.
 *
 * Re-running adds nothing: the calendar, policies, queues and articles are matched by name or
 * title, cases by external id; comments, article versions and links are written only for demo
 * rows that have none yet.
 */

export const SERVICE_COUNTS = { queues: 3, cases: 400, articles: 30 } as const;

const DAY = 86_400_000;
const MINUTE = 60_000;
/** Cases are from the last year. */
const SPAN_DAYS = 365;

export const DEMO_CALENDAR: { name: string; spec: BusinessCalendarSpec } = {
  name: 'Support hours (Berlin)',
  spec: {
    timeZone: 'Europe/Berlin',
    weeklyHours: {
      mon: [{ start: '08:00', end: '18:00' }],
      tue: [{ start: '08:00', end: '18:00' }],
      wed: [{ start: '08:00', end: '18:00' }],
      thu: [{ start: '08:00', end: '18:00' }],
      fri: [{ start: '08:00', end: '16:00' }],
      sat: [],
      sun: [],
    },
    holidays: [
      '2025-12-25',
      '2025-12-26',
      '2026-01-01',
      '2026-05-01',
      '2026-10-03',
      '2026-12-25',
      '2026-12-26',
    ],
  },
};

/** First-response and resolution targets in business minutes, first match wins. */
const POLICIES = [
  { name: 'Urgent', priority: 'urgent', firstResponse: 30, resolution: 240 },
  { name: 'High priority', priority: 'high', firstResponse: 60, resolution: 600 },
  { name: 'Standard', priority: null, firstResponse: 240, resolution: 1800 },
] as const;

const QUEUES = [
  { name: 'Tier 1', description: 'First line: every new case lands here.' },
  { name: 'Billing', description: 'Invoices, refunds and payment questions.' },
  { name: 'Escalations', description: 'Breached or urgent cases for senior agents.' },
];

const TOPICS = [
  {
    queue: 1,
    subjects: [
      'Invoice download fails',
      'Refund request for duplicate charge',
      'VAT number missing on invoice',
      'Card declined at renewal',
    ],
  },
  {
    queue: 0,
    subjects: [
      'Cannot log in after password reset',
      'SSO login loops back to the start page',
      'Export to CSV times out',
      'Dashboard shows no data',
      'Email notifications not arriving',
      'Mobile app crashes on start',
    ],
  },
  {
    queue: 0,
    subjects: [
      'How do I add a user?',
      'Change the owner of many contacts',
      'Import from spreadsheet skips rows',
      'API key stopped working',
    ],
  },
];

const ARTICLES = [
  ['Reset your password', 'login password reset'],
  ['Set up single sign-on (SSO)', 'sso login saml okta'],
  ['Troubleshoot SSO login loops', 'sso login loop cookies'],
  ['Download an invoice', 'invoice download billing pdf'],
  ['Request a refund', 'refund billing duplicate charge'],
  ['Add your VAT number to invoices', 'vat invoice billing tax'],
  ['Update the card used for renewals', 'card renewal billing payment declined'],
  ['Export records to CSV', 'export csv timeout large'],
  ['Why a dashboard shows no data', 'dashboard data filters timezone'],
  ['Email notifications are not arriving', 'email notifications spam allowlist'],
  ['Fix crashes of the mobile app', 'mobile app crash update'],
  ['Add and invite users', 'user invite add seat'],
  ['Reassign records in bulk', 'owner reassign bulk contacts'],
  ['Import contacts from a spreadsheet', 'import spreadsheet csv rows skipped'],
  ['Create and rotate API keys', 'api key rotate revoke'],
  ['Understand roles and permissions', 'roles permissions access'],
  ['Share a record with a team', 'sharing team access'],
  ['Hide a field from a role', 'field security hidden'],
  ['Set up business hours', 'business hours calendar holidays sla'],
  ['How SLA due dates are computed', 'sla due business time pause'],
  ['Merge duplicate contacts', 'duplicate contacts merge'],
  ['Connect your mailbox', 'email mailbox connect sync'],
  ['Use the timeline', 'timeline activities account'],
  ['Build a forecast', 'forecast pipeline quarter'],
  ['Convert a lead', 'lead convert account opportunity'],
  ['Configure webhooks', 'webhooks events signature'],
  ['Search with filters', 'filter search query language'],
  ['Keyboard shortcuts', 'keyboard shortcuts productivity'],
  ['Delete and restore records', 'delete restore trash'],
  ['Data retention and erasure', 'gdpr erasure retention privacy'],
] as const;

const STATUS_WEIGHTS = [
  { value: 'new', weight: 8 },
  { value: 'open', weight: 18 },
  { value: 'pending', weight: 8 },
  { value: 'onHold', weight: 4 },
  { value: 'solved', weight: 17 },
  { value: 'closed', weight: 45 },
] as const;

export interface DemoArticle {
  title: string;
  body: string;
  status: 'draft' | 'published' | 'archived';
  tags: string[];
  createdAt: Date;
}

export interface DemoComment {
  body: string;
  isPublic: boolean;
  byAgent: boolean;
  at: Date;
}

export interface DemoCase {
  externalId: string;
  subject: string;
  description: string;
  status: string;
  priority: string;
  channel: string;
  contact: number | null;
  account: number | null;
  queue: number;
  policy: number;
  createdAt: Date;
  firstResponseDueAt: Date;
  firstRespondedAt: Date | null;
  firstResponseBreached: boolean;
  businessFirstResponseMinutes: number | null;
  resolutionDueAt: Date | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
  resolutionBreached: boolean;
  businessResolutionMinutes: number | null;
  csat: { score: number; comment: string | null; at: Date } | null;
  comments: DemoComment[];
  /** index into the articles: the one used to solve it */
  article: number | null;
  updatedAt: Date;
}

export interface DemoService {
  articles: DemoArticle[];
  cases: DemoCase[];
}

const pad = (n: number): string => String(n).padStart(4, '0');
const round3 = (n: number): number => Math.round(n * 1000) / 1000;

/** The demo service data for the customers generated before it (contacts' account indexes). */
export function generateService(now: number, contacts: { account: number | null }[]): DemoService {
  faker.seed(5005);
  const cal = DEMO_CALENDAR.spec;
  const articles: DemoArticle[] = ARTICLES.map(([title, words], i) => ({
    title,
    body: `# ${title}\n\n${faker.lorem.paragraph()}\n\n## Steps\n\n1. ${faker.lorem.sentence()}\n2. ${faker.lorem.sentence()}\n3. ${faker.lorem.sentence()}\n\nKeywords: ${words}.`,
    status: i % 10 === 9 ? 'draft' : i === 27 ? 'archived' : 'published',
    tags: words.split(' ').slice(0, 2),
    createdAt: new Date(now - (SPAN_DAYS + 30 - i) * DAY),
  }));
  const cases: DemoCase[] = [];
  for (let i = 1; i <= SERVICE_COUNTS.cases; i++) {
    const topic = faker.helpers.arrayElement(TOPICS);
    const subject = faker.helpers.arrayElement(topic.subjects);
    const contact = faker.datatype.boolean({ probability: 0.9 })
      ? faker.number.int({ min: 0, max: contacts.length - 1 })
      : null;
    const account = contact !== null ? contacts[contact]!.account : null;
    const status = faker.helpers.weightedArrayElement([...STATUS_WEIGHTS]);
    const open = ['new', 'open', 'pending', 'onHold'].includes(status);
    const priority = faker.helpers.weightedArrayElement([
      { value: 'low', weight: 20 },
      { value: 'normal', weight: 55 },
      { value: 'high', weight: 18 },
      { value: 'urgent', weight: 7 },
    ]);
    const policy = priority === 'urgent' ? 0 : priority === 'high' ? 1 : 2;
    const targets = POLICIES[policy]!;
    // open cases are recent; closed ones spread over the year
    const age = open
      ? faker.number.float({ min: 0.1, max: 20 })
      : faker.number.float({ min: 3, max: SPAN_DAYS });
    const createdAt = new Date(now - age * DAY);
    const firstResponseDueAt = addBusinessMinutes(cal, createdAt, targets.firstResponse);
    let firstRespondedAt: Date | null = null;
    if (status !== 'new') {
      const late = faker.datatype.boolean({ probability: 0.12 });
      const minutes = late
        ? targets.firstResponse * faker.number.float({ min: 1.1, max: 4 })
        : targets.firstResponse * faker.number.float({ min: 0.05, max: 0.95 });
      firstRespondedAt = addBusinessMinutes(cal, createdAt, minutes);
      if (firstRespondedAt.getTime() > now) firstRespondedAt = new Date(now - MINUTE);
    }
    const firstResponseBreached =
      (firstRespondedAt ?? new Date(now)).getTime() > firstResponseDueAt.getTime();
    let resolvedAt: Date | null = null;
    let closedAt: Date | null = null;
    let businessResolutionMinutes: number | null = null;
    let resolutionBreached = false;
    let resolutionDueAt: Date | null = addBusinessMinutes(cal, createdAt, targets.resolution);
    if (!open) {
      const late = faker.datatype.boolean({ probability: 0.15 });
      const minutes = late
        ? targets.resolution * faker.number.float({ min: 1.05, max: 3 })
        : targets.resolution * faker.number.float({ min: 0.1, max: 0.98 });
      resolvedAt = addBusinessMinutes(cal, createdAt, minutes);
      if (resolvedAt.getTime() > now) resolvedAt = new Date(now - MINUTE);
      businessResolutionMinutes = round3(businessMinutesBetween(cal, createdAt, resolvedAt));
      resolutionBreached = businessResolutionMinutes > targets.resolution;
      if (status === 'closed') closedAt = new Date(Math.min(now - MINUTE, resolvedAt.getTime() + 7 * DAY));
    } else {
      resolutionBreached = now > resolutionDueAt.getTime();
      if (status === 'pending' || status === 'onHold') resolutionDueAt = null;
    }
    const comments: DemoComment[] = [];
    comments.push({
      body: `${subject}. ${faker.lorem.sentences(2)}`,
      isPublic: true,
      byAgent: false,
      at: createdAt,
    });
    if (firstRespondedAt)
      comments.push({
        body: `Thanks for reaching out. ${faker.lorem.sentences(2)}`,
        isPublic: true,
        byAgent: true,
        at: firstRespondedAt,
      });
    if (faker.datatype.boolean({ probability: 0.4 }) && firstRespondedAt)
      comments.push({
        body: `Internal: ${faker.lorem.sentence()}`,
        isPublic: false,
        byAgent: true,
        at: new Date(firstRespondedAt.getTime() + MINUTE),
      });
    if (resolvedAt)
      comments.push({
        body: `This is fixed now. ${faker.lorem.sentence()}`,
        isPublic: true,
        byAgent: true,
        at: resolvedAt,
      });
    const csat =
      resolvedAt && faker.datatype.boolean({ probability: 0.55 })
        ? {
            score: faker.helpers.weightedArrayElement([
              { value: 5, weight: 45 },
              { value: 4, weight: 30 },
              { value: 3, weight: 12 },
              { value: 2, weight: 7 },
              { value: 1, weight: 6 },
            ]),
            comment: faker.datatype.boolean({ probability: 0.3 }) ? faker.lorem.sentence() : null,
            at: new Date(Math.min(now - MINUTE, resolvedAt.getTime() + DAY)),
          }
        : null;
    const matching = articles.findIndex(
      (a) =>
        a.status === 'published' &&
        subject
          .toLowerCase()
          .split(' ')
          .some((w) => w.length > 4 && a.body.toLowerCase().includes(w)),
    );
    cases.push({
      externalId: `demo-case-${pad(i)}`,
      subject,
      description: faker.lorem.paragraph(),
      status,
      priority,
      channel: faker.helpers.arrayElement(['email', 'email', 'web', 'phone', 'chat', 'social']),
      contact,
      account,
      queue: priority === 'urgent' && faker.datatype.boolean({ probability: 0.5 }) ? 2 : topic.queue,
      policy,
      createdAt,
      firstResponseDueAt,
      firstRespondedAt,
      firstResponseBreached,
      businessFirstResponseMinutes: firstRespondedAt
        ? round3(businessMinutesBetween(cal, createdAt, firstRespondedAt))
        : null,
      resolutionDueAt,
      resolvedAt,
      closedAt,
      resolutionBreached,
      businessResolutionMinutes,
      csat,
      comments,
      article: resolvedAt && matching >= 0 && faker.datatype.boolean({ probability: 0.5 }) ? matching : null,
      updatedAt: new Date(Math.max(...comments.map((c) => c.at.getTime()), csat?.at.getTime() ?? 0)),
    });
  }
  // numbers follow creation order
  cases.sort(
    (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.externalId.localeCompare(b.externalId),
  );
  return { articles, cases };
}

export interface ServiceCustomerIds {
  account(index: number | null): string | null;
  contact(index: number | null): string | null;
}

export type ServiceInserted = Record<keyof typeof SERVICE_COUNTS, number>;

/** id of the live row of `table` whose `column` is `value`, inserting `row` when there is none. */
async function findOrInsert(
  client: pg.ClientBase,
  table: string,
  column: string,
  value: string,
  row: Row,
): Promise<[string, boolean]> {
  const found = await client.query<{ id: string }>(
    `SELECT id FROM ${table} WHERE ${column} = $1 AND deleted_at IS NULL ORDER BY created_at, id LIMIT 1`,
    [value],
  );
  if (found.rows[0]) return [found.rows[0].id, false];
  await insertAll(client, table, [row], null);
  return [row.id as string, true];
}

/** Loads the service data in the caller's transaction (rapport_app, tenant pinned). */
export async function loadService(
  client: pg.ClientBase,
  tenantId: string,
  ownerId: string,
  data: DemoService,
  customers: ServiceCustomerIds,
): Promise<ServiceInserted> {
  const hasDefault = await client.query(
    'SELECT 1 FROM business_calendars WHERE is_default AND deleted_at IS NULL',
  );
  const [calendarId] = await findOrInsert(client, 'business_calendars', 'name', DEMO_CALENDAR.name, {
    tenant_id: tenantId,
    id: newId(),
    name: DEMO_CALENDAR.name,
    time_zone: DEMO_CALENDAR.spec.timeZone,
    weekly_hours: DEMO_CALENDAR.spec.weeklyHours,
    // jsonb: pg would send a JS array as a Postgres array literal
    holidays: JSON.stringify(DEMO_CALENDAR.spec.holidays),
    is_default: hasDefault.rowCount === 0,
  });
  const queueIds: string[] = [];
  let queues = 0;
  for (const q of QUEUES) {
    const [id, inserted] = await findOrInsert(client, 'case_queues', 'name', q.name, {
      tenant_id: tenantId,
      id: newId(),
      name: q.name,
      description: q.description,
    });
    queueIds.push(id);
    if (inserted) queues++;
  }
  await insertAll(
    client,
    'case_queue_members',
    queueIds.map((queueId) => ({ tenant_id: tenantId, queue_id: queueId, user_id: ownerId })),
    '(tenant_id, queue_id, user_id)',
  );
  const policyIds: string[] = [];
  const maxPosition = await client.query<{ n: number }>(
    'SELECT coalesce(max(position), 0)::int AS n FROM sla_policies WHERE deleted_at IS NULL',
  );
  let position = maxPosition.rows[0]!.n;
  for (const p of POLICIES) {
    const [id] = await findOrInsert(client, 'sla_policies', 'name', p.name, {
      tenant_id: tenantId,
      id: newId(),
      name: p.name,
      position: ++position,
      condition: p.priority ? { priority: { eq: p.priority } } : null,
      calendar_id: calendarId,
      first_response_minutes: p.firstResponse,
      resolution_minutes: p.resolution,
      warn_before_minutes: Math.round(p.firstResponse / 2),
      escalate_priority_to: p.priority === 'urgent' ? null : 'high',
      escalate_queue_id: queueIds[2]!,
    });
    policyIds.push(id);
  }

  // Articles by title; a version row for each article that has none.
  const existing = new Set(
    (
      await client.query<{ title: string }>('SELECT title FROM knowledge_articles WHERE deleted_at IS NULL')
    ).rows.map((r) => r.title),
  );
  const articles = await insertAll(
    client,
    'knowledge_articles',
    data.articles
      .filter((a) => !existing.has(a.title))
      .map((a) => ({
        tenant_id: tenantId,
        id: newId(),
        title: a.title,
        body: a.body,
        status: a.status,
        tags: a.tags,
        author_id: ownerId,
        published_at: a.status === 'draft' ? null : a.createdAt,
        created_at: a.createdAt,
        updated_at: a.createdAt,
      })),
    null,
  );
  await client.query(
    `INSERT INTO knowledge_article_versions (tenant_id, article_id, version, title, body, status, tags, edited_by, edited_at)
     SELECT a.tenant_id, a.id, a.version, a.title, a.body, a.status, a.tags, a.author_id, a.updated_at
       FROM knowledge_articles a
      WHERE NOT EXISTS (SELECT 1 FROM knowledge_article_versions v WHERE v.article_id = a.id)`,
  );
  const articleIds = new Map(
    (
      await client.query<{ id: string; title: string }>(
        'SELECT DISTINCT ON (title) id, title FROM knowledge_articles WHERE deleted_at IS NULL ORDER BY title, created_at, id',
      )
    ).rows.map((r) => [r.title, r.id]),
  );

  // Only new cases reach the INSERT: a skipped conflict would still take a number from the
  // tenant's counter (the column default runs first), leaving a gap in the numbering.
  const present = await idsByExternalId(client, 'cases', 'demo-case-');
  const cases = await insertAll(
    client,
    'cases',
    data.cases
      .filter((c) => !present.has(c.externalId))
      .map((c) => ({
        tenant_id: tenantId,
        id: newId(),
        subject: c.subject,
        description: c.description,
        status: c.status,
        priority: c.priority,
        channel: c.channel,
        contact_id: customers.contact(c.contact),
        account_id: customers.account(c.account),
        queue_id: queueIds[c.queue]!,
        assignee_id: c.status === 'new' ? null : ownerId,
        external_id: c.externalId,
        sla_policy_id: policyIds[c.policy]!,
        first_response_due_at: c.firstResponseDueAt,
        resolution_due_at: c.resolutionDueAt,
        first_responded_at: c.firstRespondedAt,
        resolved_at: c.resolvedAt,
        closed_at: c.closedAt,
        first_response_breached: c.firstResponseBreached,
        resolution_breached: c.resolutionBreached,
        business_first_response_minutes: c.businessFirstResponseMinutes,
        business_resolution_minutes: c.businessResolutionMinutes,
        resolution_elapsed_minutes: c.businessResolutionMinutes ?? 0,
        paused_at: c.status === 'pending' || c.status === 'onHold' ? c.updatedAt : null,
        csat_score: c.csat?.score ?? null,
        csat_comment: c.csat?.comment ?? null,
        csat_at: c.csat?.at ?? null,
        created_at: c.createdAt,
        updated_at: c.updatedAt,
      })),
  );
  const caseIds = await idsByExternalId(client, 'cases', 'demo-case-');
  const byExternalId = new Map(data.cases.map((c) => [c.externalId, c]));
  const bare = (
    await client.query<{ external_id: string }>(
      `SELECT c.external_id FROM cases c WHERE c.external_id LIKE 'demo-case-%'
          AND NOT EXISTS (SELECT 1 FROM case_comments x WHERE x.case_id = c.id)`,
    )
  ).rows
    .map((r) => byExternalId.get(r.external_id))
    .filter((c): c is DemoCase => c !== undefined);
  await insertAll(
    client,
    'case_comments',
    bare.flatMap((c) =>
      c.comments.map((m) => ({
        tenant_id: tenantId,
        id: newId(),
        case_id: resolve(caseIds, c.externalId),
        body: m.body,
        is_public: m.isPublic,
        author_id: m.byAgent ? ownerId : null,
        author_contact_id: m.byAgent ? null : customers.contact(c.contact),
        created_at: m.at,
      })),
    ),
    null,
  );
  await insertAll(
    client,
    'case_articles',
    data.cases
      .filter((c) => c.article !== null && articleIds.has(data.articles[c.article]!.title))
      .map((c) => ({
        tenant_id: tenantId,
        case_id: resolve(caseIds, c.externalId),
        article_id: articleIds.get(data.articles[c.article!]!.title)!,
        linked_by: ownerId,
        linked_at: c.resolvedAt!,
      })),
    '(tenant_id, case_id, article_id)',
  );
  return { queues, cases, articles };
}
