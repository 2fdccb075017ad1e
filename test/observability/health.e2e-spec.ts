import { DataSource } from 'typeorm';
import { HealthService } from '../../src/platform/http/health.service.js';
import { bootApp, BootedApp } from './boot.js';

describe('health probes', () => {
  let t: BootedApp;
  beforeAll(async () => {
    t = await bootApp();
  });
  afterAll(() => t.close());

  it('GET /health/live answers 200 without a token', async () => {
    const res = await t.http.get('/health/live');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('GET /health/ready answers 200 with the database check when SELECT 1 answers', async () => {
    const res = await t.http.get('/health/ready');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 'ok',
      checks: { database: { status: 'up', latencyMs: expect.any(Number) } },
    });
    expect(res.body.checks.database.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('documents both probes in OpenAPI as public, tagged operations and leaves /metrics out', async () => {
    const doc = (await t.http.get('/openapi.json')).body;
    for (const [path, id] of [
      ['/health/live', 'health_live'],
      ['/health/ready', 'health_ready'],
    ] as const) {
      const op = doc.paths[path].get;
      expect(op).toMatchObject({ operationId: id, tags: ['health'], security: [] });
      expect(op.description).toEqual(expect.any(String));
      expect(op.responses['200']).toBeDefined();
    }
    expect(doc.paths['/health/ready'].get.responses['503']).toBeDefined();
    expect(doc.paths['/metrics']).toBeUndefined();
  });
});

describe('readiness when the database is unreachable', () => {
  let t: BootedApp;
  beforeAll(async () => {
    t = await bootApp();
    await t.app.get(DataSource).destroy();
  });
  afterAll(() => t.close());

  it('GET /health/ready answers 503 with the database down, without the driver message', async () => {
    const res = await t.http.get('/health/ready');
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({
      status: 'error',
      checks: { database: { status: 'down', detail: 'the query failed' } },
    });
  });

  it('keeps GET /health/live at 200: liveness must not restart a process over a database outage', async () => {
    expect((await t.http.get('/health/live')).status).toBe(200);
  });
});

describe('readiness during graceful shutdown', () => {
  let draining: BootedApp;
  let closing: BootedApp;
  beforeAll(async () => {
    [draining, closing] = await Promise.all([bootApp(), bootApp()]);
  });
  afterAll(() => Promise.all([draining.close(), closing.close()]));

  it('answers 503 on /health/ready once draining begins, while every other route still serves', async () => {
    expect((await draining.http.get('/health/ready')).status).toBe(200);
    draining.app.get(HealthService).beginDraining();

    const ready = await draining.http.get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({
      status: 'error',
      checks: { lifecycle: { status: 'down', detail: 'shutting down' } },
    });
    expect((await draining.http.get('/health/live')).status).toBe(200);
    expect((await draining.http.get('/metrics')).status).toBe(200);
  });

  it('begins draining as soon as Nest starts closing the app, and probes then see 503', async () => {
    const health = closing.app.get(HealthService);
    expect(health.isDraining).toBe(false);

    // Probe from inside the real shutdown sequence, right after our hook ran.
    const hook = health.onModuleDestroy.bind(health);
    let during: number | undefined;
    health.onModuleDestroy = async () => {
      hook();
      during = (await closing.http.get('/health/ready')).status;
    };
    await closing.closeApp();

    expect(health.isDraining).toBe(true);
    expect(during).toBe(503);
  });
});
