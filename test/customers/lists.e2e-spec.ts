import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, UserFixture } from '../harness/factories.js';

describe('lists: filter, sort, cursors, fields, expand, q, count, timeline', () => {
  let t: TestApp;
  let a: UserFixture;
  const auth = () => ({ authorization: `Bearer ${a.token}` });
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp();
    a = await newTenant(t);
    const acc = async (key: string, body: object) => {
      const r = await t.http.post('/v1/accounts').set(auth()).send(body);
      ids[key] = r.body.id;
    };
    await acc('acme', { name: 'Acme', industry: 'saas', employees: 120 });
    await acc('globex', { name: 'Globex', industry: 'fintech', employees: 5000 });
    await acc('initech', { name: 'Initech', industry: 'retail', employees: 40 });
    const people: [string, string, string, string, number?][] = [
      ['ada', 'Ada', 'Lovelace', 'acme'],
      ['alan', 'Alan', 'Turing', 'acme'],
      ['grace', 'Grace', 'Hopper', 'globex'],
      ['linus', 'Linus', 'Smith', 'globex'],
      ['anna', 'Anna', 'Smith', 'initech'],
      ['solo', 'Solo', 'Nobody', ''],
    ];
    for (const [key, firstName, lastName, account] of people) {
      const r = await t.http
        .post('/v1/contacts')
        .set(auth())
        .send({
          firstName,
          lastName,
          email: `${key}@${account || 'none'}.com`,
          accountId: account ? ids[account] : undefined,
          tags: key === 'ada' ? ['vip'] : [],
        });
      ids[key] = r.body.id;
    }
    const act = (body: object) => t.http.post('/v1/activities').set(auth()).send(body);
    await act({
      type: 'call',
      subject: 'Kickoff call',
      occurredAt: '2026-01-01T10:00:00Z',
      accountId: ids.acme,
    });
    await act({
      type: 'email',
      subject: 'Proposal sent',
      occurredAt: '2026-02-01T10:00:00Z',
      contactId: ids.ada,
    });
    await act({
      type: 'meeting',
      subject: 'Onsite workshop',
      occurredAt: '2026-03-01T10:00:00Z',
      contactId: ids.alan,
      accountId: ids.acme,
    });
    await act({
      type: 'note',
      subject: 'Globex note',
      occurredAt: '2026-03-02T10:00:00Z',
      accountId: ids.globex,
    });
  });
  afterAll(() => t.close());

  const list = (path: string, query: Record<string, string>) => t.http.get(path).query(query).set(auth());
  const names = (body: { data: { lastName?: string; name?: string }[] }) =>
    body.data.map((r) => r.lastName ?? r.name);

  it('filters with the string grammar, including relation paths and any()', async () => {
    let res = await list('/v1/contacts', {
      filter: "lastName eq 'Smith' and (firstName startswith 'L' or account.industry in ('retail'))",
      sort: 'firstName',
    });
    expect(res.status).toBe(200);
    expect(res.body.data.map((c: { firstName: string }) => c.firstName)).toEqual(['Anna', 'Linus']);
    res = await list('/v1/accounts', { filter: "contacts any (email endswith '@acme.com')" });
    expect(names(res.body)).toEqual(['Acme']);
    res = await list('/v1/contacts', { filter: 'accountId is null' });
    expect(names(res.body)).toEqual(['Nobody']);
    res = await list('/v1/contacts', { filter: "tags contains 'vip'" });
    expect(names(res.body)).toEqual(['Lovelace']);
    res = await list('/v1/accounts', { filter: 'employees ge 100', sort: '-employees' });
    expect(names(res.body)).toEqual(['Globex', 'Acme']);
  });

  it('takes the JSON AST in ?filter= and in POST /search', async () => {
    const ast = { and: [{ lastName: { eq: 'Smith' } }, { 'account.industry': { eq: 'fintech' } }] };
    const res = await list('/v1/contacts', { filter: JSON.stringify(ast) });
    expect(names(res.body)).toEqual(['Smith']);
    const search = await t.http
      .post('/v1/contacts/search')
      .set(auth())
      .send({ filter: ast, fields: ['firstName'] });
    expect(search.status).toBe(200);
    expect(search.body.data).toEqual([{ id: ids.linus, firstName: 'Linus' }]);
    const str = await t.http
      .post('/v1/contacts/search')
      .set(auth())
      .send({ filter: "firstName eq 'Grace'", count: true });
    expect(str.body).toMatchObject({ total: 1, nextCursor: null });
  });

  it('refuses bad filters with a 400 naming the problem', async () => {
    const unknown = await list('/v1/contacts', { filter: 'shoeSize eq 42' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('INVALID_FILTER');
    expect(unknown.body.detail).toMatch(/shoeSize/);
    const type = await list('/v1/accounts', { filter: "employees eq 'many'" });
    expect(type.status).toBe(400);
    expect(type.body.detail).toMatch(/employees/);
    const syntax = await list('/v1/contacts', { filter: "lastName eq 'unterminated" });
    expect(syntax.status).toBe(400);
    const sort = await list('/v1/contacts', { sort: 'address' });
    expect(sort.status).toBe(400);
    expect(sort.body.code).toBe('INVALID_SORT');
    const extra = await list('/v1/contacts', { colour: 'red' });
    expect(extra.status).toBe(400);
  });

  it('pages with opaque cursors: every record once, in order, no depth cap', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await list('/v1/contacts', {
        sort: 'lastName,-firstName',
        limit: '2',
        ...(cursor ? { cursor } : {}),
      });
      expect(res.status).toBe(200);
      seen.push(...res.body.data.map((c: { firstName: string }) => c.firstName));
      cursor = res.body.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(['Grace', 'Ada', 'Solo', 'Linus', 'Anna', 'Alan']);
    const bad = await list('/v1/contacts', { cursor: 'garbage!' });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('INVALID_CURSOR');
  });

  it('defaults to 50, allows 200 and refuses 201', async () => {
    expect((await list('/v1/contacts', { limit: '200' })).status).toBe(200);
    const over = await list('/v1/contacts', { limit: '201' });
    expect(over.status).toBe(400);
    expect(over.body.code).toBe('LIMIT_TOO_LARGE');
  });

  it('returns only the requested fields, and counts on request', async () => {
    const res = await list('/v1/contacts', { fields: 'email', filter: "firstName eq 'Ada'", count: 'true' });
    expect(res.body).toEqual({ data: [{ id: ids.ada, email: 'ada@acme.com' }], nextCursor: null, total: 1 });
    const bad = await list('/v1/contacts', { fields: 'email,nope' });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('INVALID_FIELDS');
  });

  it('expands to-one and to-many relations', async () => {
    const res = await list('/v1/contacts', { filter: "firstName eq 'Grace'", expand: 'account' });
    expect(res.body.data[0].account).toMatchObject({ id: ids.globex, name: 'Globex' });
    const one = await t.http.get(`/v1/accounts/${ids.acme}`).query({ expand: 'contacts' }).set(auth());
    expect(one.body.contacts.map((c: { firstName: string }) => c.firstName).sort()).toEqual(['Ada', 'Alan']);
    const none = await list('/v1/contacts', { filter: "firstName eq 'Solo'", expand: 'account' });
    expect(none.body.data[0].account).toBeNull();
    const bad = await list('/v1/contacts', { expand: 'spouse' });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('INVALID_EXPAND');
  });

  it('searches full text with q', async () => {
    const res = await list('/v1/contacts', { q: 'hopper' });
    expect(names(res.body)).toEqual(['Hopper']);
    const acts = await list('/v1/activities', { q: 'workshop' });
    expect(acts.body.data.map((x: { subject: string }) => x.subject)).toEqual(['Onsite workshop']);
  });

  it('serves an account timeline (its own and its contacts’ activities, newest first) and a contact timeline', async () => {
    const res = await t.http.get(`/v1/accounts/${ids.acme}/timeline`).set(auth());
    expect(res.status).toBe(200);
    expect(res.body.data.map((x: { subject: string }) => x.subject)).toEqual([
      'Onsite workshop',
      'Proposal sent',
      'Kickoff call',
    ]);
    const paged = await t.http.get(`/v1/accounts/${ids.acme}/timeline`).query({ limit: '2' }).set(auth());
    expect(paged.body.data).toHaveLength(2);
    const next = await t.http
      .get(`/v1/accounts/${ids.acme}/timeline`)
      .query({ limit: '2', cursor: paged.body.nextCursor })
      .set(auth());
    expect(next.body.data.map((x: { subject: string }) => x.subject)).toEqual(['Kickoff call']);
    expect(next.body.nextCursor).toBeNull();
    const contact = await t.http.get(`/v1/contacts/${ids.ada}/timeline`).set(auth());
    expect(contact.body.data.map((x: { subject: string }) => x.subject)).toEqual(['Proposal sent']);
    expect(
      (await t.http.get('/v1/accounts/01900000-0000-7000-8000-000000000000/timeline').set(auth())).status,
    ).toBe(404);
  });
});
