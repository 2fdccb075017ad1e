import { randomUUID } from 'node:crypto';
import { fingerprintOf, IdempotencyService } from '../../src/platform/http/idempotency.service.js';
import { RequestContext } from '../../src/platform/context/request-context.js';
import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, newUser, UserFixture } from '../harness/factories.js';
import { superSql } from '../harness/sql.js';

describe('Idempotency-Key on POST', () => {
  let t: TestApp;
  let admin: UserFixture;
  let other: UserFixture;
  const as = (u: UserFixture, key?: string) => ({
    authorization: `Bearer ${u.token}`,
    ...(key === undefined ? {} : { 'idempotency-key': key }),
  });
  const contacts = async (tenantId: string, lastName: string) =>
    superSql<{ id: string }>(
      t.databaseUrl,
      'SELECT id FROM contacts WHERE tenant_id = $1 AND last_name = $2',
      [tenantId, lastName],
    );

  beforeAll(async () => {
    t = await createTestApp();
    admin = await newTenant(t);
    other = await newTenant(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('replays the first response: same status, id, Location and ETag, marked Idempotent-Replayed', async () => {
    const key = randomUUID();
    const body = { lastName: 'Replay', firstName: 'Ada' };
    const first = await t.http.post('/v1/contacts').set(as(admin, key)).send(body);
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    // The same JSON with its keys in another order is the same request.
    const again = await t.http
      .post('/v1/contacts')
      .set(as(admin, key))
      .send({ firstName: 'Ada', lastName: 'Replay' });
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.headers.etag).toBe(first.headers.etag);
    expect(again.headers['content-type']).toMatch(/application\/json/);
    expect(again.body).toEqual(first.body);
    expect(await contacts(admin.tenantId, 'Replay')).toHaveLength(1);
  });

  it('refuses the same key with a different body (422 IDEMPOTENCY_KEY_REUSED) and another path', async () => {
    const key = randomUUID();
    expect((await t.http.post('/v1/contacts').set(as(admin, key)).send({ lastName: 'Reuse' })).status).toBe(
      201,
    );
    const res = await t.http.post('/v1/contacts').set(as(admin, key)).send({ lastName: 'Reuse2' });
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const otherPath = await t.http.post('/v1/accounts').set(as(admin, key)).send({ lastName: 'Reuse' });
    expect(otherPath.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await contacts(admin.tenantId, 'Reuse2')).toHaveLength(0);
  });

  it('answers 409 IDEMPOTENCY_KEY_IN_USE with Retry-After while the first request is still running', async () => {
    const key = randomUUID();
    const body = { lastName: 'InFlight' };
    // The first request holds the key (as the interceptor leaves it while the handler runs).
    await superSql(
      t.databaseUrl,
      `INSERT INTO idempotency_keys (tenant_id, principal_type, principal_id, key, method, path, fingerprint, state, expires_at)
       VALUES ($1, 'user', $2, $3, 'POST', '/v1/contacts', $4, 'in_progress', now() + interval '1 hour')`,
      [admin.tenantId, admin.userId, key, fingerprintOf('POST', '/v1/contacts', body)],
    );
    const res = await t.http.post('/v1/contacts').set(as(admin, key)).send(body);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('IDEMPOTENCY_KEY_IN_USE');
    expect(res.headers['retry-after']).toBe('1');
    expect(await contacts(admin.tenantId, 'InFlight')).toHaveLength(0);
  });

  it('lets exactly one of two concurrent duplicates run', async () => {
    const key = randomUUID();
    const body = { lastName: 'Concurrent' };
    const [a, b] = await Promise.all([
      t.http.post('/v1/contacts').set(as(admin, key)).send(body),
      t.http.post('/v1/contacts').set(as(admin, key)).send(body),
    ]);
    // Either the second saw the first in progress (409) or completed (a 201 replay).
    const statuses = [a.status, b.status].sort();
    expect([
      [201, 201],
      [201, 409],
    ]).toContainEqual(statuses);
    expect(await contacts(admin.tenantId, 'Concurrent')).toHaveLength(1);
  });

  it('scopes keys per principal and per tenant', async () => {
    const key = randomUUID();
    const colleague = await newUser(t, admin.tenantId, { isAdmin: true });
    const mine = await t.http.post('/v1/contacts').set(as(admin, key)).send({ lastName: 'Scoped' });
    const theirs = await t.http.post('/v1/contacts').set(as(colleague, key)).send({ lastName: 'Scoped' });
    const foreign = await t.http.post('/v1/contacts').set(as(other, key)).send({ lastName: 'Scoped' });
    expect([mine.status, theirs.status, foreign.status]).toEqual([201, 201, 201]);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(foreign.headers['idempotent-replayed']).toBeUndefined();
    expect(new Set([mine.body.id, theirs.body.id, foreign.body.id]).size).toBe(3);
    expect(await contacts(admin.tenantId, 'Scoped')).toHaveLength(2);
    expect(await contacts(other.tenantId, 'Scoped')).toHaveLength(1);
  });

  it('stores 4xx answers and replays them too', async () => {
    const key = randomUUID();
    const bad = await t.http.post('/v1/contacts').set(as(admin, key)).send({ firstName: 'NoLastName' });
    expect(bad.status).toBe(400);
    const again = await t.http.post('/v1/contacts').set(as(admin, key)).send({ firstName: 'NoLastName' });
    expect(again.status).toBe(400);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(again.body.code).toBe('VALIDATION_FAILED');
    const [row] = await superSql<{ state: string; response_status: number }>(
      t.databaseUrl,
      'SELECT state, response_status FROM idempotency_keys WHERE key = $1',
      [key],
    );
    expect(row).toEqual({ state: 'completed', response_status: 400 });
  });

  it('offers begin/complete/abandon to endpoints that fingerprint their own body (abandon = a 5xx: retry runs)', async () => {
    const service = t.app.get(IdempotencyService);
    const ctx = new RequestContext(
      admin.tenantId,
      { type: 'apiKey', id: randomUUID(), isAdmin: false },
      'rest',
      'r1',
    );
    const req = {
      key: 'upload-1',
      method: 'POST',
      path: '/v1/imports',
      fingerprint: fingerprintOf('POST', '/v1/imports', {}, 'sha-of-file'),
    };
    expect(await service.begin(ctx, req)).toEqual({ state: 'started' });
    await expect(service.begin(ctx, req)).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_USE' });
    await service.abandon(ctx, req.key);
    expect(await service.begin(ctx, req)).toEqual({ state: 'started' });
    await service.complete(ctx, req.key, {
      status: 202,
      headers: { location: '/v1/imports/1', 'content-type': 'application/json', 'x-other': 'dropped' },
      body: Buffer.from('{"id":"1"}'),
    });
    expect(await service.begin(ctx, req)).toEqual({
      state: 'replay',
      response: {
        status: 202,
        headers: { location: '/v1/imports/1', 'content-type': 'application/json' },
        body: Buffer.from('{"id":"1"}'),
      },
    });
    await expect(service.begin(ctx, { ...req, fingerprint: 'other' })).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
  });

  it('refuses a malformed key with 400 and ignores the header on GET', async () => {
    const long = await t.http
      .post('/v1/contacts')
      .set(as(admin, 'k'.repeat(256)))
      .send({ lastName: 'Long' });
    expect(long.status).toBe(400);
    expect(long.body.errors[0].field).toBe('Idempotency-Key');
    const empty = await t.http.post('/v1/contacts').set(as(admin, '')).send({ lastName: 'Long' });
    expect(empty.status).toBe(400);
    const accented = await t.http.post('/v1/contacts').set(as(admin, 'clé')).send({ lastName: 'Long' });
    expect(accented.status).toBe(400);
    expect(await contacts(admin.tenantId, 'Long')).toHaveLength(0);
    expect((await t.http.get('/v1/contacts').set(as(admin, 'k'.repeat(300)))).status).toBe(200);
  });

  it('covers batch POSTs and a new request after the key expired', async () => {
    const key = randomUUID();
    const body = { atomic: true, operations: [{ op: 'create', data: { lastName: 'BatchKey' } }] };
    const first = await t.http.post('/v1/contacts/batch').set(as(admin, key)).send(body);
    expect(first.status).toBe(200);
    const again = await t.http.post('/v1/contacts/batch').set(as(admin, key)).send(body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await contacts(admin.tenantId, 'BatchKey')).toHaveLength(1);
    // Expired: ignored, the key is claimed anew (and the request runs again).
    await superSql(
      t.databaseUrl,
      `UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = $1`,
      [key],
    );
    const fresh = await t.http.post('/v1/contacts/batch').set(as(admin, key)).send(body);
    expect(fresh.status).toBe(200);
    expect(fresh.headers['idempotent-replayed']).toBeUndefined();
    expect(await contacts(admin.tenantId, 'BatchKey')).toHaveLength(2);
  });

  it('purges expired keys of every tenant (the hourly job)', async () => {
    const a = randomUUID();
    const b = randomUUID();
    await t.http.post('/v1/contacts').set(as(admin, a)).send({ lastName: 'PurgeA' });
    await t.http.post('/v1/contacts').set(as(other, b)).send({ lastName: 'PurgeB' });
    await superSql(
      t.databaseUrl,
      `UPDATE idempotency_keys SET expires_at = now() - interval '1 minute' WHERE key = ANY($1)`,
      [[a, b]],
    );
    const live = randomUUID();
    await t.http.post('/v1/contacts').set(as(admin, live)).send({ lastName: 'PurgeLive' });
    expect(await t.app.get(IdempotencyService).purgeExpired()).toBeGreaterThanOrEqual(2);
    const left = await superSql<{ key: string }>(
      t.databaseUrl,
      'SELECT key FROM idempotency_keys WHERE key = ANY($1)',
      [[a, b, live]],
    );
    expect(left.map((r) => r.key)).toEqual([live]);
  });

  it('leaves GraphQL requests and non-JSON bodies alone (documented: they are not covered)', async () => {
    const key = randomUUID();
    const mutation = { query: 'mutation { createContact(input: { lastName: "GqlKey" }) { id } }' };
    const first = await t.http.post('/graphql').set(as(admin, key)).send(mutation);
    const second = await t.http.post('/graphql').set(as(admin, key)).send(mutation);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect(await contacts(admin.tenantId, 'GqlKey')).toHaveLength(2);
    const text = await t.http
      .post('/v1/contacts')
      .set(as(admin, key))
      .set('content-type', 'text/plain')
      .send('hello');
    expect(text.status).toBe(400);
    expect(
      await superSql(t.databaseUrl, 'SELECT 1 FROM idempotency_keys WHERE key = $1', [key]),
    ).toHaveLength(0);
  });

  it('documents the header on POST operations in OpenAPI', async () => {
    const doc = (await t.http.get('/openapi.json')).body as {
      paths: Record<string, { post?: { parameters?: { name: string; in: string }[] } }>;
    };
    const names = (path: string) => (doc.paths[path].post?.parameters ?? []).map((p) => `${p.in}:${p.name}`);
    expect(names('/v1/contacts')).toContain('header:Idempotency-Key');
    expect(names('/v1/contacts/batch')).toContain('header:Idempotency-Key');
    expect(names('/oauth/token')).not.toContain('header:Idempotency-Key');
  });
});
