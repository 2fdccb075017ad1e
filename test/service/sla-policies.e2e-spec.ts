import { RequestContext } from '../../src/platform/context/request-context.js';
import { newId } from '../../src/platform/database/ids.js';
import { TenantDb } from '../../src/platform/database/tenant-db.js';
import { allPermissions } from '../../src/platform/security/permissions.js';
import { ALWAYS_OPEN } from '../../src/modules/service/sla/business-time.js';
import { SlaService } from '../../src/modules/service/sla/sla.service.js';
import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, newUser, UserFixture } from '../harness/factories.js';
import { superSql } from '../harness/sql.js';
import { gqlAs, NO_SUCH_ID, ok, Rest, restAs } from '../sales/helpers.js';

interface Calendar {
  id: string;
  name: string;
  timeZone: string;
  weeklyHours: Record<string, { start: string; end: string }[]>;
  holidays: string[];
  isDefault: boolean;
  version: number;
}
interface Policy {
  id: string;
  name: string;
  position: number;
  condition: unknown;
  calendarId: string | null;
  firstResponseMinutes: number | null;
  resolutionMinutes: number | null;
  pauseOnPending: boolean;
  pauseOnHold: boolean;
  active: boolean;
  version: number;
}

const OFFICE = {
  name: 'Berlin office',
  timeZone: 'Europe/Berlin',
  weeklyHours: {
    mon: [{ start: '09:00', end: '17:00' }],
    tue: [{ start: '09:00', end: '17:00' }],
    wed: [{ start: '09:00', end: '17:00' }],
    thu: [{ start: '09:00', end: '17:00' }],
    fri: [{ start: '09:00', end: '17:00' }],
  },
  holidays: ['2026-12-25', '2026-12-24'],
};

/**
 * Business calendars and SLA policies over REST and GraphQL: CRUD, validation, ordering, the
 * single default calendar, tenant isolation, permissions, and SlaService.matchPolicy against cases.
 */
describe('business calendars and SLA policies', () => {
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
  afterEach(async () => {
    for (const p of ok<{ data: Policy[] }>(await api.get('/v1/sla-policies')).data)
      await api.del(`/v1/sla-policies/${p.id}`).expect(204);
  });
  afterAll(() => t.close());

  const calendar = async (body: Record<string, unknown> = {}) =>
    ok<Calendar>(await api.post('/v1/business-calendars', { ...OFFICE, ...body }), 201);
  const policy = async (body: Record<string, unknown>) =>
    ok<Policy>(await api.post('/v1/sla-policies', { resolutionMinutes: 480, ...body }), 201);
  const order = async () => ok<{ data: Policy[] }>(await api.get('/v1/sla-policies')).data.map((p) => p.name);

  describe('business calendars', () => {
    it('creates, reads, updates and deletes a calendar over REST', async () => {
      const res = await api.post('/v1/business-calendars', OFFICE);
      expect(res.status).toBe(201);
      const created = res.body as Calendar;
      expect(res.headers.location).toBe(`/v1/business-calendars/${created.id}`);
      expect(created).toMatchObject({
        name: 'Berlin office',
        timeZone: 'Europe/Berlin',
        holidays: ['2026-12-24', '2026-12-25'],
        isDefault: false,
        version: 1,
      });
      expect(created.weeklyHours).toEqual({ ...OFFICE.weeklyHours, sat: [], sun: [] });

      const got = await api.get(`/v1/business-calendars/${created.id}`);
      expect(got.status).toBe(200);
      expect(got.headers.etag).toBe('"1"');

      // weeklyHours is replaced as a whole, not merged by day
      const updated = ok<Calendar>(
        await api.patch(`/v1/business-calendars/${created.id}`, {
          weeklyHours: { sat: [{ start: '10:00', end: '14:00' }] },
          holidays: null,
        }),
      );
      expect(updated.weeklyHours).toEqual({
        mon: [],
        tue: [],
        wed: [],
        thu: [],
        fri: [],
        sat: [{ start: '10:00', end: '14:00' }],
        sun: [],
      });
      expect(updated).toMatchObject({ holidays: [], version: 2, timeZone: 'Europe/Berlin' });

      await api.del(`/v1/business-calendars/${created.id}`).expect(204);
      await api.get(`/v1/business-calendars/${created.id}`).expect(404);
      ok(await api.post(`/v1/business-calendars/${created.id}/restore`));
    });

    it.each([
      [{ timeZone: 'Mars/Olympus' }, 'timeZone'],
      [{ weeklyHours: { mon: [{ start: '9am', end: '17:00' }] } }, 'weeklyHours.mon[0].start'],
      [{ weeklyHours: { mon: [{ start: '09:00', end: '24:30' }] } }, 'weeklyHours.mon[0].end'],
      [
        { weeklyHours: { mon: [{ start: '22:00', end: '06:00' }], tue: [{ start: '05:00', end: '09:00' }] } },
        'weeklyHours.tue[0]',
      ],
      [{ holidays: ['2026-02-30'] }, 'holidays[0]'],
    ])('refuses an invalid calendar %j with a 400 naming %s', async (body, field) => {
      const res = await api.post('/v1/business-calendars', { ...OFFICE, ...body });
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect((res.body as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain(field);
    });

    it('checks the patched calendar as a whole', async () => {
      const cal = await calendar({ weeklyHours: { mon: [{ start: '22:00', end: '06:00' }] } });
      const res = await api.patch(`/v1/business-calendars/${cal.id}`, { timeZone: 'Nowhere/Else' });
      expect(res.status).toBe(400);
      expect(res.body.errors[0].field).toBe('timeZone');
      const overlap = await api.patch(`/v1/business-calendars/${cal.id}`, {
        weeklyHours: { mon: [{ start: '22:00', end: '06:00' }], tue: [{ start: '05:00', end: '07:00' }] },
      });
      expect(overlap.status).toBe(400);
      expect(ok<Calendar>(await api.get(`/v1/business-calendars/${cal.id}`)).version).toBe(1);
    });

    it('keeps at most one default calendar per tenant', async () => {
      const a = await calendar({ name: 'A', isDefault: true });
      const b = await calendar({ name: 'B', isDefault: true });
      expect(ok<Calendar>(await api.get(`/v1/business-calendars/${a.id}`))).toMatchObject({
        isDefault: false,
        version: 2,
      });
      expect(b.isDefault).toBe(true);
      const c = await calendar({ name: 'C' });
      ok(await api.patch(`/v1/business-calendars/${c.id}`, { isDefault: true }));
      const defaults = await superSql<{ id: string }>(
        t.databaseUrl,
        `SELECT id FROM business_calendars WHERE tenant_id = $1 AND is_default AND deleted_at IS NULL`,
        [admin.tenantId],
      );
      expect(defaults.map((d) => d.id)).toEqual([c.id]);
      // a deleted default restored after another took over comes back as an ordinary calendar
      await api.del(`/v1/business-calendars/${c.id}`).expect(204);
      ok(await api.patch(`/v1/business-calendars/${a.id}`, { isDefault: true }));
      const restored = ok<Calendar>(await api.post(`/v1/business-calendars/${c.id}/restore`));
      expect(restored.isDefault).toBe(false);
      // the filter language works on calendars
      const listed = ok<{ data: Calendar[] }>(
        await api.get('/v1/business-calendars', { filter: 'isDefault eq true' }),
      );
      expect(listed.data.map((x) => x.id)).toEqual([a.id]);
      for (const x of [a, b, c]) ok(await api.patch(`/v1/business-calendars/${x.id}`, { isDefault: false }));
    });

    it('refuses to delete a calendar a live policy uses (409)', async () => {
      const cal = await calendar({ name: 'Used' });
      const p = await policy({ name: 'Uses it', calendarId: cal.id });
      const res = await api.del(`/v1/business-calendars/${cal.id}`);
      expect(res.status).toBe(409);
      expect(res.body.errors[0].code).toBe('calendar_in_use');
      await api.del(`/v1/sla-policies/${p.id}`).expect(204);
      await api.del(`/v1/business-calendars/${cal.id}`).expect(204);
    });

    it('works over GraphQL', async () => {
      const created = await q<{ createBusinessCalendar: Calendar }>(
        `mutation($input: CreateBusinessCalendarInput!) { createBusinessCalendar(input: $input) {
           id name timeZone isDefault holidays weeklyHours { mon { start end } sat { start end } } } }`,
        { input: { ...OFFICE, name: 'GraphQL office' } },
      );
      expect(created.errors).toBeUndefined();
      const cal = created.data!.createBusinessCalendar;
      expect(cal).toMatchObject({
        name: 'GraphQL office',
        holidays: ['2026-12-24', '2026-12-25'],
        weeklyHours: { mon: [{ start: '09:00', end: '17:00' }], sat: [] },
      });
      const bad = await q(
        `mutation($id: ID!) { updateBusinessCalendar(id: $id, input: { timeZone: "Atlantis/Capital" }) { id } }`,
        { id: cal.id },
      );
      expect(bad.errors?.[0].extensions?.code).toBe('VALIDATION_FAILED');
      const read = await q<{
        businessCalendar: { name: string };
        businessCalendars: { nodes: { id: string }[] };
      }>(
        `query($id: ID!) { businessCalendar(id: $id) { name } businessCalendars(filter: "name eq 'GraphQL office'") { nodes { id } } }`,
        { id: cal.id },
      );
      expect(read.data).toEqual({
        businessCalendar: { name: 'GraphQL office' },
        businessCalendars: { nodes: [{ id: cal.id }] },
      });
      const del = await q<{ deleteBusinessCalendar: boolean }>(
        `mutation($id: ID!) { deleteBusinessCalendar(id: $id) }`,
        { id: cal.id },
      );
      expect(del.data?.deleteBusinessCalendar).toBe(true);
    });
  });

  describe('SLA policies', () => {
    it('creates, reads, updates and deletes a policy over REST', async () => {
      const cal = await calendar({ name: 'For policies' });
      const res = await api.post('/v1/sla-policies', {
        name: 'Urgent',
        condition: "priority eq 'urgent'",
        calendarId: cal.id,
        firstResponseMinutes: 30,
        resolutionMinutes: 240,
        warnBeforeMinutes: 15,
        escalatePriorityTo: 'urgent',
        escalateAssigneeId: admin.userId,
      });
      expect(res.status).toBe(201);
      const p = res.body as Policy;
      expect(p).toMatchObject({
        name: 'Urgent',
        position: 1,
        condition: "priority eq 'urgent'",
        calendarId: cal.id,
        pauseOnPending: true,
        pauseOnHold: true,
        active: true,
        version: 1,
      });
      // a condition is replaced as a whole (never merged into the previous AST)
      const ast = ok<Policy>(
        await api.patch(`/v1/sla-policies/${p.id}`, { condition: { priority: { in: ['high', 'urgent'] } } }),
      );
      expect(ast).toMatchObject({ condition: { priority: { in: ['high', 'urgent'] } }, version: 2 });
      const again = ok<Policy>(
        await api.patch(`/v1/sla-policies/${p.id}`, {
          condition: { channel: { eq: null } },
          pauseOnHold: false,
        }),
      );
      expect(again).toMatchObject({ condition: { channel: { eq: null } }, pauseOnHold: false, version: 3 });
      const stale = await api.patch(`/v1/sla-policies/${p.id}`, { name: 'x' }).set('if-match', '"1"');
      expect(stale.status).toBe(412);
      const audit = await superSql<{ action: string; changes: Record<string, unknown> }>(
        t.databaseUrl,
        `SELECT action, changes FROM audit_events WHERE tenant_id = $1 AND record_id = $2 ORDER BY occurred_at, id`,
        [admin.tenantId, p.id],
      );
      expect(audit.map((a) => a.action)).toEqual(['create', 'update', 'update', 'update']);
      await api.del(`/v1/sla-policies/${p.id}`).expect(204);
      await api.get(`/v1/sla-policies/${p.id}`).expect(404);
      await api.del(`/v1/business-calendars/${cal.id}`).expect(204);
    });

    it.each([
      [{ condition: "severity eq 'high'" }, 'condition'],
      [{ condition: 'priority eq' }, 'condition'],
      [{ resolutionMinutes: null }, 'resolutionMinutes'],
      [{ resolutionMinutes: 0 }, 'resolutionMinutes'],
      [{ calendarId: NO_SUCH_ID }, 'calendarId'],
      [{ escalateAssigneeId: NO_SUCH_ID }, 'escalateAssigneeId'],
      [{ escalateQueueId: NO_SUCH_ID }, 'escalateQueueId'],
      [{ escalatePriorityTo: 'critical' }, 'escalatePriorityTo'],
      [{ position: 5 }, 'position'],
    ])('refuses %j with a 400 naming %s', async (body, field) => {
      const res = await api.post('/v1/sla-policies', { name: 'Bad', resolutionMinutes: 480, ...body });
      expect(res.status).toBe(400);
      const fields = (res.body as { errors: { field: string }[] }).errors.map((e) => e.field);
      expect(fields).toContain(field);
      if (field === 'condition')
        expect(JSON.stringify(res.body)).toMatch(
          (body as { condition?: string }).condition === 'priority eq' ? /condition/ : /severity/,
        );
    });

    it('keeps positions dense: insert at a position, delete, restore, reorder', async () => {
      const a = await policy({ name: 'A' });
      const b = await policy({ name: 'B' });
      const c = await policy({ name: 'C', position: 1 });
      expect(await order()).toEqual(['C', 'A', 'B']);
      await api.del(`/v1/sla-policies/${a.id}`).expect(204);
      expect(
        ok<{ data: Policy[] }>(await api.get('/v1/sla-policies')).data.map((p) => [p.name, p.position]),
      ).toEqual([
        ['C', 1],
        ['B', 2],
      ]);
      const restored = ok<Policy>(await api.post(`/v1/sla-policies/${a.id}/restore`));
      expect(restored.position).toBe(3);
      const put = await api.put('/v1/sla-policies/order', { policyIds: [b.id, a.id, c.id] });
      expect(put.status).toBe(200);
      expect((put.body as { data: Policy[] }).data.map((p) => [p.name, p.position])).toEqual([
        ['B', 1],
        ['A', 2],
        ['C', 3],
      ]);
      const bad = await api.put('/v1/sla-policies/order', { policyIds: [b.id, a.id] });
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].field).toBe('policyIds');
      const gqlOrder = await q<{ reorderSlaPolicies: { name: string; position: number }[] }>(
        `mutation($ids: [String!]!) { reorderSlaPolicies(input: { policyIds: $ids }) { name position } }`,
        { ids: [c.id, b.id, a.id] },
      );
      expect(gqlOrder.data?.reorderSlaPolicies).toEqual([
        { name: 'C', position: 1 },
        { name: 'B', position: 2 },
        { name: 'A', position: 3 },
      ]);
      // position is set only by the order operations
      const move = await api.patch(`/v1/sla-policies/${a.id}`, { position: 1 });
      expect(move.status).toBe(400);
    });

    it('works over GraphQL, with the calendar as a nested field', async () => {
      const cal = await calendar({ name: 'Nested' });
      const created = await q<{ createSlaPolicy: Policy & { calendar: { name: string } } }>(
        `mutation($input: CreateSlaPolicyInput!) { createSlaPolicy(input: $input) {
           id name position condition firstResponseMinutes calendar { name } } }`,
        {
          input: {
            name: 'VIP',
            condition: { priority: { eq: 'high' } },
            calendarId: cal.id,
            firstResponseMinutes: 60,
          },
        },
      );
      expect(created.errors).toBeUndefined();
      expect(created.data?.createSlaPolicy).toMatchObject({
        name: 'VIP',
        position: 1,
        condition: { priority: { eq: 'high' } },
        firstResponseMinutes: 60,
        calendar: { name: 'Nested' },
      });
      const id = created.data!.createSlaPolicy.id;
      const bad = await q(
        `mutation($id: ID!) { updateSlaPolicy(id: $id, input: { condition: "nope eq 1" }) { id } }`,
        { id },
      );
      expect(bad.errors?.[0].extensions?.code).toBe('VALIDATION_FAILED');
      const list = await q<{ slaPolicies: { nodes: { name: string }[]; totalCount: number } }>(
        `{ slaPolicies(sort: "position") { nodes { name } totalCount } }`,
      );
      expect(list.data?.slaPolicies).toEqual({ nodes: [{ name: 'VIP' }], totalCount: 1 });
      const upd = await q<{ updateSlaPolicy: { active: boolean; version: number } }>(
        `mutation($id: ID!) { updateSlaPolicy(id: $id, input: { active: false }, expectedVersion: 1) { active version } }`,
        { id },
      );
      expect(upd.data?.updateSlaPolicy).toEqual({ active: false, version: 2 });
      const del = await q(`mutation($id: ID!) { deleteSlaPolicy(id: $id) }`, { id });
      expect(del.errors).toBeUndefined();
      await api.del(`/v1/business-calendars/${cal.id}`).expect(204);
    });
  });

  describe('tenant isolation and permissions', () => {
    it('answers 404 for another tenant’s calendars and policies, and refuses to link them', async () => {
      const cal = await calendar({ name: 'Mine' });
      const p = await policy({ name: 'Mine', calendarId: cal.id });
      const other = await newTenant(t);
      const them = restAs(t, other);
      await them.get(`/v1/business-calendars/${cal.id}`).expect(404);
      await them.get(`/v1/sla-policies/${p.id}`).expect(404);
      await them.patch(`/v1/sla-policies/${p.id}`, { name: 'Theirs' }).expect(404);
      await them.del(`/v1/business-calendars/${cal.id}`).expect(404);
      expect(ok<{ data: unknown[] }>(await them.get('/v1/sla-policies')).data).toEqual([]);
      const link = await them.post('/v1/sla-policies', {
        name: 'X',
        resolutionMinutes: 60,
        calendarId: cal.id,
      });
      expect(link.status).toBe(400);
      expect(link.body.errors[0].field).toBe('calendarId');
      const g = await gqlAs(t, other)(`query($id: ID!) { slaPolicy(id: $id) { id } }`, { id: p.id });
      expect(g.errors?.[0].extensions?.code).toBe('NOT_FOUND');
      expect(ok<Policy>(await api.get(`/v1/sla-policies/${p.id}`)).name).toBe('Mine');
      await api.del(`/v1/sla-policies/${p.id}`).expect(204);
      await api.del(`/v1/business-calendars/${cal.id}`).expect(204);
    });

    it('lets a support agent read but not change the setup', async () => {
      const cal = await calendar({ name: 'Agent view' });
      const p = await policy({ name: 'Agent view' });
      const agent = restAs(t, await newUser(t, admin.tenantId, { role: 'supportAgent' }));
      ok(await agent.get(`/v1/business-calendars/${cal.id}`));
      ok(await agent.get(`/v1/sla-policies/${p.id}`));
      await agent.patch(`/v1/sla-policies/${p.id}`, { name: 'Mine now' }).expect(403);
      await agent.post('/v1/business-calendars', OFFICE).expect(403);
      await agent.put('/v1/sla-policies/order', { policyIds: [p.id] }).expect(403);
      const sales = restAs(t, await newUser(t, admin.tenantId, { role: 'salesRep' }));
      await sales.get('/v1/sla-policies').expect(403);
      await api.del(`/v1/business-calendars/${cal.id}`).expect(204);
    });

    it('refuses a role without sla-policies:update over REST and GraphQL (403)', async () => {
      const p = await policy({ name: 'Guarded' });
      const role = ok<{ id: string }>(
        await api.post('/v1/roles', {
          name: 'all but sla-policies:update',
          permissions: allPermissions().filter((x) => x !== 'sla-policies:update'),
        }),
        201,
      );
      const user = await newUser(t, admin.tenantId, { role: role.id });
      const rest = restAs(t, user);
      ok(await rest.get(`/v1/sla-policies/${p.id}`));
      await rest.patch(`/v1/sla-policies/${p.id}`, { name: 'Changed' }).expect(403);
      await rest.put('/v1/sla-policies/order', { policyIds: [p.id] }).expect(403);
      const g = await gqlAs(t, user)(
        `mutation($id: ID!) { updateSlaPolicy(id: $id, input: { name: "Changed" }) { id } }`,
        {
          id: p.id,
        },
      );
      expect(g.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect(ok<Policy>(await api.get(`/v1/sla-policies/${p.id}`))).toMatchObject({
        name: 'Guarded',
        version: 1,
      });
    });
  });

  describe('SlaService.matchPolicy', () => {
    const insertCase = async (priority: string, channel: string | null = null) => {
      const id = newId();
      // straight into the table (as the tenant): the case API applies the SLA itself
      await t.app
        .get(TenantDb)
        .runAsTenant(admin.tenantId, (em) =>
          em.query(
            `INSERT INTO cases (tenant_id, id, subject, priority, channel) VALUES (app_tenant_id(), $1, 'Help', $2, $3)`,
            [id, priority, channel],
          ),
        );
      return id;
    };
    const match = (caseId: string) =>
      t.app
        .get(TenantDb)
        .runAsTenant(admin.tenantId, (em) =>
          t.app.get(SlaService).matchPolicy(em, RequestContext.system(admin.tenantId), caseId),
        );

    it('returns the first active policy whose condition matches, with its calendar', async () => {
      const cal = await calendar({ name: 'Match calendar' });
      expect(await match(await insertCase('urgent'))).toBeNull();
      const urgent = await policy({
        name: 'Urgent',
        condition: "priority eq 'urgent'",
        calendarId: cal.id,
        firstResponseMinutes: 30,
        resolutionMinutes: 240,
        warnBeforeMinutes: 10,
        escalatePriorityTo: 'urgent',
      });
      const inactive = await policy({
        name: 'Inactive phone',
        condition: { channel: { eq: 'phone' } },
        active: false,
      });
      const rest = await policy({ name: 'Everything else', resolutionMinutes: 2400, pauseOnPending: false });

      const m = await match(await insertCase('urgent', 'phone'));
      expect(m).toMatchObject({
        policyId: urgent.id,
        policyName: 'Urgent',
        calendarId: cal.id,
        firstResponseMinutes: 30,
        resolutionMinutes: 240,
        warnBeforeMinutes: 10,
        escalatePriorityTo: 'urgent',
        escalateQueueId: null,
        pauseOnPending: true,
      });
      expect(m!.calendar.timeZone).toBe('Europe/Berlin');
      expect(m!.calendar.holidays).toEqual(['2026-12-24', '2026-12-25']);

      // no condition matches every case; without a policy calendar and no default: 24/7 UTC
      const low = await match(await insertCase('low', 'phone'));
      expect(low).toMatchObject({
        policyId: rest.id,
        pauseOnPending: false,
        calendarId: null,
        firstResponseMinutes: null,
      });
      expect(low!.calendar).toEqual(ALWAYS_OPEN);

      // the tenant default calendar serves policies without their own
      const def = await calendar({ name: 'Default', timeZone: 'America/New_York', isDefault: true });
      expect((await match(await insertCase('low')))!.calendar.timeZone).toBe('America/New_York');
      ok(await api.patch(`/v1/business-calendars/${def.id}`, { isDefault: false }));

      // order decides
      ok(await api.put('/v1/sla-policies/order', { policyIds: [rest.id, urgent.id, inactive.id] }));
      expect((await match(await insertCase('urgent')))!.policyId).toBe(rest.id);
    });

    it('computes due times in the policy’s business time', async () => {
      const cal = await calendar({ name: 'Due calendar' });
      await policy({
        name: 'Due',
        calendarId: cal.id,
        firstResponseMinutes: 60,
        resolutionMinutes: 480,
        warnBeforeMinutes: 30,
      });
      const m = (await match(await insertCase('normal')))!;
      const sla = t.app.get(SlaService);
      // Fri 2026-03-27 16:30 CET (15:30Z): 30 minutes on Friday, then Monday 09:00 CEST (07:00Z)
      const created = new Date('2026-03-27T15:30:00Z');
      expect(sla.firstResponseDue(m, created)).toEqual({
        dueAt: new Date('2026-03-30T07:30:00Z'),
        warnAt: new Date('2026-03-27T16:00:00Z'),
      });
      // 480 with 400 banked: 80 left from Mon 09:00 CEST → 10:20 CEST; warn 30 earlier
      expect(sla.resolutionDue(m, new Date('2026-03-28T10:00:00Z'), 400)).toEqual({
        dueAt: new Date('2026-03-30T08:20:00Z'),
        warnAt: new Date('2026-03-30T07:50:00Z'),
      });
      expect(sla.elapsed(m, created, new Date('2026-03-30T08:00:00Z'))).toBe(90);
    });
  });
});
