import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, newUser, UserFixture } from '../harness/factories.js';
import {
  ALWAYS,
  BERLIN_OFFICE,
  CaseBody,
  gqlAs,
  newCalendar,
  newCase,
  newPolicy,
  ok,
  plusMinutes,
  restAs,
  setClock,
} from './case-helpers.js';

/**
 * SLA due dates on cases against hand-computed values. The service clock is set for each step
 * (every case timestamp and clock computation reads it), so times are exact.
 */
describe('SLA on cases: due dates in business time, pause and resume, recomputation', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  /** A tenant (admin) with an agent. */
  async function tenant(): Promise<{ admin: UserFixture; agent: UserFixture }> {
    const admin = await newTenant(t);
    return { admin, agent: await newUser(t, admin.tenantId, { role: 'supportAgent' }) };
  }

  it('sets due dates from creation in a 24/7 calendar', async () => {
    const { admin, agent } = await tenant();
    const cal = await newCalendar(t, admin, ALWAYS);
    const policy = await newPolicy(t, admin, {
      calendarId: cal,
      firstResponseMinutes: 60,
      resolutionMinutes: 240,
    });
    const t0 = '2026-03-02T10:00:00.000Z';
    setClock(t, t0);
    const c = await newCase(t, agent);
    expect(c).toMatchObject({
      createdAt: t0,
      slaPolicyId: policy,
      firstResponseDueAt: '2026-03-02T11:00:00.000Z',
      resolutionDueAt: '2026-03-02T14:00:00.000Z',
      slaPausedAt: null,
    });
  });

  it('counts only business hours: Friday afternoon in Berlin, and across the DST change', async () => {
    const { admin, agent } = await tenant();
    const cal = await newCalendar(t, admin, BERLIN_OFFICE, 'Berlin office');
    await newPolicy(t, admin, { calendarId: cal, firstResponseMinutes: 120, resolutionMinutes: 480 });
    // Fri 2026-11-20 16:00 CET: one business hour left that day, then Monday from 09:00.
    setClock(t, '2026-11-20T15:00:00.000Z');
    const friday = await newCase(t, agent);
    expect(friday.firstResponseDueAt).toBe('2026-11-23T09:00:00.000Z'); // Mon 10:00 CET
    expect(friday.resolutionDueAt).toBe('2026-11-23T15:00:00.000Z'); // Mon 16:00 CET
    // Fri 2026-03-27 16:00 CET; clocks go forward on Sunday 29 March: Monday 10:00 is CEST (UTC+2).
    setClock(t, '2026-03-27T15:00:00.000Z');
    const dst = await newCase(t, agent);
    expect(dst.firstResponseDueAt).toBe('2026-03-30T08:00:00.000Z');
    // Created at night: the clock starts at the next opening (Tue 09:00 CET = 08:00Z).
    setClock(t, '2026-11-23T22:30:00.000Z');
    const night = await newCase(t, agent);
    expect(night.firstResponseDueAt).toBe('2026-11-24T10:00:00.000Z');
  });

  it('pauses the resolution clock while pending and resumes it with the time left', async () => {
    const { admin, agent } = await tenant();
    const cal = await newCalendar(t, admin, ALWAYS);
    await newPolicy(t, admin, {
      calendarId: cal,
      resolutionMinutes: 240,
      pauseOnPending: true,
      pauseOnHold: false,
    });
    const api = restAs(t, agent);
    const t0 = '2026-03-02T10:00:00.000Z';
    setClock(t, t0);
    const c = await newCase(t, agent, { status: 'open' });
    expect(c.resolutionDueAt).toBe(plusMinutes(t0, 240));
    setClock(t, plusMinutes(t0, 60));
    const paused = ok<CaseBody>(await api.patch(`/v1/cases/${c.id}`, { status: 'pending' }));
    expect(paused).toMatchObject({
      resolutionDueAt: null,
      slaPausedAt: plusMinutes(t0, 60),
      resolutionElapsedMinutes: '60.000',
    });
    setClock(t, plusMinutes(t0, 180));
    const resumed = ok<CaseBody>(await api.patch(`/v1/cases/${c.id}`, { status: 'open' }));
    // 180 minutes were left when it paused: due 180 minutes after resuming.
    expect(resumed).toMatchObject({ resolutionDueAt: plusMinutes(t0, 360), slaPausedAt: null });
    // onHold does not pause under this policy.
    setClock(t, plusMinutes(t0, 200));
    const held = ok<CaseBody>(await api.patch(`/v1/cases/${c.id}`, { status: 'onHold' }));
    expect(held).toMatchObject({ resolutionDueAt: plusMinutes(t0, 360), slaPausedAt: null });
    setClock(t, plusMinutes(t0, 400));
    const solved = ok<CaseBody>(await api.patch(`/v1/cases/${c.id}`, { status: 'solved' }));
    // 60 before the pause + 220 since the resume = 280 business minutes > 240: breached.
    expect(solved).toMatchObject({
      resolvedAt: plusMinutes(t0, 400),
      businessResolutionMinutes: '280.000',
      resolutionBreached: true,
    });
    // Reopened: the clock resumes from what it had used (280 > 240: due at once).
    setClock(t, plusMinutes(t0, 500));
    const reopened = ok<CaseBody>(await api.patch(`/v1/cases/${c.id}`, { status: 'open' }));
    expect(reopened).toMatchObject({
      resolvedAt: null,
      resolutionDueAt: plusMinutes(t0, 500),
      resolutionBreached: true,
    });
  });

  it('a case solved while its clock is paused keeps the due time it had when the clock stopped', async () => {
    const { admin, agent } = await tenant();
    const cal = await newCalendar(t, admin, ALWAYS);
    await newPolicy(t, admin, { calendarId: cal, resolutionMinutes: 240, pauseOnPending: true });
    const api = restAs(t, agent);
    const t0 = '2026-03-03T10:00:00.000Z';
    setClock(t, t0);
    const c = await newCase(t, agent, { status: 'open' });
    setClock(t, plusMinutes(t0, 100));
    ok<CaseBody>(await api.patch(`/v1/cases/${c.id}`, { status: 'pending' }));
    setClock(t, plusMinutes(t0, 1000));
    const solved = ok<CaseBody>(await api.patch(`/v1/cases/${c.id}`, { status: 'solved' }));
    // 100 minutes used, 140 left when it paused at t0+100: due t0+240; met (the pause does not count).
    expect(solved).toMatchObject({
      resolvedAt: plusMinutes(t0, 1000),
      businessResolutionMinutes: '100.000',
      resolutionDueAt: plusMinutes(t0, 240),
      resolutionBreached: false,
    });
  });

  it('recomputes due dates when the priority changes the matching policy', async () => {
    const { admin, agent } = await tenant();
    const cal = await newCalendar(t, admin, ALWAYS);
    const urgent = await newPolicy(t, admin, {
      name: 'Urgent',
      condition: "priority eq 'urgent'",
      calendarId: cal,
      firstResponseMinutes: 30,
      resolutionMinutes: 120,
    });
    const standard = await newPolicy(t, admin, {
      name: 'Standard',
      calendarId: cal,
      firstResponseMinutes: 240,
    });
    const t0 = '2026-03-02T10:00:00.000Z';
    setClock(t, t0);
    const c = await newCase(t, agent);
    expect(c).toMatchObject({
      slaPolicyId: standard,
      firstResponseDueAt: plusMinutes(t0, 240),
      resolutionDueAt: null,
    });
    setClock(t, plusMinutes(t0, 10));
    const raised = ok<CaseBody>(await restAs(t, agent).patch(`/v1/cases/${c.id}`, { priority: 'urgent' }));
    expect(raised).toMatchObject({
      slaPolicyId: urgent,
      firstResponseDueAt: plusMinutes(t0, 30),
      resolutionDueAt: plusMinutes(t0, 120),
    });
    const lowered = ok<CaseBody>(await restAs(t, agent).patch(`/v1/cases/${c.id}`, { priority: 'low' }));
    expect(lowered).toMatchObject({ slaPolicyId: standard, firstResponseDueAt: plusMinutes(t0, 240) });
    const read = await gqlAs(t, agent)<{ case: { firstResponseDueAt: string; slaPolicyId: string } }>(
      `query($id: ID!) { case(id: $id) { firstResponseDueAt slaPolicyId } }`,
      { id: c.id },
    );
    expect(read.data!.case).toEqual({ firstResponseDueAt: plusMinutes(t0, 240), slaPolicyId: standard });
  });

  it('records a late first response as breached, with its business minutes', async () => {
    const { admin, agent } = await tenant();
    const cal = await newCalendar(t, admin, ALWAYS);
    await newPolicy(t, admin, { calendarId: cal, firstResponseMinutes: 240 });
    const t0 = '2026-03-02T10:00:00.000Z';
    setClock(t, t0);
    const onTime = await newCase(t, agent);
    const late = await newCase(t, agent);
    const api = restAs(t, agent);
    setClock(t, plusMinutes(t0, 90));
    ok(await api.post(`/v1/cases/${onTime.id}/comments`, { body: 'Hi', isPublic: true }), 201);
    setClock(t, plusMinutes(t0, 300));
    ok(await api.post(`/v1/cases/${late.id}/comments`, { body: 'Sorry', isPublic: true }), 201);
    expect(ok<CaseBody>(await api.get(`/v1/cases/${onTime.id}`))).toMatchObject({
      firstRespondedAt: plusMinutes(t0, 90),
      businessFirstResponseMinutes: '90.000',
      firstResponseBreached: false,
    });
    expect(ok<CaseBody>(await api.get(`/v1/cases/${late.id}`))).toMatchObject({
      firstRespondedAt: plusMinutes(t0, 300),
      businessFirstResponseMinutes: '300.000',
      firstResponseBreached: true,
    });
  });

  it('keeps the clocks without a policy (24/7 unless the tenant has a default calendar)', async () => {
    const { agent } = await tenant();
    const t0 = '2026-03-02T10:00:00.000Z';
    setClock(t, t0);
    const c = await newCase(t, agent);
    expect(c).toMatchObject({ slaPolicyId: null, firstResponseDueAt: null, resolutionDueAt: null });
    setClock(t, plusMinutes(t0, 45));
    const solved = ok<CaseBody>(await restAs(t, agent).patch(`/v1/cases/${c.id}`, { status: 'solved' }));
    expect(solved).toMatchObject({ businessResolutionMinutes: '45.000', resolutionBreached: false });
  });
});
