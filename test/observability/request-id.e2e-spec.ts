import { pino } from 'pino';
import { bootApp, BootedApp, LogCapture } from './boot.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('request ids and request logs', () => {
  const logs = new LogCapture();
  let t: BootedApp;
  beforeAll(async () => {
    t = await bootApp(pino({ level: 'info' }, logs));
  });
  afterAll(() => t.close());

  it('echoes a well-formed X-Request-Id from the client', async () => {
    const id = 'client-req.42:abc_DEF';
    const res = await t.http.get('/health/live').set('X-Request-Id', id);
    expect(res.headers['x-request-id']).toBe(id);
  });

  it('accepts an id of exactly 128 characters', async () => {
    const id = 'a'.repeat(128);
    expect((await t.http.get('/health/live').set('X-Request-Id', id)).headers['x-request-id']).toBe(id);
  });

  it.each([
    ['with spaces', 'has spaces in it'],
    ['longer than 128 characters', 'a'.repeat(129)],
    ['with characters outside the safe set', 'id";DROP'],
  ])('replaces an id %s with a generated UUID', async (_case, id) => {
    const res = await t.http.get('/health/live').set('X-Request-Id', id);
    expect(res.headers['x-request-id']).toMatch(UUID);
  });

  it('generates a UUID when the client sends none, also on errors', async () => {
    const res = await t.http.get('/no-such-route');
    expect(res.status).toBe(404);
    expect(res.headers['x-request-id']).toMatch(UUID);
    expect(res.body.requestId).toBe(res.headers['x-request-id']);
  });

  it('logs one JSON completion line with the request id, method, URL, status and latency', async () => {
    const id = 'log-line-check-1';
    await t.http.get('/health/live?probe=1').set('X-Request-Id', id);
    const line = await logs.waitFor((l) => l.reqId === id && l.msg === 'request completed');
    expect(line).toMatchObject({
      level: 30,
      reqId: id,
      method: 'GET',
      url: '/health/live?probe=1',
      res: { statusCode: 200 },
    });
    expect(line.responseTime).toEqual(expect.any(Number));
  });

  it('logs requests that match no route the same way', async () => {
    const id = 'log-line-check-404';
    await t.http.post('/nope').set('X-Request-Id', id).send({});
    const line = await logs.waitFor((l) => l.reqId === id && l.msg === 'request completed');
    expect(line).toMatchObject({ method: 'POST', url: '/nope', res: { statusCode: 404 } });
  });

  it('does not log the authorization header', async () => {
    const id = 'log-line-check-auth';
    await t.http
      .get('/health/live')
      .set('X-Request-Id', id)
      .set('Authorization', 'Bearer secret-token-value');
    await logs.waitFor((l) => l.reqId === id && l.msg === 'request completed');
    expect(JSON.stringify(logs.lines.filter((l) => l.reqId === id))).not.toContain('secret-token-value');
  });
});
