import { randomUUID } from 'node:crypto';
import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, newUser, UserFixture } from '../harness/factories.js';
import { gql } from '../harness/graphql.js';
import { superSql } from '../harness/sql.js';

/**
 * Audit diffs obey field-level security on the way out: the trail stores full diffs, and a reader
 * whose role hides a field gets events and history without it (REST and GraphQL).
 */
describe('audit diffs respect field-level security', () => {
  let t: TestApp;
  let admin: UserFixture;
  let auditor: UserFixture;
  let contactId: string;
  const as = (u: UserFixture) => ({ authorization: `Bearer ${u.token}` });

  beforeAll(async () => {
    t = await createTestApp();
    admin = await newTenant(t);
    // An auditor role: may read the trail and contacts, but a contact's email is hidden from it.
    const roleId = randomUUID();
    await superSql(
      t.databaseUrl,
      `INSERT INTO roles (tenant_id, id, name, permissions) VALUES ($1, $2, 'Auditor', '{audit:read,contacts:read}')`,
      [admin.tenantId, roleId],
    );
    const policy = await t.http
      .put(`/v1/field-policies/${roleId}/contacts`)
      .set(as(admin))
      .send({ mode: 'denyList', rules: { email: 'hidden' } });
    expect(policy.status).toBe(200);
    auditor = await newUser(t, admin.tenantId, { role: roleId });
    await superSql(t.databaseUrl, 'UPDATE users SET role_id = $2 WHERE id = $1', [auditor.userId, roleId]);
    const c = await t.http
      .post('/v1/contacts')
      .set(as(admin))
      .send({ lastName: 'Hidden', email: 'secret@example.test', ownerId: auditor.userId });
    contactId = c.body.id;
    await t.http
      .patch(`/v1/contacts/${contactId}`)
      .set(as(admin))
      .send({ email: 'other@example.test', title: 'CFO' });
  });
  afterAll(() => t.close());

  it('the audit list leaves hidden fields out of the diffs for that reader only', async () => {
    const mine = await t.http.get('/v1/audit-events').query({ recordId: contactId }).set(as(auditor));
    expect(mine.status).toBe(200);
    const diffs = (mine.body.data as { changes: Record<string, unknown> }[]).map((e) => e.changes);
    expect(diffs).toHaveLength(2);
    for (const d of diffs) expect(d).not.toHaveProperty('email');
    expect(diffs[0]).toHaveProperty('title');

    const full = await t.http.get('/v1/audit-events').query({ recordId: contactId }).set(as(admin));
    expect(full.body.data[0].changes.email).toEqual({
      before: 'secret@example.test',
      after: 'other@example.test',
    });
    // Stored in full.
    const [row] = await superSql<{ changes: Record<string, unknown> }>(
      t.databaseUrl,
      `SELECT changes FROM audit_events WHERE record_id = $1 AND action = 'update'`,
      [contactId],
    );
    expect(row.changes).toHaveProperty('email');
  });

  it('so does the record history, over REST and GraphQL', async () => {
    const res = await t.http.get(`/v1/contacts/${contactId}/history`).set(as(auditor));
    expect(res.status).toBe(200);
    const fields = (res.body.data as { changes: { field: string }[] }[]).map((e) =>
      e.changes.map((c) => c.field),
    );
    expect(fields[0]).toEqual(['title']);
    expect(fields.flat()).not.toContain('email');

    const g = await gql<{ recordHistory: { nodes: { changes: { field: string }[] }[] } }>(
      t,
      auditor.token,
      `query($id: ID!) { recordHistory(object: "contact", id: $id) { nodes { changes { field } } } }`,
      { id: contactId },
    );
    expect(g.errors).toBeUndefined();
    expect(g.data!.recordHistory.nodes.flatMap((n) => n.changes.map((c) => c.field))).not.toContain('email');
  });
});
