import { CountingLogger } from '../../src/platform/database/query-counter.js';
import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, UserFixture } from '../harness/factories.js';
import { gql } from '../harness/graphql.js';

describe('customers over GraphQL', () => {
  let t: TestApp;
  let a: UserFixture;

  beforeAll(async () => {
    t = await createTestApp();
    a = await newTenant(t);
  });
  afterAll(() => t.close());

  const q = <T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>) =>
    gql<T>(t, a.token, query, variables);

  it('creates, reads, updates with expectedVersion, deletes and restores', async () => {
    const created = await q<{ createAccount: { id: string; name: string; version: number } }>(
      `mutation($input: CreateAccountInput!) { createAccount(input: $input) { id name version industry } }`,
      { input: { name: 'Graph Co', industry: 'saas' } },
    );
    expect(created.errors).toBeUndefined();
    const id = created.data!.createAccount.id;
    expect(created.data!.createAccount).toMatchObject({ name: 'Graph Co', version: 1 });

    const updated = await q(
      `mutation($id: ID!) { updateAccount(id: $id, input: { industry: "fintech" }, expectedVersion: 1) { industry version } }`,
      { id },
    );
    expect(updated.data).toEqual({ updateAccount: { industry: 'fintech', version: 2 } });

    const stale = await q(
      `mutation($id: ID!) { updateAccount(id: $id, input: { industry: "x" }, expectedVersion: 1) { version } }`,
      { id },
    );
    expect(stale.errors?.[0].extensions?.code).toBe('VERSION_MISMATCH');

    const del = await q(`mutation($id: ID!) { deleteAccount(id: $id) }`, { id });
    expect(del.data).toEqual({ deleteAccount: true });
    const gone = await q(`query($id: ID!) { account(id: $id) { id } }`, { id });
    expect(gone.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const restored = await q(`mutation($id: ID!) { restoreAccount(id: $id) { id version } }`, { id });
    expect(restored.data).toEqual({ restoreAccount: { id, version: 4 } });
  });

  it('validates inputs with the same rules as REST, naming the field', async () => {
    const res = await q(`mutation { createContact(input: { lastName: "X", email: "nope" }) { id } }`);
    expect(res.errors?.[0].extensions?.code).toBe('VALIDATION_FAILED');
    expect(res.errors?.[0].extensions?.errors?.map((e) => e.field)).toEqual(['email']);
    const unknown = await q(`mutation { createContact(input: { lastName: "X", shoeSize: 4 }) { id } }`);
    expect(unknown.errors?.[0].extensions?.code).toBe('BAD_REQUEST');
    expect(JSON.stringify(unknown.errors)).not.toMatch(/stacktrace/);
  });

  it('lists a connection with filter, sort, pagination and totalCount, and nests account and contacts', async () => {
    const acc = await q<{ createAccount: { id: string } }>(
      `mutation { createAccount(input: { name: "Nest Inc", industry: "saas" }) { id } }`,
    );
    const accountId = acc.data!.createAccount.id;
    for (const lastName of ['Alpha', 'Beta', 'Gamma']) {
      await q(`mutation($input: CreateContactInput!) { createContact(input: $input) { id } }`, {
        input: { lastName, accountId, email: `${lastName}@nest.io` },
      });
    }
    const page1 = await q<{
      contacts: {
        nodes: { lastName: string; account: { name: string } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string };
        totalCount: number;
      };
    }>(
      `{ contacts(filter: "account.industry eq 'saas'", sort: "lastName", first: 2) { nodes { lastName account { name } } pageInfo { hasNextPage endCursor } totalCount } }`,
    );
    expect(page1.errors).toBeUndefined();
    expect(page1.data!.contacts.nodes).toEqual([
      { lastName: 'Alpha', account: { name: 'Nest Inc' } },
      { lastName: 'Beta', account: { name: 'Nest Inc' } },
    ]);
    expect(page1.data!.contacts.totalCount).toBe(3);
    const page2 = await q<{
      contacts: { nodes: { lastName: string }[]; pageInfo: { hasNextPage: boolean } };
    }>(
      `query($after: String) { contacts(filter: "account.industry eq 'saas'", sort: "lastName", first: 2, after: $after) { nodes { lastName } pageInfo { hasNextPage } } }`,
      { after: page1.data!.contacts.pageInfo.endCursor },
    );
    expect(page2.data!.contacts).toEqual({
      nodes: [{ lastName: 'Gamma' }],
      pageInfo: { hasNextPage: false },
    });

    const nested = await q<{
      account: { contacts: { nodes: { lastName: string }[]; pageInfo: { hasNextPage: boolean } } };
    }>(
      `query($id: ID!) { account(id: $id) { contacts(filter: { lastName: { ne: "Beta" } }, sort: "-lastName", first: 1) { nodes { lastName } pageInfo { hasNextPage } } } }`,
      { id: accountId },
    );
    expect(nested.data!.account.contacts).toEqual({
      nodes: [{ lastName: 'Gamma' }],
      pageInfo: { hasNextPage: true },
    });

    const bad = await q(`{ contacts(filter: "nope eq 1") { nodes { id } } }`);
    expect(bad.errors?.[0].extensions?.code).toBe('INVALID_FILTER');
    const big = await q(`{ contacts(first: 500) { nodes { id } } }`);
    expect(big.errors?.[0].extensions?.code).toBe('LIMIT_TOO_LARGE');
  });

  it('refuses queries deeper or costlier than the limits', async () => {
    const deep = await q(
      `{ contacts { nodes { account { parentAccount { parentAccount { parentAccount { parentAccount { parentAccount { parentAccount { id } } } } } } } } } }`,
    );
    expect(deep.errors?.[0].extensions?.code).toBe('BAD_REQUEST');
    expect(deep.errors?.[0].message).toMatch(/depth/i);
    expect(deep.data).toBeNull();
    const aliases = Array.from({ length: 40 }, (_, i) => `a${i}: serverInfo { version }`).join(' ');
    const many = await q(`{ ${aliases} }`);
    expect(many.errors?.[0].extensions?.code).toBe('BAD_REQUEST');
    expect(many.errors?.[0].message).toMatch(/alias/i);
    const batch = await t.http
      .post('/graphql')
      .set('authorization', `Bearer ${a.token}`)
      .send([{ query: '{ serverInfo { version } }' }, { query: '{ serverInfo { version } }' }]);
    expect(batch.status).toBe(400);
  });

  it('resolves 50 contacts with their accounts in a constant number of statements (no N+1)', async () => {
    const other = await newTenant(t);
    const run = (query: string) => gql(t, other.token, query);
    const accounts: string[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await run(`mutation { createAccount(input: { name: "Acc ${i}" }) { id } }`);
      accounts.push((r.data as { createAccount: { id: string } }).createAccount.id);
    }
    const measure = async (first: number) => {
      const before = CountingLogger.statements;
      const res = await run(`{ contacts(first: ${first}) { nodes { id account { id name } } } }`);
      expect(res.errors).toBeUndefined();
      expect((res.data as { contacts: { nodes: unknown[] } }).contacts.nodes).toHaveLength(first);
      return CountingLogger.statements - before;
    };
    for (let i = 0; i < 50; i++) {
      await run(
        `mutation { createContact(input: { lastName: "C${i}", accountId: "${accounts[i % 10]}" }) { id } }`,
      );
    }
    const for5 = await measure(5);
    const for50 = await measure(50);
    expect(for50).toBe(for5);
    expect(for50).toBeLessThanOrEqual(12);
  });

  it('needs a token: UNAUTHENTICATED without one', async () => {
    const res = await gql(t, undefined, `{ contacts { nodes { id } } }`);
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});
