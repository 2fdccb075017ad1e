import { execFile } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, signIn, UserFixture } from '../harness/factories.js';
import { superSql } from '../harness/sql.js';
import { clientCredentials, createClient } from '../auth/credentials.js';
import { auditRows } from './helpers.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Builds src/ with swc into a temporary folder (its own package.json and a link to node_modules)
 * and runs the audit:verify CLI from there against the test database, as `npm run audit:verify`
 * runs dist/cli/audit-verify.js.
 */
async function buildCli(): Promise<{
  dir: string;
  verify(url: string): Promise<{ code: number; out: string }>;
}> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rapport-audit-cli-'));
  await run(
    path.join(ROOT, 'node_modules/.bin/swc'),
    ['src', '-d', dir, '--strip-leading-paths', '--quiet'],
    { cwd: ROOT },
  );
  await writeFile(path.join(dir, 'package.json'), '{"type":"module"}\n');
  await symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return {
    dir,
    async verify(url: string) {
      try {
        const r = await run(process.execPath, [path.join(dir, 'cli/audit-verify.js')], {
          env: { PATH: process.env.PATH ?? '', DATABASE_URL: url, LOG_LEVEL: 'silent' },
        });
        return { code: 0, out: r.stdout };
      } catch (e) {
        const err = e as { code?: number; stdout?: string; stderr?: string };
        return { code: err.code ?? -1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
      }
    },
  };
}

/** Runs statements as rapport_app in a tenant, the way the service does; returns the error code. */
async function asAppRole(url: string, tenantId: string, sql: string): Promise<string | undefined> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('BEGIN');
    await c.query(`SELECT set_config('role', 'rapport_app', true), set_config('app.tenant_id', $1, true)`, [
      tenantId,
    ]);
    await c.query(sql);
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  } finally {
    await c.query('ROLLBACK').catch(() => undefined);
    await c.end();
  }
}

describe('audit integrity: append-only, tamper-evident, sign-ins audited', () => {
  let t: TestApp;
  let a: UserFixture;
  let b: UserFixture;
  const auth = (u: UserFixture) => ({ authorization: `Bearer ${u.token}` });
  let cli: Awaited<ReturnType<typeof buildCli>>;

  beforeAll(async () => {
    [t, cli] = await Promise.all([createTestApp(), buildCli()]);
    a = await newTenant(t);
    b = await newTenant(t);
    for (let i = 0; i < 6; i++)
      await t.http
        .post('/v1/accounts')
        .set(auth(a))
        .send({ name: `Chain ${i}` });
    await t.http.post('/v1/accounts').set(auth(b)).send({ name: 'Other tenant' });
    // Booting the app and compiling the CLI both take a few seconds; more on a busy machine.
  }, 90_000);
  afterAll(async () => {
    await t.close();
    await rm(cli.dir, { recursive: true, force: true });
  });

  it('the app role may read and append, but UPDATE, DELETE and TRUNCATE are permission denied', async () => {
    const url = t.databaseUrl;
    expect(await asAppRole(url, a.tenantId, `SELECT count(*) FROM audit_events`)).toBeUndefined();
    expect(await asAppRole(url, a.tenantId, `UPDATE audit_events SET action = 'create'`)).toBe('42501');
    expect(await asAppRole(url, a.tenantId, `DELETE FROM audit_events`)).toBe('42501');
    expect(await asAppRole(url, a.tenantId, `TRUNCATE audit_events`)).toBe('42501');
    // The owner (here: the superuser, with triggers on) is refused by the append-only trigger.
    await expect(
      superSql(url, `DELETE FROM audit_events WHERE tenant_id = $1`, [a.tenantId]),
    ).rejects.toThrow(/append-only/);
  });

  it('the app role sees only its tenant’s events (RLS forced)', async () => {
    const c = new pg.Client({ connectionString: t.databaseUrl });
    await c.connect();
    try {
      await c.query('BEGIN');
      await c.query(`SELECT set_config('role', 'rapport_app', true), set_config('app.tenant_id', $1, true)`, [
        b.tenantId,
      ]);
      const r = await c.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1`,
        [a.tenantId],
      );
      expect(r.rows[0].n).toBe(0);
      await c.query('ROLLBACK');
    } finally {
      await c.end();
    }
  });

  it('audits sign-ins: a login in the user’s tenant; a failed one for a known email; none for an unknown email', async () => {
    const logins = await auditRows(t, { tenantId: a.tenantId, action: 'login' });
    expect(logins).toHaveLength(1);
    expect(logins[0]).toMatchObject({
      actor_type: 'user',
      actor_id: a.userId,
      user_id: a.userId,
      object: 'user',
      record_id: a.userId,
      outcome: 'success',
      channel: 'rest',
    });
    expect(logins[0].details).toMatchObject({ grantType: 'password' });
    expect(logins[0].request_id).toEqual(expect.any(String));

    const rid = 'failed-login-1';
    const bad = await t.http
      .post('/oauth/token')
      .type('form')
      .set('x-request-id', rid)
      .send({ grant_type: 'password', username: a.email, password: 'wrong-password-123' });
    expect(bad.status).toBe(400);
    const failed = await auditRows(t, { tenantId: a.tenantId, action: 'login_failed' });
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      actor_id: a.userId,
      outcome: 'failure',
      request_id: rid,
      record_id: a.userId,
    });

    const before = await superSql<{ n: number }>(
      t.databaseUrl,
      `SELECT count(*)::int AS n FROM audit_events`,
    );
    const unknown = await t.http
      .post('/oauth/token')
      .type('form')
      .send({ grant_type: 'password', username: 'nobody@nowhere.test', password: 'whatever-123456' });
    expect(unknown.status).toBe(400);
    const after = await superSql<{ n: number }>(t.databaseUrl, `SELECT count(*)::int AS n FROM audit_events`);
    expect(after[0].n).toBe(before[0].n);
  });

  it('audits refresh-token grants as token_granted', async () => {
    const tokens = await signIn(t, a.email, a.password);
    const res = await t.http
      .post('/oauth/token')
      .type('form')
      .send({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken });
    expect(res.status).toBe(200);
    const grants = await auditRows(t, { tenantId: a.tenantId, action: 'token_granted' });
    expect(grants).toHaveLength(1);
    expect(grants[0]).toMatchObject({ actor_id: a.userId, outcome: 'success' });
    expect(grants[0].details).toMatchObject({ grantType: 'refresh_token' });
  });

  it('audits client_credentials grants, and a partner client’s changes carry its client id', async () => {
    const client = await createClient(t, a.token, a.tenantId, ['contacts:create', 'contacts:read']);
    const res = await clientCredentials(t, client.clientId, client.clientSecret, {
      scope: 'contacts:create',
    });
    expect(res.status).toBe(200);
    const grants = (await auditRows(t, { tenantId: a.tenantId, action: 'token_granted' })).filter(
      (r) => r.actor_type === 'oauthClient',
    );
    expect(grants).toHaveLength(1);
    expect(grants[0]).toMatchObject({ actor_id: client.id, client_id: client.clientId, user_id: null });
    expect(grants[0].details).toMatchObject({ grantType: 'client_credentials', scope: 'contacts:create' });

    const made = await t.http
      .post('/v1/contacts')
      .set({ authorization: `Bearer ${res.body.access_token as string}` })
      .send({ lastName: 'Partnered' });
    expect(made.status).toBe(201);
    const [created] = await auditRows(t, { recordId: made.body.id as string });
    expect(created).toMatchObject({
      action: 'create',
      actor_type: 'oauthClient',
      actor_id: client.id,
      client_id: client.clientId,
    });
  });

  it('detects a row altered directly by a superuser: GET /v1/audit-events/verify and npm run audit:verify', async () => {
    const intact = await t.http.get('/v1/audit-events/verify').set(auth(a));
    expect(intact.status).toBe(200);
    expect(intact.body).toMatchObject({ ok: true });
    expect(intact.body.checked).toBeGreaterThanOrEqual(6);
    const cleanRun = await cli.verify(t.databaseUrl);
    expect(cleanRun.out).toMatch(/intact/);
    expect(cleanRun.code).toBe(0);

    const victim = (await auditRows(t, { tenantId: a.tenantId, action: 'create' }))[2];
    // A superuser can switch the append-only trigger off; the chain still tells.
    const c = new pg.Client({ connectionString: t.databaseUrl });
    await c.connect();
    try {
      await c.query(`SET session_replication_role = replica`);
      const changed = await c.query(
        `UPDATE audit_events SET changes = jsonb_set(changes, '{name,after}', '"Forged Ltd"') WHERE id = $1`,
        [victim.id],
      );
      expect(changed.rowCount).toBe(1);
    } finally {
      await c.end();
    }

    const broken = await t.http.get('/v1/audit-events/verify').set(auth(a));
    expect(broken.status).toBe(200);
    expect(broken.body).toMatchObject({ ok: false, firstBadEventId: victim.id });
    expect(broken.body.reason).toMatch(/altered/);
    // Tenant B's trail is untouched.
    expect((await t.http.get('/v1/audit-events/verify').set(auth(b))).body).toMatchObject({ ok: true });

    const brokenRun = await cli.verify(t.databaseUrl);
    expect(brokenRun.code).toBe(1);
    expect(brokenRun.out).toContain(victim.id);
    expect(brokenRun.out).toContain(a.tenantId);
  });

  it('detects a deleted event and a deleted tail', async () => {
    const rows = await auditRows(t, { tenantId: b.tenantId });
    const c = new pg.Client({ connectionString: t.databaseUrl });
    await c.connect();
    try {
      await c.query(`SET session_replication_role = replica`);
      // The newest event of B's chains: the tail goes, the head stays.
      const last = rows[rows.length - 1];
      await c.query(`DELETE FROM audit_events WHERE id = $1`, [last.id]);
    } finally {
      await c.end();
    }
    const res = await t.http.get('/v1/audit-events/verify').set(auth(b));
    expect(res.body.ok).toBe(false);
    expect(res.body.reason).toMatch(/deleted|head/);
  });
});
