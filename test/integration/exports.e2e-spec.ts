import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, newUser, UserFixture } from '../harness/factories.js';
import { superSql } from '../harness/sql.js';
import { downloadExport } from './helpers.js';

/** Exports: a checked request, then a streamed download under the exporter's security, audited once. */
describe('exports', () => {
  let t: TestApp;
  let admin: UserFixture;
  let exporter: UserFixture;
  let roleId: string;
  const auth = (u: UserFixture) => ({ authorization: `Bearer ${u.token}` });
  const text = (res: { text?: string; body?: unknown }) => String(res.text ?? res.body);
  const download = (u: UserFixture, id: string) => downloadExport(t, u, id);

  beforeAll(async () => {
    t = await createTestApp({ EXPORT_CHUNK_ROWS: '100' });
    admin = await newTenant(t);
    for (let i = 0; i < 250; i++) {
      const res = await t.http
        .post('/v1/contacts')
        .set(auth(admin))
        .send({ lastName: i % 2 ? `Alpha ${i}` : `Beta ${i}`, email: `p${i}@x.test`, tags: ['a', 'b'] });
      if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    }
    const role = await t.http
      .post('/v1/roles')
      .set(auth(admin))
      .send({ name: 'Exporter', permissions: ['contacts:read', 'data:export'] });
    expect(role.status).toBe(201);
    roleId = role.body.id as string;
    const policy = await t.http
      .put(`/v1/field-policies/${roleId}/contacts`)
      .set(auth(admin))
      .send({ mode: 'denyList', rules: { email: 'hidden' } });
    expect(policy.status).toBe(200);
    exporter = await newUser(t, admin.tenantId, { role: roleId });
  }, 120000);
  afterAll(() => t.close());

  it('streams every visible row as CSV, in pages, without the fields the exporter may not see', async () => {
    const res = await t.http
      .post('/v1/exports')
      .set(auth(exporter))
      .send({ object: 'contacts', format: 'csv' });
    expect(res.status).toBe(202);
    expect(res.headers.location).toBe(`/v1/exports/${res.body.id as string}`);
    expect(res.body).toMatchObject({
      object: 'contacts',
      format: 'csv',
      status: 'ready',
      downloadUrl: `/v1/exports/${res.body.id as string}/download`,
    });
    const file = await download(exporter, res.body.id as string);
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toMatch(/^text\/csv/);
    const lines = text(file).trim().split('\n');
    expect(lines).toHaveLength(251);
    expect(lines[0].split(',')).not.toContain('email');
    expect(lines[0].split(',')).toEqual(expect.arrayContaining(['id', 'lastName', 'tags']));
    expect(text(file)).not.toMatch(/@x\.test/);
    expect(text(file)).toMatch(/a;b/);
    const ids = lines.slice(1).map((l) => l.split(',')[0]);
    expect(new Set(ids).size).toBe(250);
  });

  it('refuses a hidden field asked for (403 FORBIDDEN_FIELD) and a bad filter (400)', async () => {
    const hidden = await t.http
      .post('/v1/exports')
      .set(auth(exporter))
      .send({ object: 'contacts', fields: 'lastName,email' });
    expect(hidden.status).toBe(403);
    expect(hidden.body).toMatchObject({ code: 'FORBIDDEN_FIELD' });
    expect(hidden.body.errors[0].field).toBe('email');
    const byHidden = await t.http
      .post('/v1/exports')
      .set(auth(exporter))
      .send({ object: 'contacts', filter: "email eq 'p1@x.test'" });
    expect(byHidden.status).toBe(403);
    const bad = await t.http
      .post('/v1/exports')
      .set(auth(exporter))
      .send({ object: 'contacts', filter: 'lastName eq' });
    expect(bad.status).toBe(400);
  });

  it('filters with the query language, selects fields, writes NDJSON, and is audited once as export', async () => {
    const res = await t.http.post('/v1/exports').set(auth(admin)).send({
      object: 'contacts',
      filter: "lastName startswith 'Alpha'",
      fields: 'id,lastName,email',
      format: 'ndjson',
      sort: 'lastName',
    });
    expect(res.status).toBe(202);
    const file = await download(admin, res.body.id as string);
    expect(file.headers['content-type']).toMatch(/ndjson/);
    const rows = text(file)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toHaveLength(125);
    expect(Object.keys(rows[0]).sort()).toEqual(['email', 'id', 'lastName']);
    expect(rows.every((r) => String(r.lastName).startsWith('Alpha'))).toBe(true);
    const sorted = rows.map((r) => String(r.lastName));
    expect(sorted).toEqual([...sorted].sort());
    const audit = await superSql<{ action: string; details: Record<string, unknown> }>(
      t.databaseUrl,
      `SELECT action, details FROM audit_events WHERE tenant_id = $1 AND action = 'export' AND details->>'exportJob' = $2`,
      [admin.tenantId, res.body.id],
    );
    expect(audit).toHaveLength(1);
    expect(audit[0].details).toMatchObject({
      rows: 125,
      completed: true,
      filter: "lastName startswith 'Alpha'",
      fields: ['id', 'lastName', 'email'],
    });
    const job = await t.http.get(`/v1/exports/${res.body.id as string}`).set(auth(admin));
    expect(job.body).toMatchObject({ status: 'succeeded', rows: 125 });
  });

  it('needs data:export; another tenant or another user cannot see the job', async () => {
    const rep = await newUser(t, admin.tenantId, { role: 'salesRep' });
    expect((await t.http.post('/v1/exports').set(auth(rep)).send({ object: 'contacts' })).status).toBe(403);
    const mine = await t.http.post('/v1/exports').set(auth(exporter)).send({ object: 'contacts' });
    const stranger = await newTenant(t);
    expect((await t.http.get(`/v1/exports/${mine.body.id as string}`).set(auth(stranger))).status).toBe(404);
    expect(
      (await t.http.get(`/v1/exports/${mine.body.id as string}/download`).set(auth(stranger))).status,
    ).toBe(404);
    const colleague = await newUser(t, admin.tenantId, { role: roleId });
    expect(
      (await t.http.get(`/v1/exports/${mine.body.id as string}/download`).set(auth(colleague))).status,
    ).toBe(404);
    const unknown = await t.http.post('/v1/exports').set(auth(admin)).send({ object: 'widgets' });
    expect(unknown.status).toBe(400);
  });
});
