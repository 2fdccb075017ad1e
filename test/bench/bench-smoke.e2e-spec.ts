import { AddressInfo } from 'node:net';
import { markdown } from '../../bench/lib/report.js';
import { SCENARIOS } from '../../bench/lib/scenarios.js';
import { measure, prepareContext, readManifest } from '../../bench/run.js';
import { generate } from '../../bench/seed.js';
import { createTestDatabase } from '../harness/database.js';
import { createTestApp, TestApp } from '../harness/app.js';
import { superSql } from '../harness/sql.js';

/**
 * The benchmark's parts end to end on the tiny size: the generator fills a database through the
 * app's schema and RLS, and one scenario (get by id) runs through autocannon against the app with
 * its raw-Postgres limit. Timings are not asserted (benchmarks live in bench/); what a user of
 * `npm run bench` relies on is.
 */
describe('bench smoke (tiny)', () => {
  let t: TestApp;
  let baseUrl: string;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await t.close();
  });

  it('generates the tiny dataset deterministically, through RLS, with a manifest', async () => {
    const manifest = await generate(t.databaseUrl, 'tiny', () => undefined);
    expect(await readManifest(t.databaseUrl)).toEqual(manifest);
    const measured = manifest.tenants[0];
    expect(manifest.tenantId).toBe(measured.id);
    const counts = await superSql<{ contacts: string; accounts: string; activities: string }>(
      t.databaseUrl,
      `SELECT (SELECT count(*) FROM contacts WHERE tenant_id = $1) AS contacts,
              (SELECT count(*) FROM accounts WHERE tenant_id = $1) AS accounts,
              (SELECT count(*) FROM activities WHERE tenant_id = $1) AS activities`,
      [measured.id],
    );
    expect(counts[0]).toEqual({
      contacts: String(measured.contacts),
      accounts: String(measured.accounts),
      activities: String(measured.activities),
    });
    // The measured tenant holds half of every object's rows.
    const total = manifest.tenants.reduce((s, x) => s + x.contacts, 0);
    expect(measured.contacts).toBe(total / 2);
    // Each timeline account holds exactly 500 activities.
    const timeline = await superSql<{ n: string }>(
      t.databaseUrl,
      `SELECT count(*) AS n FROM activities WHERE tenant_id = $1 AND account_id = ANY($2::uuid[]) GROUP BY account_id`,
      [measured.id, manifest.timelineAccountIds],
    );
    expect(timeline.map((r) => Number(r.n))).toEqual(manifest.timelineAccountIds.map(() => 500));

    // Deterministic: a second database gets the same ids.
    const again = await createTestDatabase();
    try {
      const second = await generate(again.url, 'tiny', () => undefined);
      expect(second.timelineAccountIds).toEqual(manifest.timelineAccountIds);
      const ids = async (url: string) =>
        (await superSql<{ id: string }>(url, 'SELECT id FROM bench.ids ORDER BY n LIMIT 20')).map(
          (r) => r.id,
        );
      expect(await ids(again.url)).toEqual(await ids(t.databaseUrl));
    } finally {
      await again.drop();
    }
  });

  it('runs the get-by-id scenario as the sales rep, beside its raw limit', async () => {
    const manifest = (await readManifest(t.databaseUrl))!;
    const ctx = await prepareContext(t.databaseUrl, baseUrl, manifest);
    expect(ctx.ids).toHaveLength(manifest.idCount);
    const scenario = SCENARIOS.find((s) => s.name === 'get-rest')!;
    const result = await measure(scenario, ctx, {
      baseUrl,
      connections: 2,
      durationSeconds: 1,
      warmupSeconds: 0,
      rawUrl: t.databaseUrl,
    });
    expect(result.requests).toBeGreaterThan(0);
    expect(result.errors).toBe(0);
    expect(result.non2xx).toBe(0);
    expect(result.p50).toBeGreaterThan(0);
    expect(result.p99).toBeGreaterThanOrEqual(result.p50);
    expect(result.statementsPerRequest).toBeGreaterThan(0);
    expect(result.raw?.tps).toBeGreaterThan(0);
    expect(result.ratioPercent).toBeGreaterThan(0);

    // The rep reads contacts through the field policy the generator gave the role: phone is
    // read-only (still visible), and the answer is the tenant's row.
    const res = await fetch(`${baseUrl}/v1/contacts/${ctx.ids[0]}`, {
      headers: { authorization: `Bearer ${ctx.token}` },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { id: string }).id).toBe(ctx.ids[0]);

    const table = markdown(
      {
        startedAt: 'a',
        finishedAt: 'b',
        size: 'tiny',
        database: 'test',
        postgres: 'PostgreSQL',
        machine: { cpus: 2, cpuModel: 'cpu', memoryGb: 1, node: process.version, platform: 'linux' },
        settings: { durationSeconds: 1, warmupSeconds: 0, connections: [2], pool: 10 },
        startToReadyMs: 1,
        peakRssMb: 1,
        rowCounts: { contacts: 600 },
        results: [result],
      },
      'results/x.json',
    );
    expect(table).toContain(`| get-rest | 2 | ${result.rps.toLocaleString('en-US')} |`);
  });
});
