import { CaseAutoCloseService } from '../../src/modules/service/cases/case-auto-close.service.js';
import { auditRows } from '../audit/helpers.js';
import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, newUser, UserFixture } from '../harness/factories.js';
import { superSql } from '../harness/sql.js';
import { CaseBody, gqlAs, newCase, ok, plusMinutes, restAs, setClock } from './case-helpers.js';

describe('cases: numbers, lifecycle, comments, CSAT', () => {
  let t: TestApp;
  let admin: UserFixture;
  let agent: UserFixture;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await newTenant(t);
    agent = await newUser(t, admin.tenantId, { role: 'supportAgent' });
  });
  afterAll(() => t.close());

  it('creates a case with a number, defaults and expandable relations', async () => {
    const api = restAs(t, agent);
    const account = ok<{ id: string }>(await restAs(t, admin).post('/v1/accounts', { name: 'Acme' }), 201);
    const contact = ok<{ id: string }>(
      await restAs(t, admin).post('/v1/contacts', { lastName: 'Lovelace', accountId: account.id }),
      201,
    );
    const created = await newCase(t, agent, {
      contactId: contact.id,
      accountId: account.id,
      channel: 'email',
      tags: ['billing'],
    });
    expect(created).toMatchObject({
      number: expect.stringMatching(/^CS-\d{6}$/),
      status: 'new',
      priority: 'normal',
      channel: 'email',
      tags: ['billing'],
      assigneeId: null,
      firstResponseBreached: false,
      resolutionBreached: false,
      version: 1,
    });
    const got = ok<CaseBody & { contact: { lastName: string }; account: { name: string } }>(
      await api.get(`/v1/cases/${created.id}`, { expand: 'contact,account' }),
    );
    expect(got.contact.lastName).toBe('Lovelace');
    expect(got.account.name).toBe('Acme');
    const list = ok<{ data: CaseBody[] }>(
      await api.get('/v1/cases', { filter: `number eq '${created.number}'`, sort: '-createdAt' }),
    );
    expect(list.data.map((c) => c.id)).toEqual([created.id]);
    const found = ok<{ data: CaseBody[] }>(await api.get('/v1/cases', { q: 'printer' }));
    expect(found.data.map((c) => c.id)).toContain(created.id);
  });

  it('refuses writing system fields and starting solved', async () => {
    const api = restAs(t, agent);
    expect((await api.post('/v1/cases', { subject: 'x', status: 'solved' })).status).toBe(400);
    expect((await api.post('/v1/cases', { subject: 'x', number: 'CS-999999' })).status).toBe(400);
    expect(
      (await api.post('/v1/cases', { subject: 'x', firstRespondedAt: new Date().toISOString() })).status,
    ).toBe(400);
    expect((await api.post('/v1/cases', { subject: 'x', priority: 'critical' })).status).toBe(400);
    const ghost = await api.post('/v1/cases', {
      subject: 'x',
      assigneeId: '01900000-0000-7000-8000-000000000000',
    });
    expect(ghost.status).toBe(400);
    expect(ghost.body.errors[0]).toMatchObject({ field: 'assigneeId', code: 'not_found' });
    const other = await newTenant(t);
    const foreign = await api.post('/v1/cases', { subject: 'x', assigneeId: other.userId });
    expect(foreign.body.errors[0]).toMatchObject({ field: 'assigneeId', code: 'not_found' });
    ok(await api.post('/v1/cases', { subject: 'x', externalId: 'zd-1' }), 201);
    const dup = await api.post('/v1/cases', { subject: 'y', externalId: 'zd-1' });
    expect(dup.body.errors[0]).toMatchObject({ field: 'externalId', code: 'duplicate' });
  });

  it('numbers cases gap-free under 20 concurrent creates', async () => {
    const other = await newTenant(t);
    const api = restAs(t, other);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => api.post('/v1/cases', { subject: `Case ${i}` })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    const numbers = results.map((r) => (r.body as CaseBody).number).sort();
    expect(numbers).toEqual(Array.from({ length: 20 }, (_, i) => `CS-${String(i + 1).padStart(6, '0')}`));
    // a create that fails gives its number back
    ok(await api.post('/v1/cases', { subject: 'x', externalId: 'dup' }), 201);
    expect((await api.post('/v1/cases', { subject: 'y', externalId: 'dup' })).status).toBeGreaterThanOrEqual(
      400,
    );
    expect(ok<CaseBody>(await api.post('/v1/cases', { subject: 'z' }), 201).number).toBe('CS-000022');
  });

  it('enforces the status lifecycle and stamps solved and closed', async () => {
    const api = restAs(t, agent);
    const c = await newCase(t, agent);
    const patch = (body: object) => api.patch(`/v1/cases/${c.id}`, body);
    expect(ok<CaseBody>(await patch({ status: 'open' })).status).toBe('open');
    expect(ok<CaseBody>(await patch({ status: 'pending' })).status).toBe('pending');
    const conflict = await patch({ status: 'closed' });
    expect(conflict.status).toBe(409);
    expect(conflict.body.errors[0]).toMatchObject({ field: 'status', code: 'transition' });
    const solved = ok<CaseBody>(await patch({ status: 'solved' }));
    expect(solved.resolvedAt).not.toBeNull();
    expect(solved.businessResolutionMinutes).not.toBeNull();
    const reopened = ok<CaseBody>(await patch({ status: 'open' }));
    expect(reopened).toMatchObject({ status: 'open', resolvedAt: null, businessResolutionMinutes: null });
    ok(await patch({ status: 'solved' }));
    const closed = ok<CaseBody>(await patch({ status: 'closed' }));
    expect(closed.closedAt).not.toBeNull();
    const reopen = await patch({ status: 'open' });
    expect(reopen.status).toBe(409);
    expect(reopen.body.errors[0]).toMatchObject({ field: 'status', code: 'closed' });
    expect((await patch({ subject: 'still editable?' })).status).toBe(409);
    const audit = await auditRows(t, { recordId: c.id, action: 'update' });
    expect(audit.map((a) => a.changes?.status?.after)).toEqual([
      'open',
      'pending',
      'solved',
      'open',
      'solved',
      'closed',
    ]);
  });

  it('sets firstRespondedAt with the first public agent comment only', async () => {
    const api = restAs(t, agent);
    const contact = ok<{ id: string }>(
      await restAs(t, admin).post('/v1/contacts', { lastName: 'Customer' }),
      201,
    );
    const c = await newCase(t, agent, { contactId: contact.id });
    const internal = ok<{ id: string; isPublic: boolean; authorId: string }>(
      await api.post(`/v1/cases/${c.id}/comments`, { body: 'Looking into it (internal)' }),
      201,
    );
    expect(internal).toMatchObject({ isPublic: false, authorId: agent.userId });
    ok(
      await api.post(`/v1/cases/${c.id}/comments`, {
        body: 'Me again',
        isPublic: true,
        authorContactId: contact.id,
      }),
      201,
    );
    expect(ok<CaseBody>(await api.get(`/v1/cases/${c.id}`)).firstRespondedAt).toBeNull();
    ok(await api.post(`/v1/cases/${c.id}/comments`, { body: 'Hello, we are on it', isPublic: true }), 201);
    const first = ok<CaseBody>(await api.get(`/v1/cases/${c.id}`)).firstRespondedAt;
    expect(first).not.toBeNull();
    ok(await api.post(`/v1/cases/${c.id}/comments`, { body: 'Update', isPublic: true }), 201);
    const after = ok<CaseBody>(await api.get(`/v1/cases/${c.id}`));
    expect(after.firstRespondedAt).toBe(first);
    expect(after.businessFirstResponseMinutes).not.toBeNull();
    const all = ok<{ data: { body: string }[] }>(await api.get(`/v1/cases/${c.id}/comments`));
    expect(all.data.map((m) => m.body)).toEqual([
      'Looking into it (internal)',
      'Me again',
      'Hello, we are on it',
      'Update',
    ]);
    const pub = ok<{ data: { body: string }[] }>(
      await api.get(`/v1/cases/${c.id}/comments`, { isPublic: 'true' }),
    );
    expect(pub.data).toHaveLength(3);
    expect((await api.get(`/v1/cases/${c.id}/comments`, { isPublic: 'maybe' })).status).toBe(400);
    expect((await api.post(`/v1/cases/${c.id}/comments`, { body: '' })).status).toBe(400);
  });

  it('takes CSAT on solved cases only', async () => {
    const api = restAs(t, agent);
    const c = await newCase(t, agent);
    const early = await api.put(`/v1/cases/${c.id}/csat`, { score: 5 });
    expect(early.status).toBe(409);
    ok(await api.patch(`/v1/cases/${c.id}`, { status: 'solved' }));
    expect((await api.put(`/v1/cases/${c.id}/csat`, { score: 6 })).status).toBe(400);
    const rated = ok<CaseBody>(
      await api.put(`/v1/cases/${c.id}/csat`, { score: 4, comment: 'Quick, thanks' }),
    );
    expect(rated).toMatchObject({ csatScore: 4, csatComment: 'Quick, thanks' });
    expect(rated.csatAt).not.toBeNull();
  });

  it('works the same through GraphQL', async () => {
    const q = gqlAs(t, agent);
    const created = await q<{ createCase: { id: string; number: string; status: string } }>(
      `mutation { createCase(input: { subject: "GraphQL case", priority: high, channel: chat }) { id number status } }`,
    );
    expect(created.errors).toBeUndefined();
    const id = created.data!.createCase.id;
    const updated = await q<{ updateCase: { status: string } }>(
      `mutation($id: ID!) { updateCase(id: $id, input: { status: open }) { status } }`,
      { id },
    );
    expect(updated.data?.updateCase.status).toBe('open');
    const comment = await q(
      `mutation($id: ID!) { addCaseComment(id: $id, input: { body: "Hi", isPublic: true }) { id isPublic authorId } }`,
      { id },
    );
    expect(comment.errors).toBeUndefined();
    const read = await q<{
      case: { firstRespondedAt: string | null; comments: { body: string }[]; assignments: unknown[] };
    }>(`query($id: ID!) { case(id: $id) { firstRespondedAt comments { body } assignments { reason } } }`, {
      id,
    });
    expect(read.errors).toBeUndefined();
    expect(read.data!.case.comments.map((c) => c.body)).toEqual(['Hi']);
    expect(read.data!.case.firstRespondedAt).not.toBeNull();
    await newCase(t, agent);
    const list = await q<{ cases: { nodes: { id: string; comments: { body: string }[] }[] } }>(
      `{ cases(first: 100) { nodes { id comments(isPublic: true) { body } assignments { reason } } } }`,
    );
    expect(list.errors).toBeUndefined();
    const nodes = list.data!.cases.nodes;
    expect(nodes.length).toBeGreaterThan(1);
    expect(nodes.find((n) => n.id === id)!.comments.map((c) => c.body)).toEqual(['Hi']);
    const bad = await q(`mutation($id: ID!) { updateCase(id: $id, input: { status: closed }) { status } }`, {
      id,
    });
    expect(bad.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    await q(`mutation($id: ID!) { updateCase(id: $id, input: { status: solved }) { status } }`, { id });
    const csat = await q<{ setCaseCsat: { csatScore: number } }>(
      `mutation($id: ID!) { setCaseCsat(id: $id, input: { score: 3 }) { csatScore } }`,
      { id },
    );
    expect(csat.data?.setCaseCsat.csatScore).toBe(3);
  });

  it('closes cases solved longer than SERVICE_AUTO_CLOSE_DAYS ago, once', async () => {
    const start = '2026-03-02T10:00:00.000Z';
    setClock(t, start);
    const api = restAs(t, agent);
    const old = await newCase(t, agent);
    ok(await api.patch(`/v1/cases/${old.id}`, { status: 'solved' }));
    setClock(t, plusMinutes(start, 3 * 24 * 60));
    const recent = await newCase(t, agent);
    ok(await api.patch(`/v1/cases/${recent.id}`, { status: 'solved' }));
    const job = t.app.get(CaseAutoCloseService);
    const now = new Date(plusMinutes(start, 7 * 24 * 60 + 1));
    expect(await job.runOnce(now)).toBeGreaterThanOrEqual(1);
    expect(await job.runOnce(now)).toBe(0);
    expect(ok<CaseBody>(await api.get(`/v1/cases/${old.id}`))).toMatchObject({
      status: 'closed',
      closedAt: now.toISOString(),
    });
    expect(ok<CaseBody>(await api.get(`/v1/cases/${recent.id}`)).status).toBe('solved');
    const events = await auditRows(t, { recordId: old.id, action: 'update' });
    expect(events.at(-1)).toMatchObject({ actor_type: 'system', channel: 'system' });
    expect(events.at(-1)!.changes!.status).toEqual({ before: 'solved', after: 'closed' });
    const [row] = await superSql<{ version: number }>(
      t.databaseUrl,
      `SELECT version FROM cases WHERE id = $1`,
      [old.id],
    );
    expect(row.version).toBe(3);
  });
});
