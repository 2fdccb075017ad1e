import { DataSource } from 'typeorm';
import { BootstrapService } from '../../src/platform/auth/bootstrap.service.js';
import { TenantsService } from '../../src/platform/auth/tenants.service.js';
import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, signIn } from '../harness/factories.js';

/** Counts as the test login (a superuser, so RLS does not hide other tenants' rows). */
async function counts(t: TestApp): Promise<{ tenants: number; users: number; directory: number }> {
  const [row] = await t.app.get(DataSource).query(
    `SELECT (SELECT count(*) FROM tenants)::int AS tenants, (SELECT count(*) FROM users)::int AS users,
            (SELECT count(*) FROM user_directory)::int AS directory`,
  );
  return row;
}

/** Runs `work` with process.stdout captured. */
async function captureStdout<T>(work: () => Promise<T>): Promise<{ result: T; out: string }> {
  const original = process.stdout.write.bind(process.stdout);
  let out = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  }) as typeof process.stdout.write;
  try {
    return { result: await work(), out };
  } finally {
    process.stdout.write = original;
  }
}

describe('BootstrapService.ensureDefaults', () => {
  describe('with RAPPORT_ADMIN_PASSWORD set', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({
        RAPPORT_ADMIN_EMAIL: 'Boss@Example.test',
        RAPPORT_DEFAULT_TENANT_NAME: 'Acme',
      });
    });
    afterAll(() => t.close());

    it('creates exactly one tenant and admin, even when replicas race, and is idempotent', async () => {
      const bootstrap = t.app.get(BootstrapService);
      const { result: raced, out } = await captureStdout(() =>
        Promise.all([bootstrap.ensureDefaults(), bootstrap.ensureDefaults(), bootstrap.ensureDefaults()]),
      );
      expect(raced.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(raced.map((r) => r.tenantId)).size).toBe(1);
      expect(out).not.toContain('test-admin-password');

      const again = await bootstrap.ensureDefaults();
      expect(again).toEqual({ tenantId: raced[0].tenantId, adminEmail: 'boss@example.test', created: false });
      expect(await counts(t)).toEqual({ tenants: 1, users: 1, directory: 1 });

      const tenant = await t.app.get(TenantsService).getTenant(again.tenantId!);
      expect(tenant!.name).toBe('Acme');
    });

    it('lets the admin sign in with the configured password', async () => {
      const { accessToken } = await signIn(t, 'boss@example.test', 'test-admin-password');
      const me = await t.http.get('/v1/me').set('authorization', `Bearer ${accessToken}`);
      expect(me.body).toMatchObject({ email: 'boss@example.test', isAdmin: true });
    });
  });

  describe('without RAPPORT_ADMIN_PASSWORD', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ RAPPORT_ADMIN_PASSWORD: '' });
    });
    afterAll(() => t.close());

    it('generates a password and prints it once, in a box on stdout', async () => {
      const bootstrap = t.app.get(BootstrapService);
      const first = await captureStdout(() => bootstrap.ensureDefaults());
      expect(first.result.created).toBe(true);
      const password = /password: (\S+)/.exec(first.out)?.[1];
      expect(password).toBeDefined();
      expect(first.out).toMatch(/^\+-+\+$/m);
      expect(first.out).toContain('admin@rapport.local');

      const second = await captureStdout(() => bootstrap.ensureDefaults());
      expect(second.result.created).toBe(false);
      expect(second.out).toBe('');

      await expect(signIn(t, 'admin@rapport.local', password!)).resolves.toHaveProperty('accessToken');
    });
  });

  describe('on a database that already has users', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(() => t.close());

    it('creates nothing', async () => {
      const existing = await newTenant(t);
      const result = await t.app.get(BootstrapService).ensureDefaults();
      expect(result).toEqual({
        tenantId: existing.tenantId,
        adminEmail: 'admin@rapport.local',
        created: false,
      });
      expect(await counts(t)).toEqual({ tenants: 1, users: 1, directory: 1 });
    });
  });
});
