import { loadConfig } from '../../src/platform/config/config.js';
import { TenantDb } from '../../src/platform/database/tenant-db.js';
import { JobsService } from '../../src/platform/jobs/jobs.service.js';
import { createTestApp, TestApp } from '../harness/app.js';
import { createTestDatabase } from '../harness/database.js';
import { newTenant, UserFixture } from '../harness/factories.js';
import { gql } from '../harness/graphql.js';
import { superSql } from '../harness/sql.js';

interface OutboxRow {
  type: string;
  object: string;
  record_id: string;
  payload: { version: number; fields: string[] };
  request_id: string;
  channel: string;
}

describe('outbox: every record write appends its event in the same statement', () => {
  let t: TestApp;
  let a: UserFixture;
  let b: UserFixture;
  const auth = (u: UserFixture) => ({ authorization: `Bearer ${u.token}` });
  const events = (recordId: string) =>
    superSql<OutboxRow>(
      t.databaseUrl,
      `SELECT type, object, record_id, payload, request_id, channel FROM outbox_events WHERE record_id = $1 ORDER BY seq`,
      [recordId],
    );

  beforeAll(async () => {
    t = await createTestApp();
    a = await newTenant(t);
    b = await newTenant(t);
  });
  afterAll(() => t.close());

  it('create, update, delete and restore over REST: one event each, naming changed fields but never their values', async () => {
    const created = await t.http
      .post('/v1/contacts')
      .set(auth(a))
      .set('x-request-id', 'outbox-create')
      .send({ firstName: 'Ada', lastName: 'Lovelace', phone: '+44 20 7946 0000' });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const patched = await t.http
      .patch(`/v1/contacts/${id}`)
      .set(auth(a))
      .set('if-match', '"1"')
      .send({ phone: '+44 20 7946 0001' });
    expect(patched.status).toBe(200);
    expect((await t.http.delete(`/v1/contacts/${id}`).set(auth(a))).status).toBe(204);
    expect((await t.http.post(`/v1/contacts/${id}/restore`).set(auth(a))).status).toBe(200);

    const rows = await events(id);
    expect(rows.map((r) => [r.type, r.payload.version])).toEqual([
      ['contacts.created', 1],
      ['contacts.updated', 2],
      ['contacts.deleted', 3],
      ['contacts.restored', 4],
    ]);
    expect(rows[0]).toMatchObject({ object: 'contacts', request_id: 'outbox-create', channel: 'rest' });
    expect(rows[1].payload.fields).toEqual(['phone']);
    expect(JSON.stringify(rows)).not.toContain('7946');
  });

  it('a refused or failed write leaves no event; GraphQL writes carry their channel', async () => {
    const created = await t.http
      .post('/v1/contacts')
      .set(auth(a))
      .send({ firstName: 'Grace', lastName: 'Hopper' });
    const id = created.body.id as string;
    const stale = await t.http
      .patch(`/v1/contacts/${id}`)
      .set(auth(a))
      .set('if-match', '"7"')
      .send({ firstName: 'G.' });
    expect(stale.status).toBe(412);
    const res = await gql(
      t,
      a.token,
      `mutation($id: ID!) { updateContact(id: $id, input: { title: "Rear Admiral" }) { id version } }`,
      {
        id,
      },
    );
    expect(res.errors).toBeUndefined();
    const rows = await events(id);
    expect(rows.map((r) => [r.type, r.channel])).toEqual([
      ['contacts.created', 'rest'],
      ['contacts.updated', 'graphql'],
    ]);
  });

  it('another tenant sees none of the events (RLS)', async () => {
    const created = await t.http
      .post('/v1/contacts')
      .set(auth(a))
      .send({ firstName: 'Only', lastName: 'Mine' });
    expect(created.status).toBe(201);
    const db = t.app.get(TenantDb);
    const mine = await db.runAsTenant(a.tenantId, (em) =>
      em.query(`SELECT count(*)::int AS n FROM outbox_events WHERE record_id = $1`, [created.body.id]),
    );
    const theirs = await db.runAsTenant(b.tenantId, (em) =>
      em.query(`SELECT count(*)::int AS n FROM outbox_events WHERE record_id = $1`, [created.body.id]),
    );
    expect(mine[0].n).toBe(1);
    expect(theirs[0].n).toBe(0);
  });
});

describe('jobs: pg-boss workers, retries, and enqueue-only processes', () => {
  it('works a sent job with its data, retries a failing one, and an enqueue-only process leaves it queued', async () => {
    const db = await createTestDatabase();
    const worker = new JobsService(loadConfig({ JOBS_ENABLED: 'true', JOBS_POLL_SECONDS: '1' }), db.url);
    const enqueueOnly = new JobsService(loadConfig({ JOBS_ENABLED: 'false' }), db.url);
    try {
      const seen: unknown[] = [];
      let attempts = 0;
      let done!: () => void;
      const finished = new Promise<void>((resolve) => (done = resolve));
      worker.register<{ n: number }>({
        name: 'test.echo',
        handler: async (data) => {
          seen.push(data.n);
          if (seen.length === 2) done();
        },
      });
      let failedOnce!: () => void;
      const retried = new Promise<void>((resolve) => (failedOnce = resolve));
      worker.register<{ n: number }>({
        name: 'test.flaky',
        retryLimit: 2,
        handler: async () => {
          attempts++;
          if (attempts === 1) throw new Error('first attempt fails');
          failedOnce();
        },
      });
      enqueueOnly.register({ name: 'test.parked', handler: async () => undefined });
      await worker.onApplicationBootstrap();
      await enqueueOnly.onApplicationBootstrap();

      await worker.send('test.echo', { n: 1 });
      await worker.send('test.echo', { n: 2 });
      await worker.send('test.flaky', {});
      const parked = await enqueueOnly.send('test.parked', { n: 3 });
      await finished;
      await retried;
      expect(seen.sort()).toEqual([1, 2]);
      expect(attempts).toBe(2);
      const rows = await superSql<{ state: string }>(db.url, `SELECT state FROM pgboss.job WHERE id = $1`, [
        parked,
      ]);
      expect(rows).toEqual([{ state: 'created' }]);
      await expect(worker.send('test.unknown', {})).rejects.toThrow('not registered');
    } finally {
      await worker.onModuleDestroy();
      await enqueueOnly.onModuleDestroy();
      await db.drop();
    }
  });
});
