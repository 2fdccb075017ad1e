import { createTestApp, TestApp } from '../harness/app.js';
import { newTeam, newTenant, newUser, roleId, UserFixture } from '../harness/factories.js';
import { superSql } from '../harness/sql.js';
import { gqlAs, newOpportunity, newPipeline, NO_SUCH_ID, ok, PipelineFixture, restAs } from './helpers.js';

/**
 * The sales reports (docs/sales.md#reports) on small fixed datasets whose every figure is worked
 * out by hand in the comments. Opportunities and leads are private; reps A and B (salesRep) sit
 * below the manager (salesManager), who sees everything through the role hierarchy.
 */

const FIGURES = `currency openCount openAmount weightedAmount commitAmount bestCaseAmount closedWonCount closedWonAmount`;
const FORECAST_GQL = `query($period: String!, $groupBy: ForecastGroupBy, $currency: String) {
  forecast(period: $period, groupBy: $groupBy, currency: $currency) {
    period from to groupBy groups { id name ${FIGURES} } totals { ${FIGURES} } } }`;

const row = (
  currency: string,
  open: [number, string],
  weighted: string,
  commit: string,
  bestCase: string,
  won: [number, string],
) => ({
  currency,
  openCount: open[0],
  openAmount: open[1],
  weightedAmount: weighted,
  commitAmount: commit,
  bestCaseAmount: bestCase,
  closedWonCount: won[0],
  closedWonAmount: won[1],
});

interface Team {
  admin: UserFixture;
  manager: UserFixture;
  repA: UserFixture;
  repB: UserFixture;
}

describe('sales reports', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  /** A tenant with private leads and opportunities, a manager and two reps. */
  async function salesTeam(): Promise<Team> {
    const admin = await newTenant(t);
    const users = {
      admin,
      manager: await newUser(t, admin.tenantId, { role: 'salesManager', displayName: 'Meg Manager' }),
      repA: await newUser(t, admin.tenantId, { role: 'salesRep', displayName: 'Ann Rep' }),
      repB: await newUser(t, admin.tenantId, { role: 'salesRep', displayName: 'Bob Rep' }),
    };
    for (const object of ['leads', 'opportunities'])
      ok(await restAs(t, admin).put(`/v1/sharing-settings/${object}`, { defaultAccess: 'private' }));
    return users;
  }

  describe('forecast', () => {
    let u: Team;
    let p: PipelineFixture;
    let q2: PipelineFixture;
    let north: string;
    let south: string;

    beforeAll(async () => {
      u = await salesTeam();
      p = await newPipeline(t, u.admin, 'New business');
      q2 = await newPipeline(t, u.admin, 'Renewals');
      const opp = (who: UserFixture, pipeline: PipelineFixture, body: Record<string, unknown>) =>
        newOpportunity(t, who, pipeline, body);
      // Period 2026-Q4 = [2026-10-01, 2027-01-01).
      await opp(u.repA, p, { amount: '1000.00', currency: 'EUR', closeDate: '2026-11-15' }); // open, p 10 → 100
      await opp(u.repA, p, {
        stageId: p.stage.negotiation,
        amount: '2000.00',
        currency: 'EUR',
        closeDate: '2026-12-01',
        probability: 80,
        forecastCategory: 'commit',
      }); // open, commit, weighted 1600
      await opp(u.repA, p, {
        stageId: p.stage.proposal,
        amount: '500.00',
        currency: 'USD',
        closeDate: '2026-10-10',
        forecastCategory: 'bestCase',
      }); // open USD, best case, p 50 → 250
      await opp(u.repA, p, {
        stageId: p.stage.won,
        amount: '3000.00',
        currency: 'EUR',
        closeDate: '2026-09-20',
        closedAt: '2026-10-05T09:00:00Z',
      }); // won in the period by closedAt (closeDate before it)
      await opp(u.repA, p, {
        stageId: p.stage.proposal,
        amount: '700.00',
        currency: 'EUR',
        closeDate: '2027-01-01',
      }); // after
      await opp(u.repA, p, {
        stageId: p.stage.negotiation,
        amount: '400.00',
        currency: 'EUR',
        closeDate: '2026-11-01',
        forecastCategory: 'omitted',
      }); // omitted
      await opp(u.repA, p, {
        stageId: p.stage.lost,
        amount: '900.00',
        currency: 'EUR',
        closeDate: '2026-11-20',
        closedAt: '2026-11-20T00:00:00Z',
        lossReason: 'price',
      }); // lost
      await opp(u.repA, p, { closeDate: '2026-11-02' }); // no amount
      await opp(u.repA, q2, { amount: '100.00', currency: 'EUR', closeDate: '2026-10-31T23:59:59Z' }); // open, 10.00
      await opp(u.repB, p, {
        stageId: p.stage.proposal,
        amount: '300.00',
        currency: 'EUR',
        closeDate: '2026-12-31',
        forecastCategory: 'bestCase',
      }); // open, best case, 150
      await opp(u.repB, p, {
        stageId: p.stage.won,
        amount: '1200.00',
        currency: 'USD',
        closeDate: '2026-12-15',
        closedAt: '2026-12-15T12:00:00Z',
      }); // won USD
      await opp(u.repB, p, {
        stageId: p.stage.won,
        amount: '800.00',
        currency: 'EUR',
        closeDate: '2026-12-20',
        closedAt: '2027-01-02T00:00:00Z',
      }); // won after the period
      await opp(u.manager, p, { amount: '5000.00', currency: 'EUR', closeDate: '2026-10-15' }); // open, 500
      const deleted = await opp(u.manager, p, {
        amount: '10000.00',
        currency: 'EUR',
        closeDate: '2026-10-20',
      });
      ok(await restAs(t, u.manager).del(`/v1/opportunities/${deleted.id}`), 204);
      north = await newTeam(t, u.admin.tenantId, 'North');
      south = await newTeam(t, u.admin.tenantId, 'South');
      for (const [team, members] of [
        [north, [u.repA]],
        [south, [u.repA, u.repB]],
      ] as const)
        for (const m of members) ok(await restAs(t, u.admin).post(`/v1/teams/${team}/members/${m.userId}`));
    });

    const annEur = row('EUR', [3, '3100.00'], '1710.00', '2000.00', '0.00', [1, '3000.00']);
    const annUsd = row('USD', [1, '500.00'], '250.00', '0.00', '500.00', [0, '0.00']);
    const bobEur = row('EUR', [1, '300.00'], '150.00', '0.00', '300.00', [0, '0.00']);
    const bobUsd = row('USD', [0, '0.00'], '0.00', '0.00', '0.00', [1, '1200.00']);
    const megEur = row('EUR', [1, '5000.00'], '500.00', '0.00', '0.00', [0, '0.00']);
    const totalEur = row('EUR', [5, '8400.00'], '2360.00', '2000.00', '300.00', [1, '3000.00']);
    const totalUsd = row('USD', [1, '500.00'], '250.00', '0.00', '500.00', [1, '1200.00']);

    it('sums a rep’s own opportunities only, per currency (REST and GraphQL agree)', async () => {
      const res = ok(await restAs(t, u.repA).get('/v1/forecasts', { period: '2026-Q4', groupBy: 'owner' }));
      expect(res).toEqual({
        period: '2026-Q4',
        from: '2026-10-01T00:00:00.000Z',
        to: '2027-01-01T00:00:00.000Z',
        groupBy: 'owner',
        groups: [
          { id: u.repA.userId, name: 'Ann Rep', ...annEur },
          { id: u.repA.userId, name: 'Ann Rep', ...annUsd },
        ],
        totals: [annEur, annUsd],
      });
      const gql = await gqlAs(t, u.repA)<{ forecast: unknown }>(FORECAST_GQL, { period: '2026-Q4' });
      expect(gql.errors).toBeUndefined();
      expect(gql.data!.forecast).toEqual(res);
    });

    it('gives the manager the subordinates’ opportunities too (role hierarchy)', async () => {
      const res = ok(await restAs(t, u.manager).get('/v1/forecasts', { period: '2026-Q4' }));
      expect(res).toMatchObject({
        groupBy: 'owner',
        groups: [
          { id: u.repA.userId, name: 'Ann Rep', ...annEur },
          { id: u.repA.userId, name: 'Ann Rep', ...annUsd },
          { id: u.repB.userId, name: 'Bob Rep', ...bobEur },
          { id: u.repB.userId, name: 'Bob Rep', ...bobUsd },
          { id: u.manager.userId, name: 'Meg Manager', ...megEur },
        ],
        totals: [totalEur, totalUsd],
      });
    });

    it('groups by team (an opportunity in each team of its owner, owners in none as null) and by pipeline', async () => {
      const api = restAs(t, u.manager);
      const teams = ok(await api.get('/v1/forecasts', { period: '2026-Q4', groupBy: 'team' }));
      expect(teams).toMatchObject({
        groups: [
          { id: north, name: 'North', ...annEur },
          { id: north, name: 'North', ...annUsd },
          {
            id: south,
            name: 'South',
            ...row('EUR', [4, '3400.00'], '1860.00', '2000.00', '300.00', [1, '3000.00']),
          },
          {
            id: south,
            name: 'South',
            ...row('USD', [1, '500.00'], '250.00', '0.00', '500.00', [1, '1200.00']),
          },
          { id: null, name: null, ...megEur },
        ],
        totals: [totalEur, totalUsd],
      });
      const pipelines = ok(await api.get('/v1/forecasts', { period: '2026-Q4', groupBy: 'pipeline' }));
      expect(pipelines).toMatchObject({
        groups: [
          {
            id: p.id,
            name: 'New business',
            ...row('EUR', [4, '8300.00'], '2350.00', '2000.00', '300.00', [1, '3000.00']),
          },
          { id: p.id, name: 'New business', ...totalUsd },
          { id: q2.id, name: 'Renewals', ...row('EUR', [1, '100.00'], '10.00', '0.00', '0.00', [0, '0.00']) },
        ],
        totals: [totalEur, totalUsd],
      });
    });

    it('takes months, years and one currency', async () => {
      const api = restAs(t, u.manager);
      const november = ok(await api.get('/v1/forecasts', { period: '2026-11' }));
      expect(november).toMatchObject({
        from: '2026-11-01T00:00:00.000Z',
        to: '2026-12-01T00:00:00.000Z',
        totals: [row('EUR', [1, '1000.00'], '100.00', '0.00', '0.00', [0, '0.00'])],
      });
      const year = ok<{ totals: unknown }>(await api.get('/v1/forecasts', { period: '2026' }));
      expect(year.totals).toEqual([totalEur, totalUsd]);
      const usd = ok(await api.get('/v1/forecasts', { period: '2026-Q4', currency: 'USD' }));
      expect(usd).toMatchObject({
        groups: [
          { name: 'Ann Rep', ...annUsd },
          { name: 'Bob Rep', ...bobUsd },
        ],
        totals: [totalUsd],
      });
    });

    it('refuses bad parameters with a 400 naming each (REST and GraphQL)', async () => {
      const api = restAs(t, u.repA);
      for (const [query, field] of [
        [{}, 'period'],
        [{ period: '2026-Q5' }, 'period'],
        [{ period: '26-Q1' }, 'period'],
        [{ period: '2026-13' }, 'period'],
        [{ period: '2026-Q4', groupBy: 'region' }, 'groupBy'],
        [{ period: '2026-Q4', currency: 'eur' }, 'currency'],
        [{ period: '2026-Q4', owner: 'me' }, 'owner'],
      ] as const) {
        const res = await api.get('/v1/forecasts', query);
        expect([query, res.status]).toEqual([query, 400]);
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      const gql = await gqlAs(t, u.repA)(FORECAST_GQL, { period: '2026-Q5' });
      expect(gql.errors?.[0].extensions?.code).toBe('VALIDATION_FAILED');
      expect(gql.errors?.[0].extensions?.errors?.[0].field).toBe('period');
    });

    it('refuses a caller whose field policy hides amount (403 naming it)', async () => {
      const rep = await roleId(t, u.admin.tenantId, 'salesRep');
      const admin = restAs(t, u.admin);
      ok(
        await admin.put(`/v1/field-policies/${rep}/opportunities`, {
          mode: 'denyList',
          rules: { amount: 'hidden' },
        }),
      );
      try {
        const res = await restAs(t, u.repA).get('/v1/forecasts', { period: '2026-Q4' });
        expect(res.status).toBe(403);
        expect(res.body).toMatchObject({ code: 'FORBIDDEN_FIELD', errors: [{ field: 'amount' }] });
        const gql = await gqlAs(t, u.repA)(FORECAST_GQL, { period: '2026-Q4' });
        expect(gql.errors?.[0].extensions?.code).toBe('FORBIDDEN_FIELD');
      } finally {
        ok(await admin.del(`/v1/field-policies/${rep}/opportunities`), 204);
      }
    });
  });

  describe('pipeline summary', () => {
    let u: Team;
    let s: PipelineFixture;
    const o: Record<string, string> = {};
    const window = { from: '2026-01-01', to: '2026-04-01' };

    /**
     * Replaces an opportunity's stage history (made by the API at the current time) by the given
     * entries — [stage, entered at] in order, each stay's length following from the next entry —
     * and sets its createdAt and closedAt.
     */
    async function history(id: string, entries: [string, string][], closedAt: string | null): Promise<void> {
      await superSql(t.databaseUrl, 'DELETE FROM opportunity_stage_history WHERE opportunity_id = $1', [id]);
      for (let i = 0; i < entries.length; i++) {
        const [stage, at] = entries[i]!;
        const previous = entries[i - 1];
        await superSql(
          t.databaseUrl,
          `INSERT INTO opportunity_stage_history
             (tenant_id, id, opportunity_id, from_stage_id, to_stage_id, changed_at, seconds_in_from_stage)
           SELECT tenant_id, gen_random_uuid(), id, $2::uuid, $3::uuid, $4::timestamptz,
                  extract(epoch FROM $4::timestamptz - $5::timestamptz)
             FROM opportunities WHERE id = $1`,
          [id, previous?.[0] ?? null, stage, at, previous?.[1] ?? null],
        );
      }
      await superSql(
        t.databaseUrl,
        'UPDATE opportunities SET created_at = $2, closed_at = $3 WHERE id = $1',
        [id, entries[0]![1], closedAt],
      );
    }

    beforeAll(async () => {
      u = await salesTeam();
      s = await newPipeline(t, u.admin, 'Summary');
      const make = async (key: string, who: UserFixture, body: Record<string, unknown>) =>
        (o[key] = (await newOpportunity(t, who, s, body)).id);
      const { prospect, proposal, negotiation, won, lost } = s.stage;
      await make('o1', u.repA, { stageId: won, amount: '1000.00', currency: 'EUR' });
      await history(
        o.o1,
        [
          [prospect, '2026-01-01T00:00:00Z'],
          [proposal, '2026-01-11T00:00:00Z'],
          [won, '2026-01-31T00:00:00Z'],
        ],
        '2026-01-31T00:00:00Z',
      );
      await make('o2', u.repA, { stageId: lost, amount: '500.00', currency: 'EUR', lossReason: 'timing' });
      await history(
        o.o2,
        [
          [prospect, '2026-01-05T00:00:00Z'],
          [proposal, '2026-01-09T00:00:00Z'],
          [lost, '2026-02-08T00:00:00Z'],
        ],
        '2026-02-08T00:00:00Z',
      );
      await make('o3', u.repA, { stageId: negotiation, amount: '200.00', currency: 'USD' });
      await history(
        o.o3,
        [
          [prospect, '2026-02-01T00:00:00Z'],
          [negotiation, '2026-02-07T00:00:00Z'],
        ],
        null,
      );
      await make('o4', u.repB, { amount: '300.00', currency: 'EUR' });
      await history(o.o4, [[prospect, '2026-03-01T00:00:00Z']], null);
      await make('o5', u.repA, { stageId: won, amount: '700.00', currency: 'EUR' });
      await history(
        o.o5,
        [
          [prospect, '2025-12-01T00:00:00Z'],
          [proposal, '2026-01-20T00:00:00Z'],
          [won, '2026-04-05T00:00:00Z'],
        ],
        '2026-04-05T00:00:00Z',
      );
    });

    const stage = (name: string, position: number, category: string, figures: Record<string, unknown>) => ({
      name,
      position,
      category,
      ...figures,
    });

    it('counts, converts and times each stage from the stage history (manager: every opportunity)', async () => {
      const res = ok(await restAs(t, u.manager).get(`/v1/pipelines/${s.id}/summary`, window));
      expect(res).toEqual({
        pipelineId: s.id,
        name: 'Summary',
        from: '2026-01-01T00:00:00.000Z',
        to: '2026-04-01T00:00:00.000Z',
        stages: [
          // now in Prospect: o4; entered in the window: o1 o2 o3 o4, of which o1 o2 o3 moved on;
          // stays ended in the window: 10, 4, 6 and 50 days
          stage('Prospect', 1, 'open', {
            stageId: s.stage.prospect,
            count: 1,
            amounts: [{ currency: 'EUR', amount: '300.00' }],
            enteredCount: 4,
            advancedCount: 3,
            conversionRate: 0.75,
            exitedCount: 4,
            averageDaysInStage: 17.5,
          }),
          // entered: o1 o2 o5; o1 and o5 (after the window) won, o2 lost; stays ended: 20 and 30 days
          stage('Proposal', 2, 'open', {
            stageId: s.stage.proposal,
            count: 0,
            amounts: [],
            enteredCount: 3,
            advancedCount: 2,
            conversionRate: 0.6667,
            exitedCount: 2,
            averageDaysInStage: 25,
          }),
          stage('Negotiation', 3, 'open', {
            stageId: s.stage.negotiation,
            count: 1,
            amounts: [{ currency: 'USD', amount: '200.00' }],
            enteredCount: 1,
            advancedCount: 0,
            conversionRate: 0,
            exitedCount: 0,
            averageDaysInStage: null,
          }),
          // closed in the window: o1 won, o2 lost (o5 was won after it)
          stage('Won', 4, 'won', {
            stageId: s.stage.won,
            count: 1,
            amounts: [{ currency: 'EUR', amount: '1000.00' }],
            enteredCount: 1,
            advancedCount: 0,
            conversionRate: null,
            exitedCount: 0,
            averageDaysInStage: null,
          }),
          stage('Lost', 5, 'lost', {
            stageId: s.stage.lost,
            count: 1,
            amounts: [{ currency: 'EUR', amount: '500.00' }],
            enteredCount: 1,
            advancedCount: 0,
            conversionRate: null,
            exitedCount: 0,
            averageDaysInStage: null,
          }),
        ],
        wonCount: 1,
        lostCount: 1,
        winRate: 0.5,
        averageSalesCycleDays: 30,
      });
      const gql = await gqlAs(t, u.manager)<{ pipeline: { summary: unknown } }>(
        `query($id: ID!, $from: String, $to: String) { pipeline(id: $id) { summary(from: $from, to: $to) {
           pipelineId name from to wonCount lostCount winRate averageSalesCycleDays
           stages { stageId name position category count amounts { currency amount } enteredCount advancedCount
                    conversionRate exitedCount averageDaysInStage } } } }`,
        { id: s.id, ...window },
      );
      expect(gql.errors).toBeUndefined();
      expect(gql.data!.pipeline.summary).toEqual(res);
    });

    it('covers only what a rep may see', async () => {
      const res = ok<{ stages: Record<string, unknown>[] }>(
        await restAs(t, u.repB).get(`/v1/pipelines/${s.id}/summary`, window),
      );
      expect(res).toMatchObject({ wonCount: 0, lostCount: 0, winRate: null, averageSalesCycleDays: null });
      expect(res.stages[0]).toMatchObject({
        count: 1,
        enteredCount: 1,
        advancedCount: 0,
        conversionRate: 0,
        exitedCount: 0,
        averageDaysInStage: null,
      });
      expect(res.stages.slice(1).every((st) => st.count === 0 && st.enteredCount === 0)).toBe(true);
    });

    it('refuses a bad window (400 naming the parameter) and answers 404 for an unknown pipeline', async () => {
      const api = restAs(t, u.repA);
      for (const [query, field] of [
        [{ from: 'yesterday' }, 'from'],
        [{ to: '2026-02-30T25:00:00Z' }, 'to'],
        [{ from: '2026-04-01', to: '2026-01-01' }, 'to'],
        [{ from: '2026-01-01', to: '2026-01-01' }, 'to'],
        [{ window: '90d' }, 'window'],
      ] as const) {
        const res = await api.get(`/v1/pipelines/${s.id}/summary`, query);
        expect([query, res.status]).toEqual([query, 400]);
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      expect((await api.get(`/v1/pipelines/${NO_SUCH_ID}/summary`)).status).toBe(404);
      expect((await api.get('/v1/pipelines/not-a-uuid/summary')).status).toBe(404);
      const gql = await gqlAs(t, u.repA)(
        `query($id: ID!) { pipeline(id: $id) { summary(from: "2026-04-01", to: "2026-01-01") { wonCount } } }`,
        { id: s.id },
      );
      expect(gql.errors?.[0].extensions?.code).toBe('VALIDATION_FAILED');
      expect(gql.errors?.[0].extensions?.errors?.[0].field).toBe('to');
    });
  });

  describe('lead conversion rate', () => {
    let u: Team;
    const window = { from: '2026-01-01', to: '2026-04-01' };

    beforeAll(async () => {
      u = await salesTeam();
      const conversions = await newPipeline(t, u.admin, 'Conversions');
      const lead = async (
        who: UserFixture,
        source: string | null,
        createdAt: string,
        converted?: { at: string; opportunity: boolean },
      ) => {
        const api = restAs(t, who);
        const { id } = ok<{ id: string }>(await api.post('/v1/leads', { lastName: 'Lead', source }), 201);
        if (converted)
          ok(
            await api.post(
              `/v1/leads/${id}/convert`,
              converted.opportunity ? { opportunity: { pipelineId: conversions.id, currency: 'EUR' } } : {},
            ),
          );
        await superSql(t.databaseUrl, 'UPDATE leads SET created_at = $2, converted_at = $3 WHERE id = $1', [
          id,
          createdAt,
          converted?.at ?? null,
        ]);
      };
      await lead(u.repA, 'Web', '2026-01-10T00:00:00Z', { at: '2026-01-20T00:00:00Z', opportunity: true });
      await lead(u.repA, 'Web', '2026-02-01T00:00:00Z', { at: '2026-02-21T00:00:00Z', opportunity: false });
      await lead(u.repA, 'Event', '2026-03-01T00:00:00Z');
      await lead(u.repA, 'Web', '2025-12-15T00:00:00Z', { at: '2026-01-15T00:00:00Z', opportunity: true });
      await lead(u.repB, 'Event', '2026-03-15T00:00:00Z', { at: '2026-03-18T00:00:00Z', opportunity: true });
      await lead(u.repB, null, '2026-01-05T00:00:00Z');
    });

    const figures = (
      created: number,
      converted: number,
      withOpportunity: number,
      conversionRate: number | null,
      opportunityRate: number | null,
      averageDaysToConvert: number | null,
    ) => ({ created, converted, withOpportunity, conversionRate, opportunityRate, averageDaysToConvert });

    it('reports the window’s leads overall, by source and by owner (manager: every lead)', async () => {
      const res = ok(await restAs(t, u.manager).get('/v1/leads/conversion-rate', window));
      expect(res).toEqual({
        from: '2026-01-01T00:00:00.000Z',
        to: '2026-04-01T00:00:00.000Z',
        // created in the window: 5; converted 3 (after 10, 20 and 3 days), 2 of them with an opportunity
        overall: figures(5, 3, 2, 0.6, 0.4, 11),
        bySource: [
          { source: 'Event', ...figures(2, 1, 1, 0.5, 0.5, 3) },
          { source: 'Web', ...figures(2, 2, 1, 1, 0.5, 15) },
          { source: null, ...figures(1, 0, 0, 0, 0, null) },
        ],
        byOwner: [
          { ownerId: u.repA.userId, ownerName: 'Ann Rep', ...figures(3, 2, 1, 0.6667, 0.3333, 15) },
          { ownerId: u.repB.userId, ownerName: 'Bob Rep', ...figures(2, 1, 1, 0.5, 0.5, 3) },
        ],
      });
      const gql = await gqlAs(t, u.manager)<{ leadConversion: unknown }>(
        `query($from: String, $to: String) { leadConversion(from: $from, to: $to) { from to
           overall { created converted withOpportunity conversionRate opportunityRate averageDaysToConvert }
           bySource { source created converted withOpportunity conversionRate opportunityRate averageDaysToConvert }
           byOwner { ownerId ownerName created converted withOpportunity conversionRate opportunityRate averageDaysToConvert } } }`,
        window,
      );
      expect(gql.errors).toBeUndefined();
      expect(gql.data!.leadConversion).toEqual(res);
    });

    it('covers only a rep’s own leads', async () => {
      const res = ok(await restAs(t, u.repA).get('/v1/leads/conversion-rate', window));
      expect(res).toMatchObject({
        overall: figures(3, 2, 1, 0.6667, 0.3333, 15),
        bySource: [
          { source: 'Web', ...figures(2, 2, 1, 1, 0.5, 15) },
          { source: 'Event', ...figures(1, 0, 0, 0, 0, null) },
        ],
        byOwner: [{ ownerId: u.repA.userId, ...figures(3, 2, 1, 0.6667, 0.3333, 15) }],
      });
    });

    it('answers zeros for a window without leads, and 400 naming a bad parameter', async () => {
      const api = restAs(t, u.manager);
      const empty = ok(await api.get('/v1/leads/conversion-rate', { from: '2020-01-01', to: '2020-02-01' }));
      expect(empty).toMatchObject({ overall: figures(0, 0, 0, null, null, null), bySource: [], byOwner: [] });
      for (const [query, field] of [
        [{ from: '2026-01-01T00:00:00+25:00' }, 'from'],
        [{ to: '1800-01-01' }, 'to'],
        [{ from: '2026-03-01', to: '2026-02-01' }, 'to'],
      ] as const) {
        const res = await api.get('/v1/leads/conversion-rate', query);
        expect([query, res.status]).toEqual([query, 400]);
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      const gql = await gqlAs(t, u.manager)(`{ leadConversion(from: "soon") { from } }`);
      expect(gql.errors?.[0].extensions?.code).toBe('VALIDATION_FAILED');
      expect(gql.errors?.[0].extensions?.errors?.[0].field).toBe('from');
    });

    it('refuses a caller whose field policy hides source (403 naming it)', async () => {
      const rep = await roleId(t, u.admin.tenantId, 'salesRep');
      const admin = restAs(t, u.admin);
      ok(
        await admin.put(`/v1/field-policies/${rep}/leads`, { mode: 'denyList', rules: { source: 'hidden' } }),
      );
      try {
        const res = await restAs(t, u.repA).get('/v1/leads/conversion-rate', window);
        expect(res.status).toBe(403);
        expect(res.body).toMatchObject({ code: 'FORBIDDEN_FIELD', errors: [{ field: 'source' }] });
      } finally {
        ok(await admin.del(`/v1/field-policies/${rep}/leads`), 204);
      }
    });
  });

  describe('tenancy and permissions', () => {
    let u: Team;
    let pipeline: PipelineFixture;

    beforeAll(async () => {
      u = await salesTeam();
      pipeline = await newPipeline(t, u.admin);
      await newOpportunity(t, u.repA, pipeline, {
        amount: '10.00',
        currency: 'EUR',
        closeDate: '2026-11-01',
      });
      ok(await restAs(t, u.repA).post('/v1/leads', { lastName: 'Mine', source: 'Web' }), 201);
    });

    it('never reaches another tenant’s records: 404 for its pipeline, nothing of it in the sums', async () => {
      const other = await newTenant(t);
      const api = restAs(t, other);
      expect((await api.get(`/v1/pipelines/${pipeline.id}/summary`)).status).toBe(404);
      const gql = await gqlAs(t, other)(`query($id: ID!) { pipeline(id: $id) { summary { wonCount } } }`, {
        id: pipeline.id,
      });
      expect(gql.errors?.[0].extensions?.code).toBe('NOT_FOUND');
      expect(ok(await api.get('/v1/forecasts', { period: '2026' }))).toMatchObject({
        groups: [],
        totals: [],
      });
      const leads = ok<{ overall: { created: number } }>(await api.get('/v1/leads/conversion-rate'));
      expect(leads.overall.created).toBe(0);
      // the tenant's own administrator sees them
      const own = ok<{ totals: unknown[] }>(
        await restAs(t, u.admin).get('/v1/forecasts', { period: '2026' }),
      );
      expect(own.totals).toHaveLength(1);
      expect(
        ok<{ overall: { created: number } }>(await restAs(t, u.admin).get('/v1/leads/conversion-rate'))
          .overall.created,
      ).toBe(1);
    });

    it('needs read permission on what is reported (403 on REST and GraphQL)', async () => {
      const support = await newUser(t, u.admin.tenantId, { role: 'supportAgent' });
      const marketing = await newUser(t, u.admin.tenantId, { role: 'marketing' });
      const api = restAs(t, support);
      for (const path of [
        '/v1/forecasts?period=2026',
        `/v1/pipelines/${pipeline.id}/summary`,
        '/v1/leads/conversion-rate',
      ]) {
        const res = await api.get(path);
        expect([path, res.status, res.body.reason]).toEqual([path, 403, 'missing_permission']);
      }
      const q = gqlAs(t, support);
      for (const query of [`{ forecast(period: "2026") { period } }`, `{ leadConversion { from } }`]) {
        const res = await q(query);
        expect([query, res.errors?.[0].extensions?.code]).toEqual([query, 'FORBIDDEN']);
      }
      // marketing reads leads and pipelines' lead queues but no opportunities
      expect((await restAs(t, marketing).get('/v1/leads/conversion-rate')).status).toBe(200);
      expect((await restAs(t, marketing).get('/v1/forecasts', { period: '2026' })).status).toBe(403);
      // a rep may read opportunities but the pipeline grouping also needs pipelines:read, which a token can narrow away
      const narrowed = await newUser(t, u.admin.tenantId, { role: 'salesRep', scope: 'opportunities:read' });
      const res = await restAs(t, narrowed).get('/v1/forecasts', { period: '2026', groupBy: 'pipeline' });
      expect([res.status, res.body.reason]).toEqual([403, 'insufficient_scope']);
      expect((await restAs(t, narrowed).get('/v1/forecasts', { period: '2026' })).status).toBe(200);
    });
  });
});
