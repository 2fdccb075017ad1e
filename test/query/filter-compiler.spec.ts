import { DomainError } from '../../src/platform/http/domain-error.js';
import type { FieldDef, ObjectDef } from '../../src/platform/registry/object-registry.js';
import { compileFilter, escapeLike, parseFilter, SqlParams } from '../../src/platform/query/index.js';
import type { FilterNode } from '../../src/platform/query/index.js';
import { buildRegistry, insertRow, insertTenant, openTestDb } from './fixtures.js';
import type { TestDb } from './fixtures.js';

const { registry, account, contact, activity } = buildRegistry();
let db: TestDb;
let tenant: string;
let other: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  db = await openTestDb();
  const c = db.client;
  tenant = await insertTenant(c, 'compiler');
  other = await insertTenant(c, 'other');
  ids.acme = await insertRow(c, 'accounts', tenant, {
    name: 'Acme',
    domain: 'acme.com',
    industry: 'saas',
    employees: 50,
    annual_revenue: '1000000.50',
    currency: 'USD',
    tags: ['b2b', 'enterprise'],
  });
  ids.globex = await insertRow(c, 'accounts', tenant, {
    name: 'Globex',
    industry: 'fintech',
    employees: 500,
    parent_account_id: ids.acme,
  });
  ids.initech = await insertRow(c, 'accounts', tenant, {
    name: 'Initech',
    annual_revenue: '99.99',
    currency: 'EUR',
  });
  ids.hooli = await insertRow(c, 'accounts', tenant, {
    name: '100% Hooli_Co',
    industry: 'retail',
    employees: 0,
  });
  ids.umbrella = await insertRow(c, 'accounts', tenant, {
    name: 'Umbrella',
    industry: 'saas',
    deleted_at: new Date(),
  });

  const contactRow = async (key: string, row: Record<string, unknown>) => {
    ids[key] = await insertRow(c, 'contacts', tenant, row);
  };
  await contactRow('john', {
    first_name: 'John',
    last_name: 'Smith',
    email: 'john@acme.com',
    account_id: ids.acme,
    lifecycle_stage: 'customer',
    tags: ['vip'],
    created_at: '2024-01-01T10:00:00.000001Z',
  });
  await contactRow('jane', {
    first_name: 'Jane',
    last_name: 'Smith',
    email: 'jane@GLOBEX.com',
    title: 'CTO',
    account_id: ids.globex,
    lifecycle_stage: 'lead',
    created_at: '2024-01-01T10:00:00.000002Z',
  });
  await contactRow('pat', {
    first_name: 'Pat',
    last_name: "O'Brien",
    title: '50% off_sale',
    created_at: '2024-02-01T00:00:00Z',
  });
  await contactRow('doe', {
    last_name: 'Doe',
    email: 'x@acme.com',
    account_id: ids.umbrella,
    lifecycle_stage: 'lead',
  });
  await contactRow('brown', {
    last_name: 'Brown',
    email: 'b@hooli.com',
    account_id: ids.hooli,
    do_not_contact: true,
    deleted_at: new Date(),
  });
  await contactRow('slash', {
    last_name: 'Back\\slash',
    email: 'bs@acme.com',
    account_id: ids.acme,
    do_not_contact: true,
    title: '500 offXsale',
  });
  await contactRow('hooli', {
    last_name: 'Hool',
    email: 'h@hooli.com',
    account_id: ids.hooli,
    tags: ['vip', 'x'],
  });

  await insertRow(c, 'activities', tenant, {
    type: 'call',
    subject: 'Intro call',
    contact_id: ids.john,
    account_id: ids.acme,
    occurred_at: '2024-03-01T09:00:00Z',
  });
  await insertRow(c, 'activities', tenant, {
    type: 'email',
    subject: 'Follow-up',
    contact_id: ids.jane,
    account_id: ids.globex,
    status: 'open',
    due_at: '2024-04-01T00:00:00Z',
  });
  await insertRow(c, 'activities', tenant, {
    type: 'meeting',
    subject: 'Deleted',
    contact_id: ids.pat,
    deleted_at: new Date(),
  });

  // Another tenant with look-alike data: never visible.
  const otherAcme = await insertRow(c, 'accounts', other, { name: 'Acme', industry: 'saas' });
  await insertRow(c, 'contacts', other, {
    last_name: 'Smith',
    email: 'john@acme.com',
    account_id: otherAcme,
  });
});

afterAll(async () => {
  await db.close();
});

function compile(
  object: ObjectDef,
  filter: FilterNode | string,
  checkField?: (o: ObjectDef, f: FieldDef) => void,
) {
  const params = new SqlParams();
  const node = typeof filter === 'string' ? parseFilter(filter) : filter;
  const where = compileFilter(registry, object, node, params, { alias: 't', checkField });
  return { where, params };
}

async function names(object: ObjectDef, filter: FilterNode | string): Promise<string[]> {
  const { where, params } = compile(object, filter);
  const nameCol = object === contact ? 'last_name' : object === activity ? 'subject' : 'name';
  const rows = await db.query<{ n: string }>(
    tenant,
    `SELECT t."${nameCol}" AS n FROM "${object.table}" t WHERE t.deleted_at IS NULL AND ${where} ORDER BY 1, t.id`,
    params.values,
  );
  return rows.map((r) => r.n);
}

async function errorOf(fn: () => unknown): Promise<DomainError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a DomainError');
}

describe('compileFilter against Postgres', () => {
  const everyone = ['Back\\slash', 'Doe', 'Hool', "O'Brien", 'Smith', 'Smith'];

  it('eq / ne (null-safe) / is null', async () => {
    expect(await names(contact, "lastName eq 'Smith'")).toEqual(['Smith', 'Smith']);
    expect(await names(contact, "lastName eq 'smith'")).toEqual([]);
    expect(await names(contact, "firstName ne 'John'")).toEqual([
      'Back\\slash',
      'Doe',
      'Hool',
      "O'Brien",
      'Smith',
    ]);
    expect(await names(contact, 'email is null')).toEqual(["O'Brien"]);
    expect(await names(contact, 'email eq null')).toEqual(["O'Brien"]);
    expect(await names(contact, 'email is not null')).toEqual([
      'Back\\slash',
      'Doe',
      'Hool',
      'Smith',
      'Smith',
    ]);
    expect(await names(contact, 'email ne null')).toEqual(['Back\\slash', 'Doe', 'Hool', 'Smith', 'Smith']);
    expect(await names(contact, "lastName eq 'O''Brien'")).toEqual(["O'Brien"]);
    expect(await names(contact, 'doNotContact eq true')).toEqual(['Back\\slash']);
    expect(await names(contact, 'doNotContact ne true')).toEqual([
      'Doe',
      'Hool',
      "O'Brien",
      'Smith',
      'Smith',
    ]);
  });

  it('in, comparisons and type coercion', async () => {
    expect(await names(contact, "lifecycleStage in ('lead', 'customer')")).toEqual(['Doe', 'Smith', 'Smith']);
    expect(await names(account, 'employees ge 50')).toEqual(['Acme', 'Globex']);
    expect(await names(account, 'employees lt 50')).toEqual(['100% Hooli_Co']);
    expect(await names(account, 'employees in (0, 500)')).toEqual(['100% Hooli_Co', 'Globex']);
    expect(await names(account, 'annualRevenue gt 100')).toEqual(['Acme']);
    expect(await names(account, "annualRevenue eq '99.99'")).toEqual(['Initech']);
    expect(await names(account, 'annualRevenue le 99.99')).toEqual(['Initech']);
    expect(await names(account, "annualRevenue in ('1000000.5', 99.99)")).toEqual(['Acme', 'Initech']);
    expect(await names(account, "name lt 'B'")).toEqual(['100% Hooli_Co', 'Acme']);
    expect(await names(account, `id eq '${ids.acme!.toUpperCase()}'`)).toEqual(['Acme']);
    expect(await names(contact, `accountId in ('${ids.acme}', '${ids.globex}')`)).toEqual([
      'Back\\slash',
      'Smith',
      'Smith',
    ]);
  });

  it('datetimes keep microseconds and accept offsets and dates', async () => {
    expect(await names(contact, "createdAt eq '2024-01-01T10:00:00.000001Z'")).toEqual(['Smith']);
    expect(
      await names(contact, "createdAt gt '2024-01-01T10:00:00.000001Z' and createdAt lt '2024-01-02'"),
    ).toEqual(['Smith']);
    expect(
      await names(contact, "createdAt ge '2024-01-01T11:00:00+01:00' and createdAt le '2024-02-01'"),
    ).toEqual(["O'Brien", 'Smith', 'Smith']);
    expect(await names(activity, "dueAt lt '2025-01-01'")).toEqual(['Follow-up']);
    expect(await names(activity, "not (dueAt lt '2025-01-01')")).toEqual(['Intro call']);
  });

  it('contains / startswith / endswith are case-insensitive and escape %, _ and \\', async () => {
    expect(await names(contact, "email endswith '@ACME.com'")).toEqual(['Back\\slash', 'Doe', 'Smith']);
    expect(await names(contact, "email contains 'globex'")).toEqual(['Smith']);
    expect(await names(contact, "lastName startswith 'sm'")).toEqual(['Smith', 'Smith']);
    expect(await names(contact, "title contains '50% off_'")).toEqual(["O'Brien"]);
    expect(await names(contact, "title contains '%'")).toEqual(["O'Brien"]);
    expect(await names(contact, "title contains '_'")).toEqual(["O'Brien"]);
    expect(await names(contact, "lastName contains '\\'")).toEqual(['Back\\slash']);
    expect(await names(account, "name startswith '100%'")).toEqual(['100% Hooli_Co']);
    expect(await names(account, "name contains 'i_c'")).toEqual(['100% Hooli_Co']);
    expect(escapeLike('a%b_c\\d')).toBe('a\\%b\\_c\\\\d');
  });

  it('stringArray contains an element', async () => {
    expect(await names(contact, "tags contains 'vip'")).toEqual(['Hool', 'Smith']);
    expect(await names(account, "tags contains 'b2b'")).toEqual(['Acme']);
    expect(await names(account, "tags contains 'B2B'")).toEqual([]);
  });

  it('not is the exact complement, nulls included', async () => {
    expect(await names(contact, "not (title eq 'CTO')")).toEqual([
      'Back\\slash',
      'Doe',
      'Hool',
      "O'Brien",
      'Smith',
    ]);
    expect(await names(contact, "not (email contains 'acme')")).toEqual(['Hool', "O'Brien", 'Smith']);
    expect(await names(account, 'not (employees gt 10)')).toEqual(['100% Hooli_Co', 'Initech']);
    expect(await names(contact, "not (lifecycleStage in ('lead'))")).toEqual([
      'Back\\slash',
      'Hool',
      "O'Brien",
      'Smith',
    ]);
    expect(await names(contact, 'not not (email is null)')).toEqual(["O'Brien"]);
  });

  it('and / or / precedence', async () => {
    expect(await names(contact, "lastName eq 'Smith' and firstName eq 'Jane' or lastName eq 'Doe'")).toEqual([
      'Doe',
      'Smith',
    ]);
    expect(
      await names(contact, "lastName eq 'Smith' and (firstName eq 'Jane' or lastName eq 'Doe')"),
    ).toEqual(['Smith']);
  });

  it('to-one paths become EXISTS over live related records', async () => {
    const { where } = compile(contact, "account.industry eq 'saas'");
    expect(where).toBe(
      'EXISTS (SELECT 1 FROM "accounts" r1 WHERE r1."tenant_id" = t."tenant_id" AND r1."id" = t."account_id" AND r1."deleted_at" IS NULL AND (r1."industry" IS NOT NULL AND r1."industry" = $1::text))',
    );
    // Doe's account (Umbrella) is soft-deleted, so only John and Back\slash match.
    expect(await names(contact, "account.industry eq 'saas'")).toEqual(['Back\\slash', 'Smith']);
    expect(await names(contact, "account.industry in ('saas', 'fintech')")).toEqual([
      'Back\\slash',
      'Smith',
      'Smith',
    ]);
    expect(await names(contact, "not (account.industry eq 'saas')")).toEqual([
      'Doe',
      'Hool',
      "O'Brien",
      'Smith',
    ]);
    expect(await names(contact, 'account.employees ge 100')).toEqual(['Smith']);
    // Two hops: contacts whose account's parent is in saas.
    expect(await names(contact, "account.parent.industry eq 'saas'")).toEqual(['Smith']);
    expect(await names(contact, "account.parent.name eq 'Acme' and firstName eq 'Jane'")).toEqual(['Smith']);
    expect(await names(activity, "contact.account.name eq 'Globex'")).toEqual(['Follow-up']);
    // A to-one relation with any: the related record exists and matches.
    expect(await names(contact, "account any (name eq 'Acme' or name eq 'Globex')")).toEqual([
      'Back\\slash',
      'Smith',
      'Smith',
    ]);
  });

  it('any over to-many relations, nested', async () => {
    expect(await names(account, "contacts any (email endswith '@acme.com')")).toEqual(['Acme']);
    expect(await names(account, "contacts any (lastName eq 'Smith')")).toEqual(['Acme', 'Globex']);
    expect(await names(account, "not contacts any (lastName eq 'Smith')")).toEqual([
      '100% Hooli_Co',
      'Initech',
    ]);
    // Brown (deleted) is Hooli's contact with doNotContact: not seen.
    expect(await names(account, 'contacts any (doNotContact eq true)')).toEqual(['Acme']);
    expect(await names(account, "contacts any (activities any (type eq 'email'))")).toEqual(['Globex']);
    expect(await names(account, "children any (industry eq 'fintech')")).toEqual(['Acme']);
    // The deleted meeting does not count.
    expect(await names(contact, 'activities any (id is not null)')).toEqual(['Smith', 'Smith']);
    const { where } = compile(account, "contacts any (activities any (type eq 'call'))");
    expect(where).toContain(
      'FROM "contacts" r1 WHERE r1."tenant_id" = t."tenant_id" AND r1."account_id" = t."id"',
    );
    expect(where).toContain(
      'FROM "activities" r2 WHERE r2."tenant_id" = r1."tenant_id" AND r2."contact_id" = r1."id"',
    );
  });

  it('the JSON AST compiles the same way', async () => {
    expect(
      await names(contact, {
        and: [
          { lastName: { eq: 'Smith' } },
          { or: [{ 'account.industry': { in: ['fintech'] } }, { email: { isNull: true } }] },
        ],
      }),
    ).toEqual(['Smith']);
    expect(await names(account, { employees: { ge: 1, le: 100 }, name: { startswith: 'a' } })).toEqual([
      'Acme',
    ]);
    expect(await names(account, { contacts: { any: { lastName: { ne: 'Smith' } } } })).toEqual([
      '100% Hooli_Co',
      'Acme',
    ]);
  });

  it('never interpolates values', () => {
    const evil = "x'; drop table contacts; --";
    const { where, params } = compile(contact, { lastName: { eq: evil } });
    expect(where).toBe('t."last_name" = $1::text');
    expect(params.values).toEqual([evil]);
  });

  it.each([
    ["nope eq 'x'", 'nope', /unknown field 'nope' on contact/],
    ["account.nope eq 'x'", 'account.nope', /unknown field 'account.nope' on account/],
    ["nope.name eq 'x'", 'nope.name', /unknown relation 'nope' on contact/],
    ["email.name eq 'x'", 'email.name', /'email' is a field, not a relation/],
    ["account eq 'x'", 'account', /'account' is a relation/],
    ["activities.subject eq 'x'", 'activities.subject', /to-many relation; use activities any/],
    ["email any (x eq 'y')", 'email', /'email' is a field, not a relation; any needs a relation/],
    ["phone eq '1'", 'phone', /field phone cannot be filtered/],
    ["address eq '1'", 'address', /field address cannot be filtered/],
    ["lifecycleStage eq 'vip'", 'lifecycleStage', /must be one of 'subscriber', 'lead'.*got 'vip'/],
    ["lifecycleStage in ('lead', 'x')", 'lifecycleStage', /must be one of/],
    [
      "lifecycleStage contains 'le'",
      'lifecycleStage',
      /operator contains is not supported for field 'lifecycleStage' \(enum\)/,
    ],
    ['lastName eq 5', 'lastName', /field 'lastName' expects a string, got 5/],
    ["account.employees eq 'many'", 'account.employees', /expects an integer, got 'many'/],
    ['account.employees eq 1.5', 'account.employees', /expects an integer/],
    ['account.employees eq 99999999999999999999', 'account.employees', /expects an integer/],
    ["account.annualRevenue gt '1e5'", 'account.annualRevenue', /expects a number or a decimal string/],
    ["accountId eq 'not-a-uuid'", 'accountId', /expects a UUID string/],
    ['accountId eq 5', 'accountId', /expects a UUID string/],
    ["accountId gt '00000000-0000-0000-0000-000000000000'", 'accountId', /operator gt is not supported/],
    ["createdAt gt 'yesterday'", 'createdAt', /expects an ISO-8601 date-time/],
    ["createdAt gt '2024-02-30'", 'createdAt', /expects an ISO-8601/],
    ["createdAt gt '2024-01-01T25:00:00Z'", 'createdAt', /expects an ISO-8601/],
    ["createdAt gt '2024-01-01T10:00:00+16:00'", 'createdAt', /expects an ISO-8601/],
    ["createdAt gt '0000-01-01'", 'createdAt', /expects an ISO-8601/],
    ['createdAt gt 1700000000', 'createdAt', /expects an ISO-8601/],
    ["doNotContact eq 'true'", 'doNotContact', /expects true or false/],
    ["doNotContact contains 'x'", 'doNotContact', /not supported/],
    ['tags eq 5', 'tags', /operator eq is not supported for field 'tags' \(stringArray\)/],
    ["email gt 5 or email eq 'x'", 'email', /expects a string/],
  ])('rejects %j naming the field', async (text, field, message) => {
    const err = await errorOf(() => compile(contact, text));
    expect(err.code).toBe('INVALID_FILTER');
    expect(err.status).toBe(400);
    expect(err.detail).toMatch(message);
    expect(err.errors[0]!.field).toBe(field);
  });

  it('calls checkField for every field touched, relation keys included', async () => {
    const seen: string[] = [];
    const check = (o: ObjectDef, f: FieldDef) => void seen.push(`${o.name}.${f.name}`);
    compile(
      account,
      "name eq 'x' and contacts any (account.industry eq 'y' and activities any (type eq 'call'))",
      check,
    );
    expect(seen).toEqual([
      'account.name',
      'contact.accountId',
      'contact.accountId',
      'account.industry',
      'activity.contactId',
      'activity.type',
    ]);
    const hideEmail = (o: ObjectDef, f: FieldDef) => {
      if (o.name === 'contact' && f.name === 'email')
        throw new DomainError('FORBIDDEN_FIELD', 'field email is hidden', [
          { field: 'email', code: 'HIDDEN', message: 'hidden' },
        ]);
    };
    const err = await errorOf(() => compile(account, "contacts any (email eq 'x')", hideEmail));
    expect(err.code).toBe('FORBIDDEN_FIELD');
    expect(err.status).toBe(403);
  });

  it('adds a relationScope predicate inside every relation subquery', async () => {
    const params = new SqlParams();
    const where = compileFilter(
      registry,
      account,
      parseFilter("contacts any (lastName eq 'Smith')"),
      params,
      {
        alias: 't',
        relationScope: (o, alias, p) =>
          o.name === 'contact' ? `${alias}."owner_id" IS NOT DISTINCT FROM ${p.add(null)}::uuid` : undefined,
      },
    );
    expect(where).toContain('(r1."owner_id" IS NOT DISTINCT FROM $1::uuid)');
    const rows = await db.query(
      tenant,
      `SELECT t.name FROM accounts t WHERE ${where} ORDER BY 1`,
      params.values,
    );
    expect(rows.map((r) => r.name)).toEqual(['Acme', 'Globex']);
  });

  it('does not see other tenants through relations', async () => {
    // Same query, other tenant: only its own Smith, linked to its own Acme.
    const { where, params } = compile(contact, "account.name eq 'Acme'");
    const rows = await db.query(other, `SELECT t.last_name FROM contacts t WHERE ${where}`, params.values);
    expect(rows).toHaveLength(1);
    expect(await names(contact, "account.name eq 'Acme'")).toEqual(['Back\\slash', 'Smith']);
  });

  it('matches everyone for a tautology', async () => {
    expect(await names(contact, "lastName eq 'x' or not (lastName eq 'x')")).toEqual(everyone);
  });
});
