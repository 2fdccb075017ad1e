import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, UserFixture } from '../harness/factories.js';
import { superSql } from '../harness/sql.js';
import { gqlAs, newOpportunity, newPipeline, ok, PipelineFixture, Rest, restAs } from './helpers.js';

interface Opp {
  id: string;
  stageId: string;
  probability: number;
  forecastCategory: string;
  closedAt: string | null;
  lossReason: string | null;
  version: number;
}

describe('opportunities: stage rules and stage history', () => {
  let t: TestApp;
  let admin: UserFixture;
  let api: Rest;
  let q: ReturnType<typeof gqlAs>;
  let p: PipelineFixture;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await newTenant(t);
    api = restAs(t, admin);
    q = gqlAs(t, admin);
    p = await newPipeline(t, admin);
  });
  afterAll(() => t.close());

  const move = async (id: string, body: Record<string, unknown>) =>
    ok<Opp>(await api.patch(`/v1/opportunities/${id}`, body));

  it('starts in the pipeline’s first stage with its probability and forecast category by default', async () => {
    const res = await api.post('/v1/opportunities', {
      name: 'Acme seats',
      pipelineId: p.id,
      amount: '48000.00',
      currency: 'EUR',
      closeDate: '2025-03-31',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      stageId: p.stage.prospect,
      probability: 10,
      forecastCategory: 'pipeline',
      closedAt: null,
      amount: '48000.00',
      closeDate: '2025-03-31T00:00:00.000Z',
      ownerId: admin.userId,
    });
  });

  it('takes an explicit probability and forecast category over the stage defaults', async () => {
    const o = await newOpportunity(t, admin, p, {
      stageId: p.stage.proposal,
      probability: 65,
      forecastCategory: 'commit',
    });
    expect(o).toMatchObject({ probability: 65, forecastCategory: 'commit' });
  });

  it('refuses a stage of another pipeline, naming stageId; and an unknown pipeline, naming pipelineId', async () => {
    const other = await newPipeline(t, admin, 'Other');
    const res = await api.post('/v1/opportunities', {
      name: 'X',
      pipelineId: p.id,
      stageId: other.stage.proposal,
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'stageId', code: 'not_in_pipeline' })]);
    const noPipeline = await api.post('/v1/opportunities', {
      name: 'X',
      pipelineId: '01900000-0000-7000-8000-000000000000',
    });
    expect(noPipeline.status).toBe(400);
    expect(noPipeline.body.errors[0].field).toBe('pipelineId');
    const o = await newOpportunity(t, admin, p);
    const patch = await api.patch(`/v1/opportunities/${o.id}`, { stageId: other.stage.won });
    expect(patch.status).toBe(400);
    expect(patch.body.errors[0].field).toBe('stageId');
    const switchPipeline = await api.patch(`/v1/opportunities/${o.id}`, { pipelineId: other.id });
    expect(switchPipeline.status).toBe(400);
    expect(switchPipeline.body.errors[0].field).toBe('stageId');
    const both = await move(o.id, { pipelineId: other.id, stageId: other.stage.negotiation });
    expect(both).toMatchObject({ stageId: other.stage.negotiation, probability: 75 });
  });

  it('resets probability to the new stage’s default on a stage change unless the change gives one', async () => {
    const o = await newOpportunity(t, admin, p, { probability: 30 });
    expect((await move(o.id, { nextStep: 'call' })).probability).toBe(30);
    expect((await move(o.id, { stageId: p.stage.proposal })).probability).toBe(50);
    expect((await move(o.id, { stageId: p.stage.negotiation, probability: 80 })).probability).toBe(80);
    expect((await move(o.id, { probability: 85 })).probability).toBe(85);
  });

  it('won sets closedAt and forecast closed; back to open clears them', async () => {
    const o = await newOpportunity(t, admin, p, { forecastCategory: 'commit' });
    const won = await move(o.id, { stageId: p.stage.won });
    expect(won).toMatchObject({ probability: 100, forecastCategory: 'closed' });
    expect(Date.now() - Date.parse(won.closedAt!)).toBeLessThan(60_000);
    const reopened = await move(o.id, { stageId: p.stage.negotiation });
    expect(reopened).toMatchObject({ closedAt: null, forecastCategory: 'pipeline', probability: 75 });
    const explicit = await move(o.id, { stageId: p.stage.won, closedAt: '2024-12-24T10:00:00Z' });
    expect(explicit.closedAt).toBe('2024-12-24T10:00:00.000Z');
  });

  it('lost needs a lossReason (400 naming it), sets closedAt and forecast omitted', async () => {
    const o = await newOpportunity(t, admin, p);
    const refused = await api.patch(`/v1/opportunities/${o.id}`, { stageId: p.stage.lost });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'lossReason', code: 'required' })]);
    expect(ok<Opp>(await api.get(`/v1/opportunities/${o.id}`))).toMatchObject({
      stageId: p.stage.prospect,
      version: 1,
    });
    const lost = await move(o.id, { stageId: p.stage.lost, lossReason: 'Price' });
    expect(lost).toMatchObject({ forecastCategory: 'omitted', probability: 0, lossReason: 'Price' });
    expect(lost.closedAt).not.toBeNull();
    const clear = await api.patch(`/v1/opportunities/${o.id}`, { lossReason: null });
    expect(clear.status).toBe(400);
    expect(clear.body.errors[0].field).toBe('lossReason');
    const direct = await api.post('/v1/opportunities', {
      name: 'Y',
      pipelineId: p.id,
      stageId: p.stage.lost,
    });
    expect(direct.status).toBe(400);
    expect(direct.body.errors[0].field).toBe('lossReason');
    // Reopening clears the reason (the deal is not lost any more).
    expect(await move(o.id, { stageId: p.stage.proposal })).toMatchObject({
      lossReason: null,
      closedAt: null,
    });
  });

  it('keeps forecast category and closedAt consistent with the stage category (400 naming the field)', async () => {
    const o = await newOpportunity(t, admin, p);
    for (const [body, field] of [
      [{ forecastCategory: 'closed' }, 'forecastCategory'],
      [{ closedAt: '2025-01-01T00:00:00Z' }, 'closedAt'],
      [{ stageId: p.stage.won, forecastCategory: 'commit' }, 'forecastCategory'],
      [{ stageId: p.stage.won, closedAt: null }, 'closedAt'],
    ] as const) {
      const res = await api.patch(`/v1/opportunities/${o.id}`, body);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].field).toBe(field);
    }
  });

  it('validates input naming the field, never a 500', async () => {
    const res = await api.post('/v1/opportunities', {
      name: '',
      pipelineId: 'x',
      probability: 101,
      forecastCategory: 'maybe',
      amount: '12.345',
      currency: 'eur',
      closeDate: 'soon',
    });
    expect(res.status).toBe(400);
    const fields = (res.body.errors as { field: string }[]).map((e) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'name',
        'pipelineId',
        'probability',
        'forecastCategory',
        'amount',
        'currency',
        'closeDate',
      ]),
    );
    const noCurrency = await api.post('/v1/opportunities', { name: 'X', pipelineId: p.id, amount: '10.00' });
    expect(noCurrency.status).toBe(400);
    expect(noCurrency.body.errors[0].field).toBe('currency');
  });

  it('keeps externalId unique per tenant (409 naming it)', async () => {
    await newOpportunity(t, admin, p, { externalId: 'crm-1' });
    const dup = await api.post('/v1/opportunities', { name: 'X', pipelineId: p.id, externalId: 'crm-1' });
    expect(dup.status).toBe(409);
    expect(dup.body.errors[0].field).toBe('externalId');
  });

  it('records every stage change with from, to, who and the time spent in the stage it left', async () => {
    const o = await newOpportunity(t, admin, p);
    // Pretend it entered its first stage three days ago.
    await superSql(
      t.databaseUrl,
      `UPDATE opportunity_stage_history SET changed_at = now() - interval '3 days' WHERE opportunity_id = $1`,
      [o.id],
    );
    await move(o.id, { stageId: p.stage.proposal });
    await superSql(
      t.databaseUrl,
      `UPDATE opportunity_stage_history SET changed_at = now() - interval '36 hours' WHERE opportunity_id = $1 AND to_stage_id = $2`,
      [o.id, p.stage.proposal],
    );
    await move(o.id, { stageId: p.stage.negotiation });
    await move(o.id, { nextStep: 'not a stage change' });
    await move(o.id, { stageId: p.stage.won });

    const res = await api.get(`/v1/opportunities/${o.id}/stage-history`);
    expect(res.status).toBe(200);
    const entries = res.body.data as {
      fromStageId: string | null;
      toStageId: string;
      toStageName: string;
      changedBy: string;
      secondsInFromStage: number | null;
    }[];
    expect(entries.map((e) => [e.fromStageId, e.toStageId])).toEqual([
      [p.stage.negotiation, p.stage.won],
      [p.stage.proposal, p.stage.negotiation],
      [p.stage.prospect, p.stage.proposal],
      [null, p.stage.prospect],
    ]);
    expect(entries.map((e) => e.toStageName)).toEqual(['Won', 'Negotiation', 'Proposal', 'Prospect']);
    expect(entries.every((e) => e.changedBy === admin.userId)).toBe(true);
    const [toWon, toNegotiation, toProposal, initial] = entries.map((e) => e.secondsInFromStage);
    expect(initial).toBeNull();
    expect(toProposal).toBeGreaterThan(3 * 86400 - 120);
    expect(toProposal).toBeLessThan(3 * 86400 + 120);
    expect(toNegotiation).toBeGreaterThan(36 * 3600 - 120);
    expect(toNegotiation).toBeLessThan(36 * 3600 + 120);
    expect(toWon).toBeGreaterThanOrEqual(0);
    expect(toWon).toBeLessThan(60);

    const page1 = await api.get(`/v1/opportunities/${o.id}/stage-history`, { limit: '3' });
    expect(page1.body.data).toHaveLength(3);
    const page2 = await api.get(`/v1/opportunities/${o.id}/stage-history`, {
      limit: '3',
      cursor: page1.body.nextCursor,
    });
    expect(page2.body).toEqual({ data: [expect.objectContaining({ fromStageId: null })], nextCursor: null });
    expect((await api.get(`/v1/opportunities/${o.id}/stage-history`, { cursor: 'garbage' })).status).toBe(
      400,
    );
    expect((await api.get(`/v1/opportunities/${o.id}/stage-history`, { limit: '500' })).status).toBe(400);
  });

  it('writes the history in the same transaction as the change: a refused change leaves none', async () => {
    const o = await newOpportunity(t, admin, p);
    const stale = await t.http
      .patch(`/v1/opportunities/${o.id}`)
      .set({ authorization: `Bearer ${admin.token}`, 'if-match': '"7"' })
      .send({ stageId: p.stage.proposal });
    expect(stale.status).toBe(412);
    const rows = await superSql(
      t.databaseUrl,
      'SELECT count(*)::int AS n FROM opportunity_stage_history WHERE opportunity_id = $1',
      [o.id],
    );
    expect(rows).toEqual([{ n: 1 }]);
  });

  it('does the same over GraphQL: create, stage change, rules, history, relations', async () => {
    const created = await q<{
      createOpportunity: { id: string; probability: number; stage: { name: string } };
    }>(
      `mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) { id probability forecastCategory stage { name } pipeline { name } } }`,
      { input: { name: 'G', pipelineId: p.id } },
    );
    expect(created.errors).toBeUndefined();
    expect(created.data!.createOpportunity).toMatchObject({ probability: 10, stage: { name: 'Prospect' } });
    const id = created.data!.createOpportunity.id;

    const lost = await q(
      `mutation($id: ID!, $s: ID!) { updateOpportunity(id: $id, input: { stageId: $s }) { id } }`,
      {
        id,
        s: p.stage.lost,
      },
    );
    expect(lost.errors?.[0].extensions?.code).toBe('VALIDATION_FAILED');
    expect(lost.errors?.[0].extensions?.errors?.[0].field).toBe('lossReason');

    const won = await q<{
      updateOpportunity: { forecastCategory: string; closedAt: string | null; probability: number };
    }>(
      `mutation($id: ID!, $s: ID!) { updateOpportunity(id: $id, input: { stageId: $s }) { forecastCategory closedAt probability } }`,
      { id, s: p.stage.won },
    );
    expect(won.data!.updateOpportunity).toMatchObject({ forecastCategory: 'closed', probability: 100 });
    expect(won.data!.updateOpportunity.closedAt).not.toBeNull();

    const history = await q<{
      opportunity: { stageHistory: { nodes: { toStageName: string; secondsInFromStage: number | null }[] } };
    }>(
      `query($id: ID!) { opportunity(id: $id) { stageHistory(first: 10) { nodes { toStageName fromStageName secondsInFromStage changedAt } pageInfo { hasNextPage } } } }`,
      { id },
    );
    expect(history.errors).toBeUndefined();
    expect(history.data!.opportunity.stageHistory.nodes.map((n) => n.toStageName)).toEqual([
      'Won',
      'Prospect',
    ]);
    expect(history.data!.opportunity.stageHistory.nodes[1].secondsInFromStage).toBeNull();

    const list = await q<{ opportunities: { nodes: { id: string; stageHistory: { nodes: unknown[] } }[] } }>(
      `{ opportunities(first: 50, filter: "stage.category eq 'won'") { nodes { id stageHistory(first: 1) { nodes { toStageName } pageInfo { hasNextPage } } } } }`,
    );
    expect(list.errors).toBeUndefined();
    expect(list.data!.opportunities.nodes.map((n) => n.id)).toContain(id);
    expect(list.data!.opportunities.nodes.every((n) => n.stageHistory.nodes.length === 1)).toBe(true);
  });

  it('lists with filters through the stage and the pipeline', async () => {
    const res = await api.get('/v1/opportunities', {
      filter: `stage.category eq 'won' and pipeline.name eq 'New business'`,
      expand: 'stage',
      count: 'true',
    });
    expect(res.status).toBe(200);
    expect(res.body.total).toBeGreaterThan(0);
    expect(
      (res.body.data as { stage: { category: string } }[]).every((o) => o.stage.category === 'won'),
    ).toBe(true);
  });
});
