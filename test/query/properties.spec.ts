/**
 * Property tests (fast-check) against a real Postgres:
 * (a) arbitrary filter strings never produce anything but a result or a 4xx DomainError;
 * (b) arbitrary ASTs over the registry likewise, and `not f` is the exact complement of `f`;
 * (c) keyset pagination returns every row exactly once, in ORDER BY order, for random sorts.
 */
import fc from 'fast-check';
import type pg from 'pg';
import { DomainError } from '../../src/platform/http/domain-error.js';
import type { FieldDef, ObjectDef, SortTerm } from '../../src/platform/registry/object-registry.js';
import {
  buildCountQuery,
  buildListQuery,
  OPERATORS,
  OPERATORS_BY_TYPE,
  orderBySql,
  parseFilter,
  resolveSort,
  toPage,
} from '../../src/platform/query/index.js';
import type { FilterNode } from '../../src/platform/query/index.js';
import { buildRegistry, insertRow, insertTenant, LIFECYCLE, openTestDb, tableCounts } from './fixtures.js';
import type { TestDb } from './fixtures.js';

const { registry, account, contact, activity } = buildRegistry();
let db: TestDb;
let tenant: string;
let counts: Record<string, number>;
const live: Record<string, number> = {};

/** Deterministic PRNG so the data set is the same on every run. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TIMES = [
  '2024-01-01T00:00:00Z',
  '2024-01-01T00:00:00.000001Z',
  '2024-01-01T00:00:00.000999Z',
  '2024-01-01T00:00:00.001Z',
  '2023-12-31T23:59:59.999999Z',
  '2024-06-01T12:00:00+02:00',
];
const WORDS = ['a', 'A', 'b', 'B', 'ä', 'Z', ' ', 'a b', 'ab', 'a-b', "O'Neil", '%', '_', 'Smith'];

beforeAll(async () => {
  db = await openTestDb();
  const c = db.client;
  tenant = await insertTenant(c, 'props');
  const rnd = mulberry32(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const maybe = <T>(x: T, p = 0.3): T | null => (rnd() < p ? null : x);

  const accountIds: string[] = [];
  for (let i = 0; i < 40; i += 1) {
    const revenue = maybe(pick(['1.50', '1.5', '100', '-3.25', '99999999.99', '0']), 0.4);
    const id = await insertRow(c, 'accounts', tenant, {
      name: pick(WORDS),
      domain: maybe(pick(['acme.com', 'x.io', 'a.b'])),
      industry: maybe(pick(['saas', 'fintech', 'retail'])),
      employees: maybe(pick([0, 1, 5, 5, 100, 2147483647])),
      annual_revenue: revenue,
      currency: revenue === null ? maybe('USD') : pick(['USD', 'EUR']),
      parent_account_id: accountIds.length > 0 ? maybe(pick(accountIds), 0.6) : null,
      tags: rnd() < 0.5 ? ['vip'] : [],
      created_at: pick(TIMES),
      updated_at: pick(TIMES),
      deleted_at: rnd() < 0.1 ? new Date() : null,
    });
    accountIds.push(id);
  }
  const contactIds: string[] = [];
  for (let i = 0; i < 150; i += 1) {
    contactIds.push(
      await insertRow(c, 'contacts', tenant, {
        first_name: maybe(pick(WORDS)),
        last_name: pick(WORDS),
        email: maybe(pick(['a@acme.com', 'b@acme.com', 'x@y.io', '%_@z'])),
        title: maybe(pick(['CTO', 'cto', '50% off_sale'])),
        account_id: maybe(pick(accountIds)),
        lifecycle_stage: maybe(pick(LIFECYCLE)),
        lead_source: maybe(pick(['web', 'ads'])),
        do_not_contact: rnd() < 0.3,
        tags: rnd() < 0.3 ? ['vip', 'x'] : [],
        created_at: pick(TIMES),
        updated_at: pick(TIMES),
        version: pick([1, 2, 3]),
        deleted_at: rnd() < 0.05 ? new Date() : null,
      }),
    );
  }
  for (let i = 0; i < 80; i += 1) {
    await insertRow(c, 'activities', tenant, {
      type: pick(['call', 'email', 'meeting', 'note', 'task']),
      subject: pick(WORDS),
      body: maybe(pick(['hello', 'x%y'])),
      occurred_at: pick(TIMES),
      due_at: maybe(pick(TIMES), 0.5),
      status: pick(['open', 'completed', 'cancelled']),
      account_id: maybe(pick(accountIds)),
      contact_id: maybe(pick(contactIds)),
      deleted_at: rnd() < 0.05 ? new Date() : null,
    });
  }
  // Fresh tables have no statistics; without them the planner nests sequential scans.
  await c.query('ANALYZE accounts, contacts, activities');
  counts = await tableCounts(c);
  for (const o of [account, contact, activity]) {
    const r = await c.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${o.table} WHERE deleted_at IS NULL`,
    );
    live[o.name] = r.rows[0]!.n;
  }
});

afterAll(async () => {
  // Nothing any filter did may have changed the data or the schema.
  expect(await tableCounts(db.client)).toEqual(counts);
  await db.close();
});

/** Runs fn; DomainErrors with a 4xx status count as a clean refusal, anything else fails. */
async function acceptsOrRefuses(fn: () => Promise<void>): Promise<'ok' | 'refused'> {
  try {
    await fn();
    return 'ok';
  } catch (e) {
    if (e instanceof DomainError && e.status >= 400 && e.status < 500) return 'refused';
    throw e;
  }
}

async function count(client: pg.Client, object: ObjectDef, filter: FilterNode): Promise<number> {
  const q = buildCountQuery(registry, object, { filter });
  const r = await client.query<{ total: number }>(q.sql, q.params);
  return r.rows[0]!.total;
}

// ---------------------------------------------------------------------------------------------
// (a) arbitrary strings

const VALID = [
  "lastName eq 'Smith' and (email endswith '@acme.com' or account.industry in ('saas','fintech'))",
  "not (title contains '50%_') or createdAt ge '2024-01-01T00:00:00Z'",
  "account any (employees gt 10) and lifecycleStage in ('lead', 'customer')",
  "activities any (dueAt is null and type eq 'call')",
  'doNotContact eq true or firstName is not null',
  "tags contains 'vip' and accountId ne null and account.parent.annualRevenue le 1.5",
  "account.annualRevenue ge '-3.25' and version in (1, 2)",
];
const TOKENS = [
  '(',
  ')',
  ',',
  "'",
  "''",
  ' ',
  'and',
  'or',
  'not',
  'eq',
  'ne',
  'gt',
  'ge',
  'lt',
  'le',
  'in',
  'contains',
  'startswith',
  'endswith',
  'is',
  'null',
  'is not null',
  'any',
  'true',
  'false',
  '-1',
  '3.14',
  '1e5',
  '-',
  '.',
  "'x'",
  '"x"',
  "'; drop table contacts; --",
  'lastName',
  'email',
  'account.industry',
  'account',
  'contacts',
  'activities',
  'createdAt',
  "'2024-01-01'",
  "'2024-02-30T25:61:00+16:00'",
  "'0190a0f0-0000-7000-8000-000000000000'",
  "'not-a-uuid'",
  'account.employees',
  'account.parent.name',
  'tags',
  'phone',
  'address',
  'nope',
  ';',
  '--',
  '/*',
  '*/',
  '\\',
  '$1',
  '%',
  '_',
  '\u0000',
  '99999999999999999999',
  '2147483648',
  '1.5',
  "'lead'",
  "'LEAD'",
  'version',
  'doNotContact',
];
const INJECTIONS = [
  "'; drop table contacts; --",
  "lastName eq ''; drop table contacts; --'",
  "lastName eq 'x' or 1=1 --",
  "lastName eq 'x'); drop table contacts; --",
  "email eq '\\'; select pg_sleep(10); --'",
  'lastName eq $$x$$',
  "lastName eq E'\\x00'",
  "lastName eq 'x'::text",
  'lastName eq (select 1)',
  'account.industry eq \'a\' and "t"."tenant_id" is not null',
  "lastName in ('a'); delete from contacts where ('1' = '1')",
  'tenant_id is not null',
  "lastName eq 'x' union select * from users",
];

const mutation = fc.record({
  at: fc.nat({ max: 200 }),
  kind: fc.constantFrom('delete', 'insert', 'replace', 'duplicate'),
  len: fc.integer({ min: 1, max: 6 }),
  token: fc.constantFrom(...TOKENS),
});

function mutate(text: string, edits: { at: number; kind: string; len: number; token: string }[]): string {
  let s = text;
  for (const e of edits) {
    const at = e.at % (s.length + 1);
    if (e.kind === 'delete') s = s.slice(0, at) + s.slice(at + e.len);
    else if (e.kind === 'insert') s = `${s.slice(0, at)} ${e.token} ${s.slice(at)}`;
    else if (e.kind === 'replace') s = s.slice(0, at) + e.token + s.slice(at + e.len);
    else s = s.slice(0, at) + s.slice(at, at + e.len * 3) + s.slice(at);
  }
  return s;
}

/** Syntactically valid filter strings over contact paths with random (often ill-typed) literals. */
const literal = fc.oneof(
  fc.string({ maxLength: 8 }).map((v) => `'${v.replace(/'/g, "''")}'`),
  fc
    .constantFrom(...WORDS, 'acme', 'vip', 'lead', 'CTO', '2024-01-01T00:00:00.000001Z', '2024-01-01', 'x')
    .map((v) => `'${v.replace(/'/g, "''")}'`),
  fc.integer({ min: -5, max: 200 }).map(String),
  fc.constantFrom('1.5', '-3.25', 'true', 'false', 'null', '2147483648'),
);
const PATHS = [
  'lastName',
  'firstName',
  'email',
  'title',
  'lifecycleStage',
  'doNotContact',
  'tags',
  'createdAt',
  'version',
  'accountId',
  'account.name',
  'account.industry',
  'account.employees',
  'account.annualRevenue',
  'account.parent.name',
  'account.tags',
  'account.createdAt',
];
const predicate = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(...PATHS),
      fc.constantFrom('eq', 'ne', 'gt', 'ge', 'lt', 'le', 'contains', 'startswith', 'endswith'),
      literal,
    )
    .map((p) => p.join(' ')),
  fc
    .tuple(fc.constantFrom(...PATHS), fc.array(literal, { minLength: 1, maxLength: 4 }))
    .map(([p, ls]) => `${p} in (${ls.join(', ')})`),
  fc.tuple(fc.constantFrom(...PATHS), fc.constantFrom('is null', 'is not null')).map((p) => p.join(' ')),
);
const wellFormed: fc.Arbitrary<string> = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    predicate,
    fc
      .tuple(tie('expr'), fc.constantFrom('and', 'or', 'AND', 'Or'), tie('expr'))
      .map(([a, op, b]) => `${a} ${op} ${b}`),
    tie('expr').map((e) => `not (${e})`),
    tie('expr').map((e) => `(${e})`),
    tie('expr').map(
      (e) =>
        `activities any (type eq 'call' or ${e.includes('account') || e.includes('tags') ? "subject eq 'x'" : 'id is not null'})`,
    ),
  ),
})).expr;

const filterText = fc.oneof(
  { weight: 4, arbitrary: wellFormed },
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(fc.constantFrom(...TOKENS), { maxLength: 14 }).map((ts) => ts.join(' ')),
  fc
    .tuple(fc.constantFrom(...VALID), fc.array(mutation, { minLength: 1, maxLength: 4 }))
    .map(([v, edits]) => mutate(v, edits)),
  fc.constantFrom(...INJECTIONS, ...VALID),
);

describe('property: filter strings', () => {
  it('either run or give a 4xx DomainError, never a 500 or a Postgres error', async () => {
    const outcomes = { ok: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(filterText, fc.constantFrom(contact, account), async (text, object) => {
        const outcome = await acceptsOrRefuses(async () => {
          const filter = parseFilter(text);
          await db.asTenant(tenant, async (c) => {
            await count(c, object, filter);
          });
        });
        outcomes[outcome] += 1;
      }),
      { numRuns: 300 },
    );
    // The generators must exercise both paths.
    expect(outcomes.ok).toBeGreaterThan(10);
    expect(outcomes.refused).toBeGreaterThan(10);
  });

  it('the valid examples all compile and run', async () => {
    for (const text of VALID) {
      await db.asTenant(tenant, async (c) => {
        expect(await count(c, contact, parseFilter(text))).toBeGreaterThanOrEqual(0);
      });
    }
  });
});

// ---------------------------------------------------------------------------------------------
// (b) arbitrary ASTs

const junkScalar = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(2 ** 31, -(2 ** 31) - 1, 2 ** 53, 1e300, -0, 0.1),
);
const dateString = fc.oneof(
  fc
    .date({
      min: new Date('0001-01-01T00:00:00Z'),
      max: new Date('9999-12-31T23:59:59Z'),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString()),
  fc.stringMatching(
    /^\d{4}-[01]\d-[0-3]\d([T ][0-2]\d:[0-6]\d(:[0-6]\d(\.\d{1,9})?)?(Z|[+-][01]\d(:?[0-6]\d)?)?)?$/,
  ),
  fc.constantFrom(
    '2024-01-01',
    '2024-01-01T00:00:00.000001Z',
    '2024-02-29',
    '2023-02-29',
    'now',
    'infinity',
    '0000-01-01',
  ),
);

function typedValue(field: FieldDef): fc.Arbitrary<unknown> {
  switch (field.type) {
    case 'string':
    case 'text':
    case 'stringArray':
      return fc.oneof(fc.constantFrom(...WORDS, 'acme', 'vip', '@acme.com'), fc.string({ maxLength: 10 }));
    case 'enum':
      return fc.constantFrom(...(field.enumValues ?? []), 'bogus');
    case 'integer':
      return fc.oneof(fc.integer({ min: -10, max: 200 }), fc.constantFrom(2147483647, 2 ** 40, 1.5));
    case 'decimal':
      return fc.oneof(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.stringMatching(/^-?\d{1,30}(\.\d{1,12})?$/),
        fc.constantFrom('1.5', '1e5', 'NaN', ' 1', '1.'),
      );
    case 'boolean':
      return fc.boolean();
    case 'uuid':
      return fc.oneof(
        fc.uuid(),
        fc.constantFrom(
          '0190A0F0-0000-7000-8000-000000000000',
          'x',
          '{0190a0f0-0000-7000-8000-000000000000}',
        ),
      );
    case 'datetime':
      return dateString;
    case 'json':
      return fc.jsonValue();
  }
}

function operand(field: FieldDef | undefined): fc.Arbitrary<unknown> {
  const typed = field ? typedValue(field) : junkScalar;
  const one = fc.oneof({ weight: 4, arbitrary: typed }, { weight: 1, arbitrary: junkScalar });
  return fc.oneof({ weight: 5, arbitrary: one }, { weight: 2, arbitrary: fc.array(one, { maxLength: 4 }) });
}

const OPS = [...OPERATORS, 'like'];

function opFor(field: FieldDef | undefined): fc.Arbitrary<string> {
  const supported = field ? OPERATORS_BY_TYPE[field.type] : [];
  if (supported.length === 0) return fc.constantFrom(...OPS);
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...supported) },
    { weight: 1, arbitrary: fc.constantFrom(...OPS) },
  );
}

function valueFor(field: FieldDef | undefined, op: string): fc.Arbitrary<unknown> {
  if (!field) return operand(field);
  const typed = typedValue(field);
  const mostly = (arb: fc.Arbitrary<unknown>) =>
    fc.oneof({ weight: 6, arbitrary: arb }, { weight: 1, arbitrary: operand(field) });
  if (op === 'in') return mostly(fc.array(typed, { minLength: 1, maxLength: 4 }));
  if (op === 'isNull') return mostly(fc.boolean());
  return mostly(typed);
}

function leafFor(object: ObjectDef, prefix: string, hops: number): fc.Arbitrary<FilterNode> {
  const fields = fc
    .oneof(
      { weight: 12, arbitrary: fc.constantFrom<FieldDef | undefined>(...object.fields) },
      { weight: 1, arbitrary: fc.constant<FieldDef | undefined>(undefined) },
    )
    .chain((field) =>
      opFor(field).chain((op) =>
        valueFor(field, op).map(
          (value) => ({ [`${prefix}${field?.name ?? 'nope'}`]: { [op]: value } }) as FilterNode,
        ),
      ),
    );
  const toOne = object.relations.filter((r) => r.kind === 'toOne');
  if (hops === 0 || toOne.length === 0) return fields;
  return fc.oneof(
    { weight: 3, arbitrary: fields },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(...toOne)
        .chain((rel) => leafFor(registry.get(rel.target), `${prefix}${rel.name}.`, hops - 1)),
    },
  );
}

function nodeFor(object: ObjectDef, depth: number): fc.Arbitrary<FilterNode> {
  const leaf = leafFor(object, '', 2);
  if (depth === 0) return leaf;
  const sub = nodeFor(object, depth - 1);
  return fc.oneof(
    { weight: 4, arbitrary: leaf },
    {
      weight: 1,
      arbitrary: fc.array(sub, { minLength: 1, maxLength: 3 }).map((and) => ({ and }) as FilterNode),
    },
    {
      weight: 1,
      arbitrary: fc.array(sub, { minLength: 1, maxLength: 3 }).map((or) => ({ or }) as FilterNode),
    },
    { weight: 1, arbitrary: sub.map((not) => ({ not }) as FilterNode) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(...object.relations)
        .chain((rel) =>
          nodeFor(registry.get(rel.target), depth - 1).map(
            (inner) => ({ [rel.name]: { any: inner } }) as FilterNode,
          ),
        ),
    },
  );
}

const astCase = fc
  .constantFrom(contact, account, activity)
  .chain((object) => fc.tuple(fc.constant(object), nodeFor(object, 2)));

describe('property: filter ASTs', () => {
  it('run or give a 4xx DomainError; not f is the exact complement of f', async () => {
    const outcomes = { ok: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(astCase, async ([object, filter]) => {
        const outcome = await acceptsOrRefuses(() =>
          db.asTenant(tenant, async (c) => {
            const yes = await count(c, object, filter);
            const no = await count(c, object, { not: filter });
            expect(yes + no).toBe(live[object.name]);
          }),
        );
        outcomes[outcome] += 1;
      }),
      { numRuns: 300 },
    );
    expect(outcomes.ok).toBeGreaterThan(20);
    expect(outcomes.refused).toBeGreaterThan(20);
  });
});

// ---------------------------------------------------------------------------------------------
// (c) keyset pagination

const sortCase = fc.constantFrom(contact, account, activity).chain((object) => {
  const sortable = object.fields.filter((f) => f.sortable && f.name !== 'id').map((f) => f.name);
  return fc.record({
    object: fc.constant(object),
    fields: fc.uniqueArray(fc.constantFrom(...sortable), { minLength: 0, maxLength: 3 }),
    directions: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    explicitId: fc.boolean(),
    pageSizes: fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 5 }),
  });
});

describe('property: keyset pagination', () => {
  it('returns every row exactly once, in ORDER BY order, for random sorts and page sizes', async () => {
    const idField = contact.fields.find((f) => f.name === 'id')!;
    await fc.assert(
      fc.asyncProperty(sortCase, async ({ object, fields, directions, explicitId, pageSizes }) => {
        const requested: SortTerm[] = fields.map((field, i) => ({
          field,
          direction: directions[i] ? 'desc' : 'asc',
        }));
        if (explicitId) requested.push({ field: 'id', direction: directions[3] ? 'desc' : 'asc' });
        const sort = resolveSort(object, requested);
        await db.asTenant(tenant, async (c) => {
          const expected = await c.query<{ id: string }>(
            `SELECT t.id FROM ${object.table} t WHERE t.deleted_at IS NULL ORDER BY ${orderBySql(object, sort, 't')}`,
          );
          const seen: string[] = [];
          let cursor: string | null = null;
          for (let page = 0; page < 1000; page += 1) {
            const limit = pageSizes[page % pageSizes.length]!;
            const q = buildListQuery(registry, object, { sort, limit, cursor, columns: [idField] });
            const p = toPage((await c.query(q.sql, q.params)).rows, q);
            expect(p.rows.length).toBeLessThanOrEqual(limit);
            seen.push(...p.rows.map((r) => r.id as string));
            cursor = p.nextCursor;
            if (!cursor) break;
          }
          expect(seen).toEqual(expected.rows.map((r) => r.id));
          expect(new Set(seen).size).toBe(live[object.name]);
        });
      }),
      { numRuns: 120 },
    );
  });
});
