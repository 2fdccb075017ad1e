import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, newUser, UserFixture } from '../harness/factories.js';
import { superSql } from '../harness/sql.js';
import { newPipeline, ok, restAs } from '../sales/helpers.js';
import { errorsOf, runImport } from './helpers.js';

/**
 * Leads and opportunities imports: row by row through their own services (assignment rules,
 * stage rules and stage history), inside the engine's chunks, one savepoint per row.
 */
describe('imports of leads and opportunities', () => {
  let t: TestApp;
  let admin: UserFixture;

  beforeAll(async () => {
    t = await createTestApp({
      JOBS_ENABLED: 'true',
      IMPORT_CHUNK_ROWS: '2',
      IMPORT_SWEEP_SECONDS: '1',
    });
    admin = await newTenant(t);
  });
  afterAll(() => t.close());

  it('upserts leads on externalId: created ones go through the assignment rules, on the bulk channel', async () => {
    const u = await newTenant(t);
    const saas = await newUser(t, u.tenantId, { role: 'salesRep' });
    const rule = ok<{ id: string }>(
      await restAs(t, u).post('/v1/lead-assignment-rules', {
        name: 'SaaS',
        condition: "industry eq 'saas'",
        assigneeType: 'user',
        userId: saas.userId,
      }),
      201,
    );
    const first = await runImport(
      t,
      u,
      { object: 'leads', mode: 'upsert', match: 'externalId' },
      'externalId,lastName,company,industry,score\nl-1,Ada,Acme,saas,10\nl-2,Alan,Globex,retail,20\nl-3,Grace,Initech,,\n',
    );
    expect(first).toMatchObject({
      status: 'succeeded',
      counts: { received: 3, processed: 3, created: 3, updated: 0, unchanged: 0, failed: 0 },
    });
    const second = await runImport(
      t,
      u,
      { object: 'leads' },
      'externalId,lastName,company,industry,score\nl-1,Ada,Acme,saas,10\nl-2,Alan,Globex,retail,30\nl-4,Katherine,Hooli,saas,\nl-5,,NoName,,\n',
    );
    expect(second).toMatchObject({
      status: 'partiallySucceeded',
      counts: { received: 4, created: 1, updated: 1, unchanged: 1, failed: 1 },
    });
    expect((await errorsOf(t, u, second.id)).map((e) => [e.line, e.field, e.code])).toEqual([
      [5, 'lastName', 'required'],
    ]);
    const leads = await superSql<{
      external_id: string;
      owner_id: string;
      assignment_rule_id: string | null;
      score: number | null;
    }>(
      t.databaseUrl,
      `SELECT external_id, owner_id, assignment_rule_id, score FROM leads WHERE tenant_id = $1 ORDER BY external_id`,
      [u.tenantId],
    );
    expect(leads.map((l) => [l.external_id, l.owner_id, l.assignment_rule_id, l.score])).toEqual([
      ['l-1', saas.userId, rule.id, 10],
      ['l-2', u.userId, null, 30],
      ['l-3', u.userId, null, null],
      ['l-4', saas.userId, rule.id, null],
    ]);
    const audit = await superSql<{ action: string; n: number }>(
      t.databaseUrl,
      `SELECT action, count(*)::int AS n FROM audit_events WHERE tenant_id = $1 AND channel = 'bulk' AND object = 'lead'
        GROUP BY action ORDER BY action`,
      [u.tenantId],
    );
    // 4 creates; updates: l-2's score, and the two assignments by the rule (in the creating transaction).
    expect(audit.find((a) => a.action === 'create')?.n).toBe(4);
    expect(audit.find((a) => a.action === 'update')?.n).toBeGreaterThanOrEqual(1);
  });

  it('matches leads by email (update), and a dry run writes nothing', async () => {
    const u = await newTenant(t);
    await runImport(t, u, { object: 'leads', mode: 'create' }, 'lastName,email\nMail,m@x.test\n');
    const byEmail = await runImport(
      t,
      u,
      { object: 'leads', mode: 'update', match: 'email' },
      'email,title\nm@x.test,CTO\nnobody@x.test,CEO\n',
    );
    expect(byEmail.counts).toMatchObject({ updated: 1, failed: 1 });
    expect(await errorsOf(t, u, byEmail.id)).toEqual([
      expect.objectContaining({ line: 3, field: 'email', code: 'not_found' }),
    ]);
    const dry = await runImport(
      t,
      u,
      { object: 'leads', dryRun: 'true' },
      'externalId,lastName,rating\nd-1,Dry,hot\nd-2,Run,lukewarm\n',
    );
    expect(dry).toMatchObject({ dryRun: true, counts: { created: 1, failed: 1 } });
    expect(await errorsOf(t, u, dry.id)).toEqual([
      expect.objectContaining({ line: 3, field: 'rating', code: 'isIn' }),
    ]);
    const rows = await superSql<{ title: string | null }>(
      t.databaseUrl,
      `SELECT title FROM leads WHERE tenant_id = $1`,
      [u.tenantId],
    );
    expect(rows).toEqual([{ title: 'CTO' }]);
  });

  it('imports opportunities through the stage rules: defaults, stage history, won and lost, bad stages are row errors', async () => {
    const u = await newTenant(t);
    const pipeline = await newPipeline(t, u, 'New business');
    const other = await newPipeline(t, u, 'Renewals');
    await runImport(t, u, { object: 'accounts' }, 'externalId,name\nacc-1,Acme\n');
    const job = await runImport(
      t,
      u,
      {
        object: 'opportunities',
        references: JSON.stringify({
          accountId: { by: 'externalId' },
          pipelineId: { by: 'name' },
          stageId: { by: 'name' },
        }),
      },
      [
        'externalId,name,accountId,pipelineId,stageId,amount,currency,lossReason',
        'o-1,First,acc-1,New business,,1000.00,EUR,', // no stage: the pipeline's first
        'o-2,Won deal,acc-1,New business,Won,500.00,EUR,',
        'o-3,Lost no reason,,New business,Lost,,,',
        'o-4,Lost deal,,New business,Lost,,,price',
        'o-5,Bad stage,,New business,Nonexistent,,,',
        'o-6,Bad account,acc-9,New business,,,,',
        'o-7,No pipeline,,,,,,',
      ].join('\n') + '\n',
    );
    expect(job).toMatchObject({
      status: 'partiallySucceeded',
      counts: { received: 7, created: 3, failed: 4 },
    });
    expect((await errorsOf(t, u, job.id)).map((e) => [e.line, e.field, e.code])).toEqual([
      [4, 'lossReason', 'required'],
      [6, 'stageId', 'not_found'],
      [7, 'accountId', 'not_found'],
      [8, 'pipelineId', 'required'],
    ]);
    const opps = await superSql<{
      external_id: string;
      id: string;
      stage_id: string;
      probability: number;
      forecast_category: string;
      closed_at: Date | null;
      account_id: string | null;
    }>(
      t.databaseUrl,
      `SELECT external_id, id, stage_id, probability, forecast_category, closed_at, account_id
         FROM opportunities WHERE tenant_id = $1 ORDER BY external_id`,
      [u.tenantId],
    );
    expect(opps.map((o) => [o.external_id, o.stage_id, o.probability, o.closed_at !== null])).toEqual([
      ['o-1', pipeline.stage.prospect, 10, false],
      ['o-2', pipeline.stage.won, 100, true],
      ['o-4', pipeline.stage.lost, 0, true],
    ]);
    expect(opps[0].account_id).not.toBeNull();
    const history = await superSql<{
      opportunity_id: string;
      from_stage_id: string | null;
      to_stage_id: string;
    }>(
      t.databaseUrl,
      `SELECT opportunity_id, from_stage_id, to_stage_id FROM opportunity_stage_history WHERE tenant_id = $1 ORDER BY changed_at`,
      [u.tenantId],
    );
    expect(history).toHaveLength(3);
    expect(history.every((h) => h.from_stage_id === null)).toBe(true);

    // Update mode: moving o-1 to another stage adds a history row; a stage of another pipeline is a row error.
    const move = await runImport(
      t,
      u,
      { object: 'opportunities', mode: 'update' },
      `externalId,stageId\no-1,${pipeline.stage.negotiation}\no-2,${other.stage.prospect}\no-4,${pipeline.stage.lost}\n`,
    );
    expect(move.counts).toMatchObject({ updated: 1, unchanged: 1, failed: 1 });
    expect(await errorsOf(t, u, move.id)).toEqual([
      expect.objectContaining({ line: 3, field: 'stageId', code: 'not_in_pipeline' }),
    ]);
    const moved = await superSql<{ from_stage_id: string; to_stage_id: string }>(
      t.databaseUrl,
      `SELECT from_stage_id, to_stage_id FROM opportunity_stage_history WHERE tenant_id = $1 AND opportunity_id = $2 ORDER BY changed_at`,
      [u.tenantId, opps[0].id],
    );
    expect(moved).toEqual([
      { from_stage_id: null, to_stage_id: pipeline.stage.prospect },
      { from_stage_id: pipeline.stage.prospect, to_stage_id: pipeline.stage.negotiation },
    ]);
    const [o1] = await superSql<{ probability: number }>(
      t.databaseUrl,
      `SELECT probability FROM opportunities WHERE tenant_id = $1 AND id = $2`,
      [u.tenantId, opps[0].id],
    );
    expect(o1.probability).toBe(75);
  });

  it('needs the object permissions, and another tenant’s pipeline is not found', async () => {
    const reader = await newUser(t, admin.tenantId, { role: 'readOnly' });
    const denied = await t.http
      .post('/v1/imports')
      .query({ object: 'opportunities' })
      .set({ authorization: `Bearer ${reader.token}`, 'content-type': 'text/csv' })
      .send('externalId,name\nx,X\n');
    expect(denied.status).toBe(403);
    const stranger = await newTenant(t);
    const theirs = await newPipeline(t, stranger, 'Theirs');
    const job = await runImport(
      t,
      admin,
      { object: 'opportunities' },
      `externalId,name,pipelineId\nx-1,Cross,${theirs.id}\n`,
    );
    expect(job.counts).toMatchObject({ created: 0, failed: 1 });
    expect(await errorsOf(t, admin, job.id)).toEqual([
      expect.objectContaining({ line: 2, field: 'pipelineId', code: 'not_found' }),
    ]);
  });
});
