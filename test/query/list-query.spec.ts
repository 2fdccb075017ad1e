import { DomainError } from '../../src/platform/http/domain-error.js';
import {
  buildCountQuery,
  buildListQuery,
  cursorSelectSql,
  decodeCursor,
  encodeCursor,
  keysetPredicate,
  orderBySql,
  parseExpand,
  parseFields,
  parseFilter,
  parseFilterInput,
  parseLimit,
  parseSort,
  SqlParams,
  toPage,
} from '../../src/platform/query/index.js';
import type { SortTerm } from '../../src/platform/query/index.js';
import { buildRegistry, insertRow, insertTenant, openTestDb } from './fixtures.js';
import type { TestDb } from './fixtures.js';

const { registry, account, contact, activity, user } = buildRegistry();
let db: TestDb;
let tenant: string;

beforeAll(async () => {
  db = await openTestDb();
  tenant = await insertTenant(db.client, 'list');
  const acme = await insertRow(db.client, 'accounts', tenant, { name: 'Acme', industry: 'saas' });
  // Three contacts one microsecond apart: node-pg's Date would make them equal.
  const base = '2024-05-01T12:00:00.00000';
  for (let i = 0; i < 6; i += 1) {
    await insertRow(db.client, 'contacts', tenant, {
      first_name: i % 2 === 0 ? null : `F${i}`,
      last_name: i < 3 ? 'Same' : `Name${i}`,
      email: `p${i}@example.com`,
      account_id: i < 4 ? acme : null,
      created_at: `${base}${i % 3}Z`,
    });
  }
  await insertRow(db.client, 'contacts', tenant, { last_name: 'Gone', deleted_at: new Date() });
  await insertRow(db.client, 'users', tenant, { email: 'a@x.io', display_name: 'A' });
});

afterAll(async () => {
  await db.close();
});

function errorOf(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a DomainError');
}

describe('parseSort / orderBySql', () => {
  it('parses directions and appends the id tiebreak', () => {
    expect(parseSort(contact, '-createdAt,lastName')).toEqual([
      { field: 'createdAt', direction: 'desc' },
      { field: 'lastName', direction: 'asc' },
      { field: 'id', direction: 'asc' },
    ]);
    expect(parseSort(contact, ' +lastName , -id ')).toEqual([
      { field: 'lastName', direction: 'asc' },
      { field: 'id', direction: 'desc' },
    ]);
    expect(parseSort(contact, undefined)).toEqual([
      { field: 'lastName', direction: 'asc' },
      { field: 'id', direction: 'asc' },
    ]);
    expect(parseSort(activity, '')).toEqual([
      { field: 'occurredAt', direction: 'desc' },
      { field: 'id', direction: 'asc' },
    ]);
  });

  it.each([
    ['nope', /unknown sort field 'nope' on contact/, 'nope'],
    ['-address', /field address cannot be filtered|field address cannot be sorted/, 'address'],
    ['tags', /field tags cannot be sorted/, 'tags'],
    ['lastName,,email', /empty term/, 'sort'],
    ['last name', /invalid sort term 'last name'/, 'sort'],
    ['lastName,-lastName', /sort names 'lastName' twice/, 'lastName'],
    ['firstName,lastName,email,title,createdAt,updatedAt', /at most 5 fields/, 'sort'],
  ])('rejects %j', (text, message, field) => {
    const err = errorOf(() => parseSort(contact, text));
    expect(err.code).toBe('INVALID_SORT');
    expect(err.status).toBe(400);
    expect(err.detail).toMatch(message);
    expect(err.errors[0]!.field).toBe(field);
  });

  it('allows 5 named fields plus id, and calls checkField', () => {
    const seen: string[] = [];
    const terms = parseSort(
      contact,
      'firstName,lastName,email,title,-createdAt',
      (_o, f) => void seen.push(f.name),
    );
    expect(terms).toHaveLength(6);
    expect(seen).toEqual(['firstName', 'lastName', 'email', 'title', 'createdAt', 'id']);
  });

  it('spells out NULLS placement', () => {
    expect(orderBySql(contact, parseSort(contact, '-email,lastName'), 't')).toBe(
      't."email" DESC NULLS FIRST, t."last_name" ASC NULLS LAST, t."id" ASC NULLS LAST',
    );
  });
});

describe('cursors', () => {
  const terms: SortTerm[] = parseSort(contact, '-createdAt,firstName');
  const row = {
    __c0: '2024-05-01T12:00:00.000001Z',
    __c1: null,
    __c2: '0190a0f0-0000-7000-8000-000000000000',
  };

  it('round-trips and is opaque base64url', () => {
    const cursor = encodeCursor(terms, row);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(contact, terms, cursor)).toEqual([row.__c0, null, row.__c2]);
  });

  it('refuses a cursor made for another sort', () => {
    const cursor = encodeCursor(terms, row);
    const err = errorOf(() => decodeCursor(contact, parseSort(contact, 'createdAt,firstName'), cursor));
    expect(err.code).toBe('INVALID_CURSOR');
    expect(err.detail).toMatch(/different sort/);
  });

  const forge = (payload: unknown) => Buffer.from(JSON.stringify(payload)).toString('base64url');
  it.each([
    ['', 'empty'],
    ['!!!', 'bad characters'],
    ['abc', 'not JSON'],
    [Buffer.from('[1,2]').toString('base64url'), 'array'],
    [forge({ v: 2, s: '-createdAt,firstName,id', k: [] }), 'version'],
    [forge({ v: 1, s: '-createdAt,firstName,id', k: ['x'] }), 'length'],
    [forge({ v: 1, s: '-createdAt,firstName,id', k: ['yesterday', null, row.__c2] }), 'bad datetime'],
    [
      forge({ v: 1, s: '-createdAt,firstName,id', k: ['2024-02-30T00:00:00.000000Z', null, row.__c2] }),
      'impossible date',
    ],
    [forge({ v: 1, s: '-createdAt,firstName,id', k: [row.__c0, 5, row.__c2] }), 'number for string'],
    [forge({ v: 1, s: '-createdAt,firstName,id', k: [row.__c0, 'a\u0000', row.__c2] }), 'NUL'],
    [forge({ v: 1, s: '-createdAt,firstName,id', k: [row.__c0, null, 'nope'] }), 'bad uuid'],
    ['A'.repeat(40_000), 'too long'],
  ])('refuses garbage (%s: %s) with INVALID_CURSOR', (cursor) => {
    const err = errorOf(() => keysetPredicate(contact, terms, cursor, new SqlParams(), 't'));
    expect(err.code).toBe('INVALID_CURSOR');
    expect(err.status).toBe(400);
  });

  it('checks integer, decimal and boolean values', () => {
    const t = parseSort(account, 'employees,annualRevenue');
    const ok = forge({ v: 1, s: 'employees,annualRevenue,id', k: ['-5', '12.50', row.__c2] });
    expect(decodeCursor(account, t, ok)).toEqual(['-5', '12.50', row.__c2]);
    for (const k of [
      ['1.5', '1', row.__c2],
      ['99999999999999999999', '1', row.__c2],
      ['1', '1e5', row.__c2],
    ]) {
      expect(
        errorOf(() => decodeCursor(account, t, forge({ v: 1, s: 'employees,annualRevenue,id', k }))).code,
      ).toBe('INVALID_CURSOR');
    }
    const b = parseSort(contact, 'doNotContact');
    expect(
      errorOf(() => decodeCursor(contact, b, forge({ v: 1, s: 'doNotContact,id', k: ['yes', row.__c2] })))
        .code,
    ).toBe('INVALID_CURSOR');
  });

  it('uses a row comparison when every column is NOT NULL and directions agree', () => {
    const t = parseSort(contact, 'createdAt');
    const cursor = encodeCursor(t, { __c0: row.__c0, __c1: row.__c2 });
    const params = new SqlParams();
    expect(keysetPredicate(contact, t, cursor, params, 't')).toBe(
      '(t."created_at", t."id") > ($1::timestamptz, $2::uuid)',
    );
    const mixed = parseSort(contact, '-createdAt,firstName');
    const p2 = new SqlParams();
    expect(keysetPredicate(contact, mixed, encodeCursor(mixed, row), p2, 't')).toBe(
      '(t."created_at" <= $1::timestamptz AND (t."created_at" < $1::timestamptz OR (t."created_at" = $1::timestamptz AND t."first_name" IS NULL AND t."id" > $2::uuid)))',
    );
  });

  it('emits datetime cursor columns as UTC text with microseconds', () => {
    expect(cursorSelectSql(contact, parseSort(contact, 'createdAt'), 't')).toEqual([
      `to_char(t."created_at" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "__c0"`,
      't."id"::text AS "__c1"',
    ]);
  });

  it('throws a programming error when the row lacks the cursor columns', () => {
    expect(() => encodeCursor(terms, { id: 'x' })).toThrow(/cursorSelectSql/);
  });
});

describe('buildListQuery / buildCountQuery', () => {
  const columns = contact.fields.filter((f) => ['id', 'firstName', 'lastName', 'createdAt'].includes(f.name));

  async function page(sort: string, limit: number, cursor?: string | null, filter?: string) {
    const query = buildListQuery(registry, contact, {
      sort: parseSort(contact, sort),
      limit,
      cursor,
      columns,
      filter: parseFilterInput(filter),
    });
    const rows = await db.query(tenant, query.sql, query.params);
    return toPage(rows, query);
  }

  it('builds the documented SQL', () => {
    const params = new SqlParams();
    const owner = params.add('0190a0f0-0000-7000-8000-000000000000');
    const q = buildListQuery(registry, contact, {
      sort: parseSort(contact, '-createdAt'),
      limit: 10,
      columns,
      filter: parseFilter("lastName eq 'x'"),
      q: 'smith',
      extraWhere: [`t."owner_id" = ${owner}::uuid`],
      params,
    });
    expect(q.sql).toBe(
      [
        `SELECT t."id" AS "id", t."created_at" AS "createdAt", t."first_name" AS "firstName", t."last_name" AS "lastName", to_char(t."created_at" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "__c0", t."id"::text AS "__c1"`,
        'FROM "contacts" t',
        'WHERE t."deleted_at" IS NULL',
        '  AND (t."owner_id" = $1::uuid)',
        '  AND t."last_name" = $2::text',
        `  AND t."search" @@ websearch_to_tsquery('simple', $3::text)`,
        'ORDER BY t."created_at" DESC NULLS FIRST, t."id" ASC NULLS LAST',
        'LIMIT 11',
      ].join('\n'),
    );
    expect(q.params).toEqual(['0190a0f0-0000-7000-8000-000000000000', 'x', 'smith']);
    expect(q.sort).toEqual([
      { field: 'createdAt', direction: 'desc' },
      { field: 'id', direction: 'asc' },
    ]);
  });

  it('pages through rows one microsecond apart without loss', async () => {
    const all = await page('createdAt', 200);
    expect(all.rows).toHaveLength(6);
    expect(all.nextCursor).toBeNull();
    expect(all.rows[0]).not.toHaveProperty('__c0');
    const seen: unknown[] = [];
    let cursor: string | null = null;
    do {
      const p: Awaited<ReturnType<typeof page>> = await page('createdAt', 1, cursor);
      seen.push(...p.rows.map((r) => r.id));
      cursor = p.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.rows.map((r) => r.id));
  });

  it('keeps filters and cursors working together', async () => {
    const first = await page('-lastName,firstName', 2, null, "lastName ne 'Name5'");
    const pick = (p: { rows: Record<string, unknown>[] }) =>
      p.rows.map((r) => [r.lastName, r.firstName ?? null]);
    expect(pick(first)).toEqual([
      ['Same', 'F1'],
      ['Same', null],
    ]);
    const second = await page('-lastName,firstName', 2, first.nextCursor, "lastName ne 'Name5'");
    expect(pick(second)).toEqual([
      ['Same', null],
      ['Name4', null],
    ]);
    const third = await page('-lastName,firstName', 2, second.nextCursor, "lastName ne 'Name5'");
    expect(pick(third)).toEqual([['Name3', 'F3']]);
    expect(third.nextCursor).toBeNull();
    // The cursor is bound to the sort.
    expect(() =>
      buildListQuery(registry, contact, {
        sort: parseSort(contact, 'lastName'),
        limit: 2,
        cursor: first.nextCursor,
        columns,
      }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_CURSOR' }));
  });

  it('searches with q and refuses q on objects without a search column', async () => {
    const q = buildListQuery(registry, contact, {
      sort: [],
      limit: 50,
      columns,
      q: 'name4 OR "p5@example.com"',
    });
    const rows = await db.query(tenant, q.sql, q.params);
    expect(rows.map((r) => r.lastName).sort()).toEqual(['Name4', 'Name5']);
    const blank = buildListQuery(registry, contact, { sort: [], limit: 50, columns, q: '  ' });
    expect(blank.sql).not.toContain('websearch');
    const err = errorOf(() =>
      buildListQuery(registry, user, { sort: [], limit: 5, columns: user.fields, q: 'x' }),
    );
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.detail).toBe('object user does not support q');
    expect(
      errorOf(() => buildListQuery(registry, contact, { sort: [], limit: 5, columns, q: 'a'.repeat(501) }))
        .code,
    ).toBe('BAD_REQUEST');
  });

  it('works for objects without soft delete', async () => {
    const q = buildListQuery(registry, user, { sort: [], limit: 5, columns: user.fields });
    expect(q.sql).not.toContain('deleted_at');
    const rows = await db.query(tenant, q.sql, q.params);
    expect(rows).toEqual([expect.objectContaining({ email: 'a@x.io', displayName: 'A', isAdmin: false })]);
  });

  it('counts with the same where', async () => {
    const c = buildCountQuery(registry, contact, { filter: parseFilter("account.industry eq 'saas'") });
    expect(c.sql).toContain('SELECT count(*)::int AS "total"');
    const rows = await db.query<{ total: number }>(tenant, c.sql, c.params);
    expect(rows[0]!.total).toBe(4);
    const all = buildCountQuery(registry, contact, {});
    expect((await db.query<{ total: number }>(tenant, all.sql, all.params))[0]!.total).toBe(6);
  });

  it('validates limits', () => {
    expect(parseLimit(undefined)).toBe(50);
    expect(parseLimit('')).toBe(50);
    expect(parseLimit('200')).toBe(200);
    expect(parseLimit(1)).toBe(1);
    expect(errorOf(() => parseLimit(201)).code).toBe('LIMIT_TOO_LARGE');
    expect(errorOf(() => parseLimit('1000')).status).toBe(400);
    for (const bad of [0, -1, 1.5, '1.5', 'ten', '1e2', true, {}])
      expect(errorOf(() => parseLimit(bad)).code).toBe('BAD_REQUEST');
    expect(errorOf(() => buildListQuery(registry, contact, { sort: [], limit: 500, columns })).code).toBe(
      'LIMIT_TOO_LARGE',
    );
  });
});

describe('parseFilterInput / parseFields / parseExpand', () => {
  it('accepts strings, JSON strings and objects', () => {
    expect(parseFilterInput("a eq 'x'")).toEqual({ a: { eq: 'x' } });
    expect(parseFilterInput(' {"a": {"eq": "x"}} ')).toEqual({ a: { eq: 'x' } });
    expect(parseFilterInput({ a: { eq: 'x' } })).toEqual({ a: { eq: 'x' } });
    expect(parseFilterInput(undefined)).toBeUndefined();
    expect(parseFilterInput(null)).toBeUndefined();
    expect(parseFilterInput('  ')).toBeUndefined();
    for (const bad of ['{"a": ', '{}', 5, [], ['a eq 1'], true])
      expect(errorOf(() => parseFilterInput(bad)).code).toBe('INVALID_FILTER');
  });

  it('parses fields and expand', () => {
    expect(parseFields(contact, 'email, lastName,email')!.map((f) => f.name)).toEqual([
      'id',
      'email',
      'lastName',
    ]);
    expect(parseFields(contact, undefined)).toBeUndefined();
    expect(parseFields(contact, '')).toBeUndefined();
    const err = errorOf(() => parseFields(contact, 'email,nope,zip'));
    expect(err.code).toBe('INVALID_FIELDS');
    expect(err.errors.map((e) => e.field)).toEqual(['nope', 'zip']);
    expect(parseExpand(registry, contact, 'account,activities').map((r) => r.name)).toEqual([
      'account',
      'activities',
    ]);
    expect(parseExpand(registry, contact, undefined)).toEqual([]);
    const e2 = errorOf(() => parseExpand(registry, contact, 'account,owner'));
    expect(e2.code).toBe('INVALID_EXPAND');
    expect(e2.errors[0]!.field).toBe('owner');
  });
});
