import { RequestContext } from '../../src/platform/context/request-context.js';
import { CountingLogger } from '../../src/platform/database/query-counter.js';
import { TenantDb } from '../../src/platform/database/tenant-db.js';
import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, UserFixture } from '../harness/factories.js';

/**
 * TenantDb pins each pooled session to a tenant and re-pins only when the tenant changes
 * (docs/decisions.md #16). With a pool of ONE session every request below shares it, so any
 * pin that leaked, went stale or was undone by a rollback would show as another tenant's rows.
 */
describe('tenant pinning of pooled sessions', () => {
  let t: TestApp;
  let a: UserFixture;
  let b: UserFixture;
  let aContact: string;
  let bContact: string;

  const create = async (u: UserFixture, body: object) => {
    const res = await t.http.post('/v1/contacts').set('authorization', `Bearer ${u.token}`).send(body);
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const listIds = async (u: UserFixture) => {
    const res = await t.http.get('/v1/contacts').set('authorization', `Bearer ${u.token}`);
    expect(res.status).toBe(200);
    return (res.body.data as { id: string }[]).map((r) => r.id);
  };

  beforeAll(async () => {
    t = await createTestApp({ DATABASE_POOL_SIZE: '1' });
    a = await newTenant(t);
    b = await newTenant(t);
    aContact = await create(a, { lastName: 'Alpha', externalId: 'dup-1' });
    bContact = await create(b, { lastName: 'Beta' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('alternating tenants on one session each see only their own rows, by list and by id', async () => {
    for (let i = 0; i < 3; i++) {
      expect(await listIds(a)).toEqual([aContact]);
      expect(await listIds(b)).toEqual([bContact]);
      const cross = await t.http.get(`/v1/contacts/${aContact}`).set('authorization', `Bearer ${b.token}`);
      expect(cross.status).toBe(404);
      const own = await t.http.get(`/v1/contacts/${aContact}`).set('authorization', `Bearer ${a.token}`);
      expect(own.status).toBe(200);
    }
  });

  it('a rolled-back write does not undo the pin: the next request still sees only its tenant', async () => {
    // b pins the session, then a's duplicate externalId fails inside its transaction (ROLLBACK).
    expect(await listIds(b)).toEqual([bContact]);
    const dup = await t.http
      .post('/v1/contacts')
      .set('authorization', `Bearer ${a.token}`)
      .send({ lastName: 'Again', externalId: 'dup-1' });
    expect(dup.status).toBe(409);
    expect(await listIds(b)).toEqual([bContact]);
    expect(await listIds(a)).toEqual([aContact]);
  });

  it('runs as rapport_app with the tenant pinned, and without a tenant sees none', async () => {
    const db = t.app.get(TenantDb);
    const who = (em: { query(sql: string): Promise<{ role: string; tenant: string }[]> }) =>
      em.query(`SELECT current_user AS role, current_setting('app.tenant_id', true) AS tenant`);
    expect(await db.read(RequestContext.system(a.tenantId), who)).toEqual([
      { role: 'rapport_app', tenant: a.tenantId },
    ]);
    expect(await db.runWithoutTenant(who)).toEqual([{ role: 'rapport_app', tenant: '' }]);
    const none = await db.runWithoutTenant((em) => em.query('SELECT count(*)::int AS n FROM contacts'));
    expect(none).toEqual([{ n: 0 }]);
    expect(await db.runAsTenant(b.tenantId, who)).toEqual([{ role: 'rapport_app', tenant: b.tenantId }]);
  });

  it('refuses a tenant id that is not a UUID before sending anything', async () => {
    const before = CountingLogger.statements;
    await expect(
      t.app.get(TenantDb).runAsTenant("x', true); SELECT ('", async () => 'never'),
    ).rejects.toThrow('not a UUID');
    expect(CountingLogger.statements).toBe(before);
  });

  it('a read by id costs one statement once the session is pinned, two when it switches tenant', async () => {
    const get = async (u: UserFixture, id: string) => {
      const before = CountingLogger.statements;
      const res = await t.http.get(`/v1/contacts/${id}`).set('authorization', `Bearer ${u.token}`);
      expect(res.status).toBe(200);
      return CountingLogger.statements - before;
    };
    await get(a, aContact); // warms the policy caches and pins the session to a
    expect(await get(a, aContact)).toBe(1);
    expect(await get(b, bContact)).toBe(2);
    expect(await get(b, bContact)).toBe(1);
  });
});
