import { fastify } from 'fastify';
import request from 'supertest';
import { MetricsService } from '../../src/platform/http/metrics.js';
import { bootApp, BootedApp } from './boot.js';
import { parseSamples, valueOf } from './prometheus.js';

describe('GET /metrics', () => {
  let t: BootedApp;
  let other: BootedApp;
  beforeAll(async () => {
    [t, other] = await Promise.all([bootApp(), bootApp()]);
  });
  afterAll(() => Promise.all([t.close(), other.close()]));

  const scrape = async (app: BootedApp = t): Promise<string> => {
    const res = await app.http.get('/metrics');
    expect(res.status).toBe(200);
    return res.text;
  };

  it('counts requests by method, route and status, and times them', async () => {
    for (let i = 0; i < 3; i++) expect((await t.http.get('/health/live')).status).toBe(200);
    const text = await scrape();
    expect(text).toContain('http_requests_total{method="GET",route="/health/live",status="200"} 3\n');
    expect(
      valueOf(text, 'http_request_duration_seconds_count', {
        method: 'GET',
        route: '/health/live',
        status: '200',
      }),
    ).toBe(3);
    expect(
      valueOf(text, 'http_request_duration_seconds_bucket', {
        method: 'GET',
        route: '/health/live',
        status: '200',
        le: '+Inf',
      }),
    ).toBe(3);
  });

  it('needs no token and answers in the Prometheus text format', async () => {
    const res = await t.http.get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.text).toContain('# TYPE http_requests_total counter');
    expect(res.text).toContain('# TYPE http_request_duration_seconds histogram');
  });

  it('keeps each app instance in its own registry', async () => {
    // Booted in the same process, the other app saw none of the requests above.
    expect(
      valueOf(await scrape(other), 'http_requests_total', {
        method: 'GET',
        route: '/health/live',
        status: '200',
      }),
    ).toBeUndefined();
  });

  it('labels requests without a route "unmatched", never with their raw URL', async () => {
    expect((await t.http.get('/nope/0193a1b2-c3d4')).status).toBe(404);
    const text = await scrape();
    expect(valueOf(text, 'http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBe(
      1,
    );
    expect(text).not.toContain('0193a1b2');
  });

  it('labels requests with the route pattern, not the path with ids', async () => {
    // No parameterised route exists yet in the app, so a bare Fastify gets the same hook.
    const metrics = t.app.get(MetricsService);
    const bare = fastify();
    metrics.instrument(bare);
    bare.get('/v1/contacts/:id', async () => ({ ok: true }));
    await bare.ready();
    try {
      // supertest rather than inject(): light-my-request loads an ESM-only dependency through require().
      expect((await request(bare.server).get('/v1/contacts/0193-aaaa')).status).toBe(200);
      expect((await request(bare.server).get('/v1/contacts/0193-bbbb')).status).toBe(200);
    } finally {
      await bare.close();
    }
    const text = (await metrics.render()).body;
    expect(
      valueOf(text, 'http_requests_total', { method: 'GET', route: '/v1/contacts/:id', status: '200' }),
    ).toBe(2);
    expect(text).not.toContain('0193-aaaa');
  });

  it('counts GraphQL operations under the route /graphql', async () => {
    const res = await t.http.post('/graphql').send({ query: '{ serverInfo { version } }' });
    expect(res.status).toBe(200);
    expect(
      valueOf(await scrape(), 'http_requests_total', { method: 'POST', route: '/graphql', status: '200' }),
    ).toBe(1);
  });

  it('exposes the database pool gauges and the statement counter', async () => {
    const before = valueOf(await scrape(), 'db_statements_total');
    expect((await t.http.get('/health/ready')).status).toBe(200);
    const text = await scrape();
    for (const name of ['db_pool_total', 'db_pool_idle', 'db_pool_waiting', 'db_pool_max']) {
      expect(text).toContain(`# TYPE ${name} gauge`);
      expect(valueOf(text, name)).toEqual(expect.any(Number));
    }
    // The readiness probe's SELECT 1 borrowed a connection and gave it back.
    expect(valueOf(text, 'db_pool_total')).toBeGreaterThanOrEqual(1);
    expect(valueOf(text, 'db_pool_idle')).toBeGreaterThanOrEqual(1);
    expect(valueOf(text, 'db_pool_waiting')).toBe(0);
    expect(valueOf(text, 'db_pool_max')).toBe(10);
    expect(valueOf(text, 'db_statements_total')).toBeGreaterThan(before!);
  });

  it('includes the default process metrics', async () => {
    const names = new Set(parseSamples(await scrape()).map((s) => s.name));
    expect(names).toContain('process_cpu_user_seconds_total');
    expect(names).toContain('nodejs_eventloop_lag_seconds');
    expect(names).toContain('nodejs_heap_size_used_bytes');
  });
});
