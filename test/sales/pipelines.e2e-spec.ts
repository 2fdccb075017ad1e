import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, UserFixture } from '../harness/factories.js';
import { superSql } from '../harness/sql.js';
import { gqlAs, newOpportunity, newPipeline, ok, Rest, restAs, STANDARD_STAGES } from './helpers.js';

describe('pipelines and stages', () => {
  let t: TestApp;
  let admin: UserFixture;
  let api: Rest;
  let q: ReturnType<typeof gqlAs>;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await newTenant(t);
    api = restAs(t, admin);
    q = gqlAs(t, admin);
  });
  afterAll(() => t.close());

  const stageNames = async (pipelineId: string) =>
    ok<{ data: { name: string; position: number }[] }>(
      await api.get(`/v1/pipelines/${pipelineId}/stages`),
    ).data.map((s) => `${s.position}:${s.name}`);

  it('creates a pipeline with its ordered stages in one call, and expands them', async () => {
    const res = await api.post('/v1/pipelines', { name: 'Inbound', stages: STANDARD_STAGES });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/v1/pipelines/${res.body.id}`);
    expect(res.body).toMatchObject({ name: 'Inbound', active: true, version: 1 });
    expect(await stageNames(res.body.id)).toEqual([
      '1:Prospect',
      '2:Proposal',
      '3:Negotiation',
      '4:Won',
      '5:Lost',
    ]);
    const expanded = ok<{ stages: { name: string; probability: number; category: string }[] }>(
      await api.get(`/v1/pipelines/${res.body.id}`, { expand: 'stages' }),
    );
    expect(expanded.stages.map((s) => [s.name, s.probability, s.category])).toEqual(
      STANDARD_STAGES.map((s) => [s.name, s.probability, s.category]),
    );
  });

  it('refuses invalid stages naming the field, and creates nothing', async () => {
    const res = await api.post('/v1/pipelines', {
      name: 'Broken',
      stages: [{ name: 'A', probability: 150, category: 'maybe' }],
    });
    expect(res.status).toBe(400);
    const fields = (res.body.errors as { field: string }[]).map((e) => e.field).sort();
    expect(fields).toEqual(['stages.0.category', 'stages.0.probability']);
    const rows = await superSql(t.databaseUrl, `SELECT 1 FROM pipelines WHERE name = 'Broken'`);
    expect(rows).toEqual([]);
  });

  it('adds a stage at the end or at a position, shifting the later ones', async () => {
    const p = await newPipeline(t, admin);
    const atEnd = await api.post(`/v1/pipelines/${p.id}/stages`, {
      name: 'On hold',
      probability: 5,
      category: 'open',
    });
    expect(atEnd.status).toBe(201);
    expect(atEnd.body.position).toBe(6);
    const second = await api.post(`/v1/pipelines/${p.id}/stages`, {
      name: 'Qualified',
      probability: 20,
      category: 'open',
      position: 2,
    });
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ position: 2, pipelineId: p.id });
    expect(await stageNames(p.id)).toEqual([
      '1:Prospect',
      '2:Qualified',
      '3:Proposal',
      '4:Negotiation',
      '5:Won',
      '6:Lost',
      '7:On hold',
    ]);
    const tooFar = await api.post(`/v1/pipelines/${p.id}/stages`, {
      name: 'X',
      probability: 5,
      category: 'open',
      position: 9,
    });
    expect(tooFar.status).toBe(400);
    expect(tooFar.body.errors[0].field).toBe('position');
  });

  it('reorders with the full id list; a missing, extra or repeated id is a 400', async () => {
    const p = await newPipeline(t, admin);
    const order = [p.stage.won, p.stage.lost, p.stage.negotiation, p.stage.proposal, p.stage.prospect];
    const res = await api.put(`/v1/pipelines/${p.id}/stage-order`, { stageIds: order });
    expect(res.status).toBe(200);
    expect((res.body.data as { id: string }[]).map((s) => s.id)).toEqual(order);
    expect(await stageNames(p.id)).toEqual(['1:Won', '2:Lost', '3:Negotiation', '4:Proposal', '5:Prospect']);
    for (const bad of [order.slice(1), [...order, order[0]], [...order.slice(1), order[1]]]) {
      const r = await api.put(`/v1/pipelines/${p.id}/stage-order`, { stageIds: bad });
      expect(r.status).toBe(400);
      expect(r.body.errors[0].field).toBe('stageIds');
    }
    const other = await newPipeline(t, admin, 'Other');
    const foreign = await api.put(`/v1/pipelines/${p.id}/stage-order`, {
      stageIds: [...order.slice(1), other.stage.won],
    });
    expect(foreign.status).toBe(400);
  });

  it('updates a stage; its category cannot change while opportunities are in it (409)', async () => {
    const p = await newPipeline(t, admin);
    const renamed = await api.patch(`/v1/pipelines/${p.id}/stages/${p.stage.proposal}`, {
      name: 'Quote',
      probability: 55,
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'Quote', probability: 55, version: 2 });
    await newOpportunity(t, admin, p, { stageId: p.stage.proposal });
    const recategorise = await api.patch(`/v1/pipelines/${p.id}/stages/${p.stage.proposal}`, {
      category: 'won',
    });
    expect(recategorise.status).toBe(409);
    expect(recategorise.body.errors[0]).toMatchObject({ field: 'category', code: 'stage_in_use' });
    const wrongPipeline = await api.patch(
      `/v1/pipelines/${(await newPipeline(t, admin)).id}/stages/${p.stage.proposal}`,
      {
        name: 'x',
      },
    );
    expect(wrongPipeline.status).toBe(404);
  });

  it('deletes an empty stage and closes the gap', async () => {
    const p = await newPipeline(t, admin);
    const res = await api.del(`/v1/pipelines/${p.id}/stages/${p.stage.proposal}`);
    expect(res.status).toBe(204);
    expect(await stageNames(p.id)).toEqual(['1:Prospect', '2:Negotiation', '3:Won', '4:Lost']);
    const rows = await superSql(
      t.databaseUrl,
      'SELECT deleted_at IS NOT NULL AS deleted FROM pipeline_stages WHERE id = $1',
      [p.stage.proposal],
    );
    expect(rows).toEqual([{ deleted: true }]);
  });

  it('refuses to delete a stage holding opportunities without moveTo (409 naming the count), and moves them with it', async () => {
    const p = await newPipeline(t, admin);
    const a = await newOpportunity(t, admin, p, { stageId: p.stage.proposal });
    const b = await newOpportunity(t, admin, p, { stageId: p.stage.proposal, probability: 33 });
    const refused = await api.del(`/v1/pipelines/${p.id}/stages/${p.stage.proposal}`);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/2 opportunities/);
    expect(refused.body.errors[0]).toMatchObject({ field: 'moveTo', code: 'required' });

    const other = await newPipeline(t, admin);
    for (const [moveTo, code] of [
      [other.stage.negotiation, 'not_found'],
      [p.stage.won, 'category_mismatch'],
      [p.stage.proposal, 'same_stage'],
    ]) {
      const bad = await api.del(`/v1/pipelines/${p.id}/stages/${p.stage.proposal}`, { moveTo });
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0]).toMatchObject({ field: 'moveTo', code });
    }
    const notUuid = await api.del(`/v1/pipelines/${p.id}/stages/${p.stage.proposal}`, { moveTo: 'nope' });
    expect(notUuid.status).toBe(400);
    expect(notUuid.body.errors[0].field).toBe('moveTo');

    const moved = await api.del(`/v1/pipelines/${p.id}/stages/${p.stage.proposal}`, {
      moveTo: p.stage.negotiation,
    });
    expect(moved.status).toBe(204);
    for (const o of [a, b]) {
      const now = ok<{ stageId: string; probability: number; version: number }>(
        await api.get(`/v1/opportunities/${o.id}`),
      );
      expect(now).toMatchObject({ stageId: p.stage.negotiation, probability: 75, version: 2 });
      const history = ok<{ data: { fromStageId: string; toStageId: string }[] }>(
        await api.get(`/v1/opportunities/${o.id}/stage-history`),
      );
      expect(history.data[0]).toMatchObject({
        fromStageId: p.stage.proposal,
        toStageId: p.stage.negotiation,
      });
    }
    expect(await stageNames(p.id)).toEqual(['1:Prospect', '2:Negotiation', '3:Won', '4:Lost']);
  });

  it('refuses to delete a pipeline that holds opportunities', async () => {
    const p = await newPipeline(t, admin);
    await newOpportunity(t, admin, p);
    const res = await api.del(`/v1/pipelines/${p.id}`);
    expect(res.status).toBe(409);
    const empty = await newPipeline(t, admin);
    expect((await api.del(`/v1/pipelines/${empty.id}`)).status).toBe(204);
  });

  it('does the same over GraphQL: stages in order, add, reorder, delete with moveTo', async () => {
    const created = await q<{ createPipeline: { id: string; stages: { name: string }[] } }>(
      `mutation($input: CreatePipelineInput!) { createPipeline(input: $input) { id name stages { name position } } }`,
      { input: { name: 'Graph', stages: STANDARD_STAGES.slice(0, 3) } },
    );
    expect(created.errors).toBeUndefined();
    const id = created.data!.createPipeline.id;
    expect(created.data!.createPipeline.stages.map((s) => s.name)).toEqual([
      'Prospect',
      'Proposal',
      'Negotiation',
    ]);

    const added = await q<{ createStage: { id: string; position: number } }>(
      `mutation($p: ID!) { createStage(pipelineId: $p, input: { name: "First", probability: 1, category: open, position: 1 }) { id position } }`,
      { p: id },
    );
    expect(added.data!.createStage.position).toBe(1);

    const read = await q<{ pipeline: { stages: { id: string; name: string }[] } }>(
      `query($id: ID!) { pipeline(id: $id) { stages { id name } } }`,
      { id },
    );
    const ids = read.data!.pipeline.stages.map((s) => s.id);
    expect(read.data!.pipeline.stages.map((s) => s.name)).toEqual([
      'First',
      'Prospect',
      'Proposal',
      'Negotiation',
    ]);

    const reordered = await q<{ reorderStages: { name: string }[] }>(
      `mutation($p: ID!, $ids: [String!]!) { reorderStages(pipelineId: $p, input: { stageIds: $ids }) { name } }`,
      { p: id, ids: [...ids].reverse() },
    );
    expect(reordered.data!.reorderStages.map((s) => s.name)).toEqual([
      'Negotiation',
      'Proposal',
      'Prospect',
      'First',
    ]);

    const opp = await newOpportunity(t, admin, { id, stage: {} as never }, { stageId: ids[1] });
    const refused = await q(`mutation($p: ID!, $s: ID!) { deleteStage(pipelineId: $p, id: $s) }`, {
      p: id,
      s: ids[1],
    });
    expect(refused.errors?.[0].extensions?.code).toBe('CONFLICT');
    const deleted = await q(
      `mutation($p: ID!, $s: ID!, $m: ID) { deleteStage(pipelineId: $p, id: $s, moveTo: $m) }`,
      {
        p: id,
        s: ids[1],
        m: ids[2],
      },
    );
    expect(deleted.data).toEqual({ deleteStage: true });
    expect(ok<{ stageId: string }>(await api.get(`/v1/opportunities/${opp.id}`)).stageId).toBe(ids[2]);

    const updated = await q<{ updateStage: { name: string } }>(
      `mutation($p: ID!, $s: ID!) { updateStage(pipelineId: $p, id: $s, input: { name: "Closing" }) { name } }`,
      { p: id, s: ids[3] },
    );
    expect(updated.data!.updateStage.name).toBe('Closing');
    const invalid = await q(
      `mutation($p: ID!) { createStage(pipelineId: $p, input: { name: "X", probability: 101, category: open }) { id } }`,
      { p: id },
    );
    expect(invalid.errors?.[0].extensions?.code).toBe('VALIDATION_FAILED');
    expect(invalid.errors?.[0].extensions?.errors?.[0].field).toBe('probability');
  });
});
