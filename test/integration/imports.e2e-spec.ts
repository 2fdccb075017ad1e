import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, newUser, UserFixture } from '../harness/factories.js';
import { gql } from '../harness/graphql.js';
import { superSql } from '../harness/sql.js';
import { errorsOf, postImport, runImport, waitForJob } from './helpers.js';

/**
 * Import jobs through REST (streamed CSV and NDJSON) and GraphQL: modes and match keys, dry run,
 * references, row errors and their file, permissions, tenants, limits.
 */
describe('imports', () => {
  let t: TestApp;
  let admin: UserFixture;
  const auth = (u: UserFixture) => ({ authorization: `Bearer ${u.token}` });
  const contacts = async (tenantId: string) =>
    superSql<{
      external_id: string;
      last_name: string;
      email: string | null;
      account_id: string | null;
      version: number;
    }>(
      t.databaseUrl,
      `SELECT external_id, last_name, email, account_id, version FROM contacts WHERE tenant_id = $1 ORDER BY external_id`,
      [tenantId],
    );

  beforeAll(async () => {
    t = await createTestApp({
      JOBS_ENABLED: 'true',
      IMPORT_MAX_BYTES: '20000',
      IMPORT_CHUNK_ROWS: '3',
      IMPORT_SWEEP_SECONDS: '1',
    });
    admin = await newTenant(t);
  });
  afterAll(() => t.close());

  it('upserts contacts on externalId: created, updated and unchanged rows, audited on the bulk channel', async () => {
    const first = await runImport(
      t,
      admin,
      { object: 'contacts', mode: 'upsert', match: 'externalId' },
      'externalId,firstName,lastName,email,lifecycleStage,tags\nc-1,Ada,Lovelace,ada@x.test,lead,a;b\nc-2,Alan,Turing,,customer,\nc-3,Grace,Hopper,grace@x.test,,\n',
    );
    expect(first).toMatchObject({
      status: 'succeeded',
      progress: 100,
      counts: { received: 3, processed: 3, created: 3, updated: 0, unchanged: 0, failed: 0 },
    });
    const second = await runImport(
      t,
      admin,
      { object: 'contacts' },
      'externalId,firstName,lastName,email,lifecycleStage,tags\nc-1,Ada,Lovelace,ada@x.test,lead,a;b\nc-2,Alan,Turing,alan@x.test,customer,\nc-4,Katherine,Johnson,,,\n',
    );
    expect(second.counts).toEqual({
      received: 3,
      processed: 3,
      created: 1,
      updated: 1,
      unchanged: 1,
      failed: 0,
    });
    const rows = await contacts(admin.tenantId);
    expect(rows.map((r) => [r.external_id, r.email, r.version])).toEqual([
      ['c-1', 'ada@x.test', 1],
      ['c-2', 'alan@x.test', 2],
      ['c-3', 'grace@x.test', 1],
      ['c-4', null, 1],
    ]);
    const audit = await superSql<{ action: string; n: number }>(
      t.databaseUrl,
      `SELECT action, count(*)::int AS n FROM audit_events WHERE tenant_id = $1 AND channel = 'bulk' AND object = 'contact' GROUP BY action ORDER BY action`,
      [admin.tenantId],
    );
    expect(audit).toEqual([
      { action: 'create', n: 4 },
      { action: 'update', n: 1 },
    ]);
    const [update] = await superSql<{ changes: Record<string, unknown> }>(
      t.databaseUrl,
      `SELECT changes FROM audit_events WHERE tenant_id = $1 AND channel = 'bulk' AND action = 'update'`,
      [admin.tenantId],
    );
    expect(update.changes).toEqual({ email: { before: null, after: 'alan@x.test' } });
    // A created record's event holds every value it was created with (as the record layer's
    // create would), and the hash chains still verify: the bulk path builds the same canonical text.
    const [created] = await superSql<{ changes: Record<string, unknown> }>(
      t.databaseUrl,
      `SELECT changes FROM audit_events WHERE tenant_id = $1 AND channel = 'bulk' AND action = 'create'
          AND record_id = (SELECT id FROM contacts WHERE tenant_id = $1 AND external_id = 'c-1')`,
      [admin.tenantId],
    );
    expect(created.changes).toMatchObject({
      externalId: { before: null, after: 'c-1' },
      firstName: { before: null, after: 'Ada' },
      lastName: { before: null, after: 'Lovelace' },
      email: { before: null, after: 'ada@x.test' },
      lifecycleStage: { before: null, after: 'lead' },
      tags: { before: null, after: ['a', 'b'] },
      ownerId: { before: null, after: admin.userId },
      doNotContact: { before: null, after: false },
    });
    const verified = await t.http.get('/v1/audit-events/verify').set(auth(admin));
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ ok: true });
    expect(verified.body.checked).toBeGreaterThanOrEqual(5);
    const outbox = await superSql<{ type: string; n: number }>(
      t.databaseUrl,
      `SELECT type, count(*)::int AS n FROM outbox_events WHERE tenant_id = $1 AND channel = 'bulk' GROUP BY type ORDER BY type`,
      [admin.tenantId],
    );
    expect(outbox).toEqual([
      { type: 'contacts.created', n: 4 },
      { type: 'contacts.updated', n: 1 },
    ]);
    const res = await t.http.get(`/v1/imports/${second.id}`).set(auth(admin));
    expect(res.headers['content-type']).toMatch(/json/);
    expect(res.body).toMatchObject({
      object: 'contacts',
      mode: 'upsert',
      match: 'externalId',
      format: 'csv',
      dryRun: false,
    });
  });

  it('answers 202 with a Location, and lists the caller’s jobs newest first', async () => {
    const res = await postImport(t, admin, { object: 'contacts' }, 'externalId,lastName\nl-1,List\n');
    expect(res.status).toBe(202);
    expect(res.headers.location).toBe(`/v1/imports/${res.body.id as string}`);
    expect(['queued', 'running', 'succeeded']).toContain(res.body.status);
    await waitForJob(t, admin, res.body.id as string);
    const list = await t.http.get('/v1/imports').query({ limit: '1' }).set(auth(admin));
    expect(list.status).toBe(200);
    expect(list.body.data).toHaveLength(1);
    expect(list.body.data[0].id).toBe(res.body.id);
    expect(typeof list.body.nextCursor).toBe('string');
    const next = await t.http
      .get('/v1/imports')
      .query({ limit: '1', cursor: list.body.nextCursor as string })
      .set(auth(admin));
    expect(next.body.data[0].id).not.toBe(res.body.id);
  });

  it('create mode refuses rows whose key exists; update mode refuses rows that match nothing', async () => {
    const u = await newTenant(t);
    await runImport(t, u, { object: 'contacts', mode: 'create' }, 'externalId,lastName\nm-1,One\n');
    const create = await runImport(
      t,
      u,
      { object: 'contacts', mode: 'create' },
      'externalId,lastName\nm-1,Again\nm-2,Two\n',
    );
    expect(create).toMatchObject({ status: 'partiallySucceeded', counts: { created: 1, failed: 1 } });
    expect(await errorsOf(t, u, create.id)).toEqual([
      expect.objectContaining({ line: 2, field: 'externalId', code: 'duplicate' }),
    ]);
    const update = await runImport(
      t,
      u,
      { object: 'contacts', mode: 'update' },
      'externalId,title\nm-1,CEO\nm-9,CTO\n',
    );
    expect(update.counts).toMatchObject({ updated: 1, failed: 1, created: 0 });
    expect(await errorsOf(t, u, update.id)).toEqual([
      expect.objectContaining({ line: 3, field: 'externalId', code: 'not_found' }),
    ]);
    // update mode writes only the columns of the file: lastName stays.
    const rows = await contacts(u.tenantId);
    expect(rows.find((r) => r.external_id === 'm-1')?.last_name).toBe('One');
  });

  it('matches contacts by email, accounts by domain, and records by id (update)', async () => {
    const u = await newTenant(t);
    await runImport(t, u, { object: 'contacts', mode: 'create' }, 'lastName,email\nByEmail,e@x.test\n');
    const byEmail = await runImport(
      t,
      u,
      { object: 'contacts', match: 'email' },
      'email,title\ne@x.test,VP\nnew@x.test,\n',
    );
    // upsert by email: the second row has no lastName, so it cannot be created.
    expect(byEmail.counts).toMatchObject({ updated: 1, failed: 1 });
    expect((await errorsOf(t, u, byEmail.id))[0]).toMatchObject({ line: 3, field: 'lastName' });
    const acc = await runImport(
      t,
      u,
      { object: 'accounts', match: 'domain' },
      'domain,name,employees\nacme.test,Acme,10\nacme.test,Acme Inc,12\n',
    );
    // a repeated key applies in file order: created, then updated.
    expect(acc.counts).toMatchObject({ created: 1, updated: 1, failed: 0 });
    const [account] = await superSql<{ id: string; name: string; employees: number }>(
      t.databaseUrl,
      `SELECT id, name, employees FROM accounts WHERE tenant_id = $1`,
      [u.tenantId],
    );
    expect(account).toMatchObject({ name: 'Acme Inc', employees: 12 });
    const byId = await runImport(
      t,
      u,
      { object: 'accounts', mode: 'update', match: 'id' },
      `id,industry\n${account.id},saas\nnot-a-uuid,x\n`,
    );
    expect(byId.counts).toMatchObject({ updated: 1, failed: 1 });
    const refused = await postImport(t, u, { object: 'accounts', mode: 'upsert', match: 'id' }, 'id,name\n');
    expect(refused.status).toBe(400);
    const badMatch = await postImport(t, u, { object: 'accounts', match: 'email' }, 'name\n');
    expect(badMatch.status).toBe(400);
    expect(badMatch.body.errors[0].field).toBe('match');
  });

  it('applies a key repeated across chunks in flight in file order (chunks of 3, two at once)', async () => {
    const u = await newTenant(t);
    // k-1 on lines 2, 5, 8, 11 and 14: one row in each of five chunks; the other keys once each.
    const lines: string[] = [];
    for (let i = 0; i < 15; i++) lines.push(i % 3 === 0 ? `k-1,Version${i / 3 + 1}` : `other-${i},Other${i}`);
    const job = await runImport(t, u, { object: 'contacts' }, `externalId,lastName\n${lines.join('\n')}\n`);
    expect(job.counts).toEqual({
      received: 15,
      processed: 15,
      created: 11,
      updated: 4,
      unchanged: 0,
      failed: 0,
    });
    const [k1] = (await contacts(u.tenantId)).filter((c) => c.external_id === 'k-1');
    expect(k1).toMatchObject({ last_name: 'Version5', version: 5 });
    const history = await superSql<{ action: string; line: number }>(
      t.databaseUrl,
      `SELECT e.action, (e.details->>'line')::int AS line FROM audit_events e JOIN contacts c ON c.id = e.record_id
        WHERE c.tenant_id = $1 AND c.external_id = 'k-1' ORDER BY (e.details->>'line')::int`,
      [u.tenantId],
    );
    expect(history).toEqual([
      { action: 'create', line: 2 },
      { action: 'update', line: 5 },
      { action: 'update', line: 8 },
      { action: 'update', line: 11 },
      { action: 'update', line: 14 },
    ]);
    const staged = await superSql<{ n: number }>(
      t.databaseUrl,
      `SELECT count(*)::int AS n FROM import_chunks WHERE job_id = $1`,
      [job.id],
    );
    expect(staged[0].n).toBe(0);
  });

  it('a dry run validates every row and writes nothing', async () => {
    const u = await newTenant(t);
    const job = await runImport(
      t,
      u,
      { object: 'contacts', dryRun: 'true' },
      'externalId,lastName,lifecycleStage\nd-1,Dry,lead\nd-2,Run,bogus\nd-3,Three,\n',
    );
    expect(job).toMatchObject({
      dryRun: true,
      status: 'partiallySucceeded',
      counts: { created: 2, failed: 1 },
    });
    expect(await contacts(u.tenantId)).toEqual([]);
    const audit = await superSql(
      t.databaseUrl,
      `SELECT 1 FROM audit_events WHERE tenant_id = $1 AND channel = 'bulk'`,
      [u.tenantId],
    );
    expect(audit).toEqual([]);
    expect(await errorsOf(t, u, job.id)).toEqual([
      expect.objectContaining({ line: 3, field: 'lifecycleStage', code: 'isIn' }),
    ]);
  });

  it('resolves references by external id or domain, among records the importer may see', async () => {
    const u = await newTenant(t);
    await runImport(
      t,
      u,
      { object: 'accounts' },
      'externalId,name,domain\na-1,Acme,acme.test\na-2,Globex,globex.test\n',
    );
    const job = await runImport(
      t,
      u,
      { object: 'contacts', references: JSON.stringify({ accountId: { by: 'externalId' } }) },
      'externalId,lastName,accountId\nr-1,One,a-1\nr-2,Two,a-9\nr-3,Three,\n',
    );
    expect(job.counts).toMatchObject({ created: 2, failed: 1 });
    expect(await errorsOf(t, u, job.id)).toEqual([
      expect.objectContaining({
        line: 3,
        field: 'accountId',
        code: 'not_found',
        message: 'no account with externalId a-9',
      }),
    ]);
    const [a1] = await superSql<{ id: string }>(
      t.databaseUrl,
      `SELECT id FROM accounts WHERE tenant_id = $1 AND external_id = 'a-1'`,
      [u.tenantId],
    );
    expect((await contacts(u.tenantId)).map((r) => [r.external_id, r.account_id])).toEqual([
      ['r-1', a1.id],
      ['r-3', null],
    ]);
  });

  it('maps columns and resolves accountId by domain', async () => {
    const u = await newTenant(t);
    await runImport(
      t,
      u,
      { object: 'accounts' },
      'externalId,name,domain\na-1,Acme,acme.test\na-2,Globex,globex.test\n',
    );
    const job = await runImport(
      t,
      u,
      {
        object: 'contacts',
        mapping: JSON.stringify({
          'Contact ID': 'externalId',
          Surname: 'lastName',
          Company: 'accountId',
          Notes: '',
        }),
        references: JSON.stringify({ accountId: { by: 'domain' } }),
      },
      'Contact ID,Surname,Company,Notes\nr-1,One,acme.test,x\nr-2,Two,nowhere.test,y\nr-3,Three,,z\n',
    );
    expect(job.counts).toMatchObject({ created: 2, failed: 1 });
    expect(await errorsOf(t, u, job.id)).toEqual([
      expect.objectContaining({
        line: 3,
        field: 'accountId',
        code: 'not_found',
        message: 'no account with domain nowhere.test',
      }),
    ]);
    const [acme] = await superSql<{ id: string }>(
      t.databaseUrl,
      `SELECT id FROM accounts WHERE tenant_id = $1 AND domain = 'acme.test'`,
      [u.tenantId],
    );
    const rows = await contacts(u.tenantId);
    expect(rows.map((r) => [r.external_id, r.account_id])).toEqual([
      ['r-1', acme.id],
      ['r-3', null],
    ]);
  });

  it('malformed lines, bad encodings, wrong column counts and invalid values are row errors with their line', async () => {
    const u = await newTenant(t);
    const file = Buffer.concat([
      Buffer.from('externalId,lastName,email\ne-1,Good,g@x.test\ne-2,Short\ne-3,Bad,not-an-email\n'),
      Buffer.from([0x65, 0x2d, 0x34, 0x2c, 0xff, 0xfe, 0x2c, 0x0a]),
      Buffer.from('e-5,"Multi\nLine",m@x.test\ne-6,,\ne-7,"Unclosed,x@x.test\n'),
    ]);
    const job = await runImport(t, u, { object: 'contacts' }, file);
    expect(job.status).toBe('partiallySucceeded');
    expect(job.counts).toMatchObject({ received: 7, created: 2, failed: 5 });
    const errors = await errorsOf(t, u, job.id);
    expect(errors.map((e) => [e.line, e.field, e.code])).toEqual([
      [3, null, 'column_count'],
      [4, 'email', 'isEmail'],
      [5, null, 'malformed'],
      [8, 'lastName', 'required'],
      [9, null, 'malformed'],
    ]);
    expect(errors[2].message).toMatch(/UTF-8/);
    expect(errors[1].raw).toBe(JSON.stringify(['e-3', 'Bad', 'not-an-email']));
    const csv = await t.http.get(`/v1/imports/${job.id}/errors`).set(auth(u)).buffer(true);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(String(csv.text ?? csv.body).split('\n')[0]).toBe('line,field,code,message,raw');
  });

  it('a value the database refuses fails its row only (the chunk is retried row by row)', async () => {
    const u = await newTenant(t);
    // accounts: annualRevenue needs a currency (a check constraint, not an input rule).
    const job = await runImport(
      t,
      u,
      { object: 'accounts' },
      'externalId,name,annualRevenue,currency\nx-1,Fine,100.00,EUR\nx-2,NoCurrency,100.00,\nx-3,Also fine,,\n',
    );
    expect(job.counts).toMatchObject({ created: 2, failed: 1 });
    expect(await errorsOf(t, u, job.id)).toEqual([expect.objectContaining({ line: 3, code: 'rejected' })]);
    const [{ n }] = await superSql<{ n: number }>(
      t.databaseUrl,
      `SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1 AND channel = 'bulk' AND object = 'account'`,
      [u.tenantId],
    );
    expect(n).toBe(2);
  });

  it('imports NDJSON, one object per line', async () => {
    const u = await newTenant(t);
    const job = await runImport(
      t,
      u,
      { object: 'contacts' },
      '{"externalId":"n-1","lastName":"One","tags":["x"],"doNotContact":true}\n\n{"externalId":"n-2"}\n{not json}\n{"externalId":"n-3","lastName":"Three","bogus":1}\n',
      'application/x-ndjson',
    );
    expect(job.counts).toMatchObject({ received: 4, created: 1, failed: 3 });
    expect((await errorsOf(t, u, job.id)).map((e) => [e.line, e.field, e.code])).toEqual([
      [3, 'lastName', 'required'],
      [4, null, 'malformed'],
      [5, 'bogus', 'unknown_property'],
    ]);
  });

  it('refuses unknown columns (400), files over IMPORT_MAX_BYTES (413) and other media types (415)', async () => {
    const unknown = await postImport(t, admin, { object: 'contacts' }, 'externalId,shoeSize\nx,42\n');
    expect(unknown.status).toBe(400);
    expect(unknown.body.detail).toMatch(/shoeSize/);
    const big = await postImport(
      t,
      admin,
      { object: 'contacts' },
      `externalId,lastName\n${'big,Row\n'.repeat(3000)}`,
    );
    expect(big.status).toBe(413);
    expect(big.body.code).toBe('PAYLOAD_TOO_LARGE');
    const json = await t.http
      .post('/v1/imports')
      .query({ object: 'contacts' })
      .set(auth(admin))
      .send({ a: 1 });
    expect(json.status).toBe(415);
    const jobs = await superSql(
      t.databaseUrl,
      `SELECT 1 FROM import_jobs WHERE tenant_id = $1 AND received = 3000`,
      [admin.tenantId],
    );
    expect(jobs).toEqual([]);
  });

  it('needs create and update permissions on the object, and editable fields (403 FORBIDDEN_FIELD)', async () => {
    const reader = await newUser(t, admin.tenantId, { role: 'readOnly' });
    const denied = await postImport(t, reader, { object: 'contacts' }, 'externalId,lastName\nx,X\n');
    expect(denied.status).toBe(403);
    const rep = await newUser(t, admin.tenantId, { role: 'salesRep' });
    const repRole = (
      await superSql<{ id: string }>(
        t.databaseUrl,
        `SELECT id FROM roles WHERE tenant_id = $1 AND builtin_key = 'salesRep'`,
        [admin.tenantId],
      )
    )[0].id;
    const policy = await t.http
      .put(`/v1/field-policies/${repRole}/contacts`)
      .set(auth(admin))
      .send({ mode: 'denyList', rules: { phone: 'read' } });
    expect(policy.status).toBe(200);
    const hidden = await postImport(t, rep, { object: 'contacts' }, 'externalId,lastName,phone\nx,X,123\n');
    expect(hidden.status).toBe(403);
    expect(hidden.body).toMatchObject({
      code: 'FORBIDDEN_FIELD',
      errors: [expect.objectContaining({ field: 'phone' })],
    });
    const owner = await postImport(
      t,
      rep,
      { object: 'contacts' },
      `externalId,lastName,ownerId\nx,X,${admin.userId}\n`,
    );
    expect(owner.status).toBe(400);
    expect(owner.body.errors[0].field).toBe('ownerId');
    const fine = await runImport(t, rep, { object: 'contacts' }, 'externalId,lastName\nrep-1,Mine\n');
    expect(fine.counts.created).toBe(1);
    const [row] = await superSql<{ owner_id: string }>(
      t.databaseUrl,
      `SELECT owner_id FROM contacts WHERE tenant_id = $1 AND external_id = 'rep-1'`,
      [admin.tenantId],
    );
    expect(row.owner_id).toBe(rep.userId);
  });

  it('a job is visible to its creator and administrators of its tenant only', async () => {
    const job = await runImport(t, admin, { object: 'contacts' }, 'externalId,lastName\niso-1,Iso\n');
    const stranger = await newTenant(t);
    expect((await t.http.get(`/v1/imports/${job.id}`).set(auth(stranger))).status).toBe(404);
    expect((await t.http.get(`/v1/imports/${job.id}/errors`).set(auth(stranger))).status).toBe(404);
    expect((await t.http.post(`/v1/imports/${job.id}/cancel`).set(auth(stranger))).status).toBe(404);
    const colleague = await newUser(t, admin.tenantId, { role: 'salesRep' });
    expect((await t.http.get(`/v1/imports/${job.id}`).set(auth(colleague))).status).toBe(404);
    const other = await newUser(t, admin.tenantId, { isAdmin: true });
    expect((await t.http.get(`/v1/imports/${job.id}`).set(auth(other))).status).toBe(200);
  });

  it('a cancelled job stops at a chunk boundary; a finished job stays as it is', async () => {
    const u = await newTenant(t);
    const res = await postImport(
      t,
      u,
      { object: 'contacts' },
      `externalId,lastName\n${Array.from({ length: 300 }, (_, i) => `k-${i},K`).join('\n')}\n`,
    );
    expect(res.status).toBe(202);
    const cancel = await t.http.post(`/v1/imports/${res.body.id as string}/cancel`).set(auth(u));
    expect(cancel.status).toBe(200);
    const job = await waitForJob(t, u, res.body.id as string);
    expect(['cancelled', 'succeeded']).toContain(job.status);
    if (job.status === 'cancelled') expect(job.counts.processed).toBeLessThan(300);
    const [{ n }] = await superSql<{ n: number }>(
      t.databaseUrl,
      `SELECT count(*)::int AS n FROM contacts WHERE tenant_id = $1`,
      [u.tenantId],
    );
    expect(n).toBe(job.counts.created);
    const again = await t.http.post(`/v1/imports/${job.id}/cancel`).set(auth(u));
    expect(again.body.status).toBe(job.status);
  });

  it('GraphQL: createImport with inline data, importJob, importJobs and cancelImport', async () => {
    const u = await newTenant(t);
    const created = await gql<{ createImport: { id: string; status: string } }>(
      t,
      u.token,
      `mutation($input: CreateImportInput!) { createImport(input: $input) { id status object } }`,
      { input: { object: 'contacts', data: 'externalId,lastName\ng-1,Graph\n' } },
    );
    expect(created.errors).toBeUndefined();
    const id = created.data!.createImport.id;
    await waitForJob(t, u, id);
    const read = await gql<{
      importJob: { status: string; counts: { created: number } };
      importJobs: { data: { id: string }[] };
    }>(
      t,
      u.token,
      `query($id: ID!) { importJob(id: $id) { status counts { created } } importJobs(first: 5) { data { id } } }`,
      { id },
    );
    expect(read.data).toEqual({
      importJob: { status: 'succeeded', counts: { created: 1 } },
      importJobs: { data: [{ id }] },
    });
    const cancel = await gql<{ cancelImport: { status: string } }>(
      t,
      u.token,
      `mutation($id: ID!) { cancelImport(id: $id) { status } }`,
      { id },
    );
    expect(cancel.data?.cancelImport.status).toBe('succeeded');
    const reader = await newUser(t, u.tenantId, { role: 'readOnly' });
    const denied = await gql(
      t,
      reader.token,
      `mutation { createImport(input: {object: "contacts", data: "lastName\\nX\\n"}) { id } }`,
    );
    expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('Idempotency-Key: a retried upload returns the first job and starts no second one', async () => {
    const u = await newTenant(t);
    const body = 'externalId,lastName\nidem-1,Once\n';
    const first = await postImport(t, u, { object: 'contacts' }, body, 'text/csv', {
      'idempotency-key': 'upload-1',
    });
    expect(first.status).toBe(202);
    const replay = await postImport(t, u, { object: 'contacts' }, body, 'text/csv', {
      'idempotency-key': 'upload-1',
    });
    expect(replay.status).toBe(202);
    expect(replay.body.id).toBe(first.body.id);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    const other = await postImport(t, u, { object: 'accounts' }, 'name\nX\n', 'text/csv', {
      'idempotency-key': 'upload-1',
    });
    expect(other.status).toBe(422);
    const [{ n }] = await superSql<{ n: number }>(
      t.databaseUrl,
      `SELECT count(*)::int AS n FROM import_jobs WHERE tenant_id = $1`,
      [u.tenantId],
    );
    expect(n).toBe(1);
  });
});
