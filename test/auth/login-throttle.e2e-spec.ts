import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Clock } from '../../src/platform/auth/clock.js';
import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, UserFixture } from '../harness/factories.js';
import { superSql } from '../harness/sql.js';

/**
 * Failed-login throttling (defaults: 5 failures per email, 30 s first wait doubling up to the
 * 900 s window; the IP limit is lowered to 10 here). Time is moved with the Clock provider,
 * never slept through. Each test signs in from its own client IP (X-Forwarded-For; the server
 * trusts its proxy) so that one test's IP count does not reach into the next.
 */
describe('failed-login throttling on POST /oauth/token', () => {
  let t: TestApp;
  let u: UserFixture;
  let now: number;
  beforeAll(async () => {
    // Each test signs in from its own address through X-Forwarded-For, as behind a proxy.
    t = await createTestApp({ LOGIN_THROTTLE_IP_FAILURES: '10', TRUST_PROXY: 'true' });
    u = await newTenant(t);
    now = Date.now();
    jest.spyOn(t.app.get(Clock), 'now').mockImplementation(() => now);
  });
  afterAll(() => t.close());

  const newIp = () => `10.${randomBytes(3).join('.')}`;
  const signIn = (ip: string, password: string, email = u.email) =>
    t.http
      .post('/oauth/token')
      .set('x-forwarded-for', ip)
      .type('form')
      .send({ grant_type: 'password', username: email, password });
  const fail = async (ip: string, times: number, email = u.email) => {
    for (let i = 0; i < times; i++) {
      const res = await signIn(ip, 'wrong-password', email);
      expect({ attempt: i + 1, status: res.status, error: res.body.error }).toEqual({
        attempt: i + 1,
        status: 400,
        error: 'invalid_grant',
      });
    }
  };
  const expectThrottled = (res: Awaited<ReturnType<typeof signIn>>, retryAfter: number) => {
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe(String(retryAfter));
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({
      error: 'temporarily_unavailable',
      error_description: expect.stringContaining(`${retryAfter} second`),
    });
  };

  it('answers 429 with Retry-After after 5 failures, even to the right password, and lets it in after the wait', async () => {
    const ip = newIp();
    await fail(ip, 5);
    expectThrottled(await signIn(ip, u.password), 30);
    // The wait does not depend on the IP: the email itself is throttled.
    expectThrottled(await signIn(newIp(), u.password), 30);
    now += 29_000;
    expectThrottled(await signIn(ip, u.password), 1);
    now += 2_000;
    expect((await signIn(ip, u.password)).status).toBe(200);

    // A success clears the email's count: five fresh failures are allowed again.
    const ip2 = newIp();
    await fail(ip2, 5);
    expectThrottled(await signIn(ip2, 'wrong-password'), 30);
    now += 31_000;
    expect((await signIn(ip2, u.password)).status).toBe(200);
  });

  it('doubles the wait with each further failure, caps it at the window, and forgets after the window', async () => {
    const ip = newIp();
    await fail(ip, 5);
    expectThrottled(await signIn(ip, 'wrong-password'), 30);
    for (const wait of [30, 60, 120, 240, 480]) {
      now += wait * 1000 + 1000;
      await fail(ip, 1);
      expectThrottled(await signIn(ip, u.password), Math.min(wait * 2, 900));
    }
    // 30·2^5 = 960 s would exceed the 900 s window: the wait is capped there.
    now += 901_000;
    // No permanent lockout: a window after the last failure, everything is forgotten.
    expect((await signIn(ip, u.password)).status).toBe(200);
  });

  it('lets no more than the limit through when guesses arrive all at once', async () => {
    const ip = newIp();
    const target = `burst-${randomBytes(4).toString('hex')}@example.test`;
    const answers = await Promise.all(Array.from({ length: 12 }, () => signIn(ip, 'guess', target)));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 400)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
  });

  it('throttles an unknown email exactly like a known one (no account enumeration)', async () => {
    const ip = newIp();
    const nobody = `nobody-${randomBytes(4).toString('hex')}@example.test`;
    await fail(ip, 5, nobody);
    expectThrottled(await signIn(ip, 'whatever', nobody), 30);
    now += 31_000;
    const res = await signIn(ip, 'whatever', nobody);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_grant');
  });

  it('throttles one client IP trying many emails, without touching those accounts elsewhere', async () => {
    const ip = newIp();
    for (let i = 0; i < 10; i++)
      await fail(ip, 1, `spray-${i}-${randomBytes(3).toString('hex')}@example.test`);
    expectThrottled(await signIn(ip, u.password), 30);
    // The account itself is not locked: from another address it signs in.
    expect((await signIn(newIp(), u.password)).status).toBe(200);
    now += 31_000;
    expect((await signIn(ip, u.password)).status).toBe(200);
  });

  it('keeps its counts in Postgres as hashes, with no email or address in clear', async () => {
    const ip = newIp();
    await fail(ip, 2);
    const rows = await superSql<{ bucket: string; failures: number }>(
      t.databaseUrl,
      'SELECT bucket, failures FROM login_failures',
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.bucket).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(row.bucket).not.toContain(u.email);
    }
    expect(rows.map((r) => r.failures)).toContain(2);
    expect(JSON.stringify(rows)).not.toContain(ip);
  });
});
