import { newId } from '../../src/platform/database/ids.js';
import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, newUser, roleId, UserFixture } from '../harness/factories.js';
import { superSql } from '../harness/sql.js';
import { gqlAs, ok, restAs } from '../sales/helpers.js';
import { insertCase } from './case-fixtures.js';

/**
 * Service metrics (docs/service.md#service-metrics) on a fixed dataset whose every figure is worked
 * out by hand below. Window [2026-10-01, 2026-11-01).
 *
 *  case  queue  status   prio    created     resolved          cal min  bus min  FR due/answered/breached  res due/breached  csat
 *  R1    Q1     solved   high    10-01 00:00 10-01 02:00        120      60      yes / 00:30 / no           yes / no          5
 *  R2    Q1     closed   normal  10-02 00:00 10-02 06:00        360     200      yes / 01:00 / yes          yes / yes         3
 *  R3    Q2     solved   low     09-20 00:00 10-05 00:00      21600     900      no                         no                -
 *  R4    Q1     closed   normal  10-10 00:00 11-02 00:00 (out)    -       -      yes / 10-10 / no           -                 -
 *  O1    Q1     open     urgent  10-15                                            yes / - / yes (breached)
 *  O2    Q2     pending  normal  10-20                                            yes / - / no (undecided)
 *  O3    -      new      high    08-01
 *  O4    Q2     onHold   low     11-05
 *  D1    Q1     solved (deleted) 10-03 → 10-04: never counted
 *
 * Overall: created R1 R2 R4 O1 O2 = 5; resolved R1 R2 R3 = 3; calendar minutes avg (120+360+21600)/3
 * = 7360, median 360; business avg 1160/3 = 386.67, median 200; first response measured R1 R2 R4 O1
 * = 4, met R1 R4 = 2 → 50 %; resolution measured R1 R2 = 2, met R1 → 50 %; CSAT 2 responses, avg 4,
 * rate 2/3 = 66.67 %; backlog O1..O4 = 4, one per status and one per priority.
 */
const W = { from: '2026-10-01', to: '2026-11-01' };

const FIGURES = `createdCount resolvedCount avgResolutionMinutes medianResolutionMinutes avgBusinessResolutionMinutes
  medianBusinessResolutionMinutes firstResponseMeasured firstResponseMet firstResponseAttainment resolutionMeasured
  resolutionMet resolutionAttainment csatResponses csatAverage csatResponseRate
  backlog { total byStatus { new open pending onHold } byPriority { low normal high urgent } }`;

describe('service metrics', () => {
  let t: TestApp;
  let admin: UserFixture;
  let agent: UserFixture;
  let marketer: UserFixture;
  const q1 = newId();
  const q2 = newId();

  beforeAll(async () => {
    t = await createTestApp();
    admin = await newTenant(t);
    agent = await newUser(t, admin.tenantId, { role: 'supportAgent' });
    marketer = await newUser(t, admin.tenantId, { role: 'marketing' });
    const tenant = admin.tenantId;
    await superSql(
      t.databaseUrl,
      `INSERT INTO case_queues (tenant_id, id, name) VALUES ($1, $2, 'Q1'), ($1, $3, 'Q2')`,
      [tenant, q1, q2],
    );
    const due = '2026-12-31T00:00:00Z';
    const c = (columns: Parameters<typeof insertCase>[2]) => insertCase(t, tenant, columns);
    await c({
      queue_id: q1,
      status: 'solved',
      priority: 'high',
      channel: 'email',
      assignee_id: agent.userId,
      created_at: '2026-10-01T00:00:00Z',
      resolved_at: '2026-10-01T02:00:00Z',
      business_resolution_minutes: 60,
      first_response_due_at: due,
      first_responded_at: '2026-10-01T00:30:00Z',
      resolution_due_at: due,
      csat_score: 5,
    });
    await c({
      queue_id: q1,
      status: 'closed',
      priority: 'normal',
      channel: 'phone',
      created_at: '2026-10-02T00:00:00Z',
      resolved_at: '2026-10-02T06:00:00Z',
      business_resolution_minutes: 200,
      first_response_due_at: due,
      first_responded_at: '2026-10-02T01:00:00Z',
      first_response_breached: true,
      resolution_due_at: due,
      resolution_breached: true,
      csat_score: 3,
    });
    await c({
      queue_id: q2,
      status: 'solved',
      priority: 'low',
      channel: 'email',
      created_at: '2026-09-20T00:00:00Z',
      resolved_at: '2026-10-05T00:00:00Z',
      business_resolution_minutes: 900,
    });
    await c({
      queue_id: q1,
      status: 'closed',
      priority: 'normal',
      created_at: '2026-10-10T00:00:00Z',
      resolved_at: '2026-11-02T00:00:00Z',
      first_response_due_at: due,
      first_responded_at: '2026-10-10T00:10:00Z',
    });
    await c({
      queue_id: q1,
      status: 'open',
      priority: 'urgent',
      created_at: '2026-10-15T00:00:00Z',
      assignee_id: agent.userId,
      first_response_due_at: '2026-10-15T01:00:00Z',
      first_response_breached: true,
    });
    await c({
      queue_id: q2,
      status: 'pending',
      priority: 'normal',
      created_at: '2026-10-20T00:00:00Z',
      first_response_due_at: due,
    });
    await c({ status: 'new', priority: 'high', created_at: '2026-08-01T00:00:00Z' });
    await c({ queue_id: q2, status: 'onHold', priority: 'low', created_at: '2026-11-05T00:00:00Z' });
    await c({
      queue_id: q1,
      status: 'solved',
      created_at: '2026-10-03T00:00:00Z',
      resolved_at: '2026-10-04T00:00:00Z',
      deleted_at: '2026-10-05T00:00:00Z',
      csat_score: 1,
    });
  }, 60_000);
  afterAll(() => t.close());

  const backlog = (status: [number, number, number, number], priority: [number, number, number, number]) => ({
    total: status.reduce((a, b) => a + b, 0),
    byStatus: { new: status[0], open: status[1], pending: status[2], onHold: status[3] },
    byPriority: { low: priority[0], normal: priority[1], high: priority[2], urgent: priority[3] },
  });

  const OVERALL = {
    createdCount: 5,
    resolvedCount: 3,
    avgResolutionMinutes: 7360,
    medianResolutionMinutes: 360,
    avgBusinessResolutionMinutes: 386.67,
    medianBusinessResolutionMinutes: 200,
    firstResponseMeasured: 4,
    firstResponseMet: 2,
    firstResponseAttainment: 50,
    resolutionMeasured: 2,
    resolutionMet: 1,
    resolutionAttainment: 50,
    csatResponses: 2,
    csatAverage: 4,
    csatResponseRate: 66.67,
    backlog: backlog([1, 1, 1, 1], [1, 1, 1, 1]),
  };
  const Q1 = {
    key: q1,
    createdCount: 4,
    resolvedCount: 2,
    avgResolutionMinutes: 240,
    medianResolutionMinutes: 240,
    avgBusinessResolutionMinutes: 130,
    medianBusinessResolutionMinutes: 130,
    firstResponseMeasured: 4,
    firstResponseMet: 2,
    firstResponseAttainment: 50,
    resolutionMeasured: 2,
    resolutionMet: 1,
    resolutionAttainment: 50,
    csatResponses: 2,
    csatAverage: 4,
    csatResponseRate: 100,
    backlog: backlog([0, 1, 0, 0], [0, 0, 0, 1]),
  };
  const Q2 = {
    key: q2,
    createdCount: 1,
    resolvedCount: 1,
    avgResolutionMinutes: 21600,
    medianResolutionMinutes: 21600,
    avgBusinessResolutionMinutes: 900,
    medianBusinessResolutionMinutes: 900,
    firstResponseMeasured: 0,
    firstResponseMet: 0,
    firstResponseAttainment: null,
    resolutionMeasured: 0,
    resolutionMet: 0,
    resolutionAttainment: null,
    csatResponses: 0,
    csatAverage: null,
    csatResponseRate: 0,
    backlog: backlog([0, 0, 1, 1], [1, 1, 0, 0]),
  };
  const NONE = {
    key: null,
    createdCount: 0,
    resolvedCount: 0,
    avgResolutionMinutes: null,
    medianResolutionMinutes: null,
    avgBusinessResolutionMinutes: null,
    medianBusinessResolutionMinutes: null,
    firstResponseMeasured: 0,
    firstResponseMet: 0,
    firstResponseAttainment: null,
    resolutionMeasured: 0,
    resolutionMet: 0,
    resolutionAttainment: null,
    csatResponses: 0,
    csatAverage: null,
    csatResponseRate: null,
    backlog: backlog([1, 0, 0, 0], [0, 0, 1, 0]),
  };

  it('computes every figure overall and per queue (REST)', async () => {
    const m = ok<{
      groupBy: string;
      from: string;
      to: string;
      overall: object;
      groups: { key: string | null }[];
    }>(await restAs(t, admin).get('/v1/service/metrics', { ...W, groupBy: 'queue' }));
    expect(m).toMatchObject({
      groupBy: 'queue',
      from: '2026-10-01T00:00:00.000Z',
      to: '2026-11-01T00:00:00.000Z',
    });
    expect(m.overall).toEqual(OVERALL);
    const byKey = (k: string | null) => m.groups.find((g) => g.key === k);
    expect(m.groups).toHaveLength(3);
    expect(byKey(q1)).toEqual(Q1);
    expect(byKey(q2)).toEqual(Q2);
    expect(m.groups[2]).toEqual(NONE);
  });

  it('groups by priority and channel', async () => {
    const p = ok<{ groups: { key: string; resolvedCount: number; backlog: { total: number } }[] }>(
      await restAs(t, admin).get('/v1/service/metrics', { ...W, groupBy: 'priority' }),
    );
    expect(p.groups.map((g) => [g.key, g.resolvedCount, g.backlog.total])).toEqual([
      ['high', 1, 1],
      ['low', 1, 1],
      ['normal', 1, 1],
      ['urgent', 0, 1],
    ]);
    const c = ok<{ groups: { key: string | null; createdCount: number; resolvedCount: number }[] }>(
      await restAs(t, admin).get('/v1/service/metrics', { ...W, groupBy: 'channel' }),
    );
    expect(c.groups.map((g) => [g.key, g.createdCount, g.resolvedCount])).toEqual([
      ['email', 1, 2],
      ['phone', 1, 1],
      [null, 3, 0],
    ]);
  });

  it('is the same over GraphQL', async () => {
    const res = await gqlAs(t, admin)<{ serviceMetrics: { overall: object; groups: object[] } }>(
      `query($from: String, $to: String) { serviceMetrics(from: $from, to: $to, groupBy: queue) {
         from to groupBy overall { ${FIGURES} } groups { key ${FIGURES} } } }`,
      W,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.serviceMetrics.overall).toEqual(OVERALL);
    expect(res.data!.serviceMetrics.groups).toEqual(expect.arrayContaining([Q1, Q2, NONE]));
  });

  it('counts only the cases the caller may see', async () => {
    ok(await restAs(t, admin).put('/v1/sharing-settings/cases', { defaultAccess: 'private' }));
    try {
      // the agent is assignee (owner) of R1 and O1 only
      const m = ok<{ overall: typeof OVERALL }>(await restAs(t, agent).get('/v1/service/metrics', W));
      expect(m.overall).toMatchObject({
        createdCount: 2,
        resolvedCount: 1,
        avgResolutionMinutes: 120,
        firstResponseMeasured: 2,
        firstResponseMet: 1,
        firstResponseAttainment: 50,
        resolutionAttainment: 100,
        csatAverage: 5,
        backlog: backlog([0, 1, 0, 0], [0, 0, 0, 1]),
      });
    } finally {
      ok(await restAs(t, admin).put('/v1/sharing-settings/cases', { defaultAccess: 'readWrite' }));
    }
  });

  it('counts nothing of another tenant', async () => {
    const other = await newTenant(t);
    const m = ok<{ overall: typeof OVERALL; groups: unknown[] }>(
      await restAs(t, other).get('/v1/service/metrics', W),
    );
    expect(m.overall).toMatchObject({ createdCount: 0, resolvedCount: 0, backlog: { total: 0 } });
    expect(m.groups).toEqual([]);
  });

  it('refuses a caller whose field policy hides a field the figures are made of (403 naming it)', async () => {
    const role = await roleId(t, admin.tenantId, 'supportAgent');
    const api = restAs(t, admin);
    ok(
      await api.put(`/v1/field-policies/${role}/cases`, {
        mode: 'denyList',
        rules: { csatScore: 'hidden', channel: 'hidden' },
      }),
    );
    try {
      const res = await restAs(t, agent).get('/v1/service/metrics', W);
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ code: 'FORBIDDEN_FIELD', errors: [{ field: 'csatScore' }] });
      const gql = await gqlAs(
        t,
        agent,
      )(`query { serviceMetrics(groupBy: channel) { overall { createdCount } } }`);
      expect(gql.errors?.[0].extensions?.code).toBe('FORBIDDEN_FIELD');
    } finally {
      ok(await api.del(`/v1/field-policies/${role}/cases`), 204);
    }
  });

  it('answers 400 naming a bad parameter, and 403 without cases:read', async () => {
    for (const [query, field] of [
      [{ groupBy: 'team' }, 'groupBy'],
      [{ from: 'yesterday' }, 'from'],
      [{ from: '2026-11-01', to: '2026-10-01' }, 'to'],
    ] as const) {
      const res = await restAs(t, admin).get('/v1/service/metrics', query);
      expect([query, res.status]).toEqual([query, 400]);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect((await restAs(t, marketer).get('/v1/service/metrics', W)).status).toBe(403);
    const gql = await gqlAs(t, marketer)(`query { serviceMetrics { overall { createdCount } } }`);
    expect(gql.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});
