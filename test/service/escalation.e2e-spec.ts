import { EscalationService } from '../../src/modules/service/escalation/escalation.service.js';
import { auditRows } from '../audit/helpers.js';
import { createTestApp, TestApp } from '../harness/app.js';
import { newTenant, newUser, UserFixture } from '../harness/factories.js';
import { superSql } from '../harness/sql.js';
import {
  ALWAYS,
  CaseBody,
  newCalendar,
  newCase,
  newPolicy,
  newQueue,
  ok,
  plusMinutes,
  restAs,
  setClock,
} from './case-helpers.js';

interface OutboxRow {
  type: string;
  record_id: string;
  payload: Record<string, unknown>;
}

/** SLA escalation: warnings and breaches, their actions, exactly once however often the job runs. */
describe('SLA escalation', () => {
  let t: TestApp;
  let job: EscalationService;
  let admin: UserFixture;
  let agent: UserFixture;
  let backup: UserFixture;
  let queue: string;
  const t0 = '2026-03-02T10:00:00.000Z';

  beforeAll(async () => {
    t = await createTestApp();
    job = t.app.get(EscalationService);
    admin = await newTenant(t);
    agent = await newUser(t, admin.tenantId, { role: 'supportAgent' });
    backup = await newUser(t, admin.tenantId, { role: 'supportAgent' });
    queue = await newQueue(t, admin, [backup.userId], 'Escalated');
    const cal = await newCalendar(t, admin, ALWAYS);
    await newPolicy(t, admin, {
      name: 'Pending pauses',
      condition: "channel eq 'phone'",
      calendarId: cal,
      resolutionMinutes: 60,
      pauseOnPending: true,
    });
    await newPolicy(t, admin, {
      name: 'Default',
      calendarId: cal,
      firstResponseMinutes: 30,
      warnBeforeMinutes: 10,
      escalatePriorityTo: 'urgent',
      escalateQueueId: queue,
    });
  });
  afterAll(() => t.close());

  const outbox = (recordId: string) =>
    superSql<OutboxRow>(
      t.databaseUrl,
      `SELECT type, record_id, payload FROM outbox_events WHERE record_id = $1 AND type LIKE 'cases.sla%' ORDER BY seq`,
      [recordId],
    );

  it('warns once before the due time, escalates the breach exactly once, and applies the actions', async () => {
    setClock(t, t0);
    const c = await newCase(t, agent, { assigneeId: agent.userId });
    expect(c.firstResponseDueAt).toBe(plusMinutes(t0, 30));

    await job.runOnce(new Date(plusMinutes(t0, 15)));
    expect(await outbox(c.id)).toHaveLength(0);

    await job.runOnce(new Date(plusMinutes(t0, 25)));
    await job.runOnce(new Date(plusMinutes(t0, 26)));
    const warned = await outbox(c.id);
    expect(warned.map((e) => e.type)).toEqual(['cases.sla_warning']);
    expect(warned[0].payload).toMatchObject({
      caseId: c.id,
      kind: 'firstResponseWarning',
      dueAt: plusMinutes(t0, 30),
    });
    expect(ok<CaseBody>(await restAs(t, agent).get(`/v1/cases/${c.id}`)).firstResponseBreached).toBe(false);

    // Two replicas at once: one inserts the escalation, the other finds it there.
    const runs = await Promise.all([
      job.runOnce(new Date(plusMinutes(t0, 31))),
      job.runOnce(new Date(plusMinutes(t0, 31))),
    ]);
    expect(runs[0].escalations + runs[1].escalations).toBe(1);
    await job.runOnce(new Date(plusMinutes(t0, 45)));

    const events = await outbox(c.id);
    expect(events.map((e) => e.type)).toEqual(['cases.sla_warning', 'cases.sla_breached']);
    expect(events[1].payload).toMatchObject({
      kind: 'firstResponseBreached',
      actions: ['raisePriority', 'moveQueue', 'reassign'],
    });
    const escalations = await superSql<{ kind: string; due_at: Date }>(
      t.databaseUrl,
      `SELECT kind, due_at FROM case_escalations WHERE case_id = $1 ORDER BY escalated_at`,
      [c.id],
    );
    expect(escalations.map((e) => e.kind)).toEqual(['firstResponseWarning', 'firstResponseBreached']);
    const audit = await auditRows(t, { recordId: c.id, action: 'escalate' });
    expect(audit).toHaveLength(2);
    expect(audit[1]).toMatchObject({ actor_type: 'system', channel: 'system' });
    expect(audit[1].changes).toMatchObject({
      firstResponseBreached: { before: false, after: true },
      priority: { before: 'normal', after: 'urgent' },
      queueId: { before: null, after: queue },
      assigneeId: { before: agent.userId, after: backup.userId },
    });

    const after = ok<CaseBody>(await restAs(t, admin).get(`/v1/cases/${c.id}`));
    expect(after).toMatchObject({
      firstResponseBreached: true,
      priority: 'urgent',
      queueId: queue,
      assigneeId: backup.userId,
    });
    const history = ok<{ data: { reason: string }[] }>(
      await restAs(t, admin).get(`/v1/cases/${c.id}/assignments`),
    );
    expect(history.data.map((h) => h.reason)).toEqual(['manual', 'escalation']);
  });

  it('does not escalate answered, solved or paused cases', async () => {
    setClock(t, t0);
    const answered = await newCase(t, agent);
    const solved = await newCase(t, agent);
    const paused = await newCase(t, agent, { channel: 'phone' });
    const api = restAs(t, agent);
    setClock(t, plusMinutes(t0, 5));
    ok(await api.post(`/v1/cases/${answered.id}/comments`, { body: 'On it', isPublic: true }), 201);
    ok(await api.patch(`/v1/cases/${solved.id}`, { status: 'solved' }));
    ok(await api.patch(`/v1/cases/${paused.id}`, { status: 'pending' }));
    await job.runOnce(new Date(plusMinutes(t0, 24 * 60)));
    for (const id of [answered.id, solved.id, paused.id]) expect(await outbox(id)).toHaveLength(0);
    // Resumed, the paused case's resolution clock (55 minutes left) runs out and escalates.
    setClock(t, plusMinutes(t0, 24 * 60));
    ok(await api.patch(`/v1/cases/${paused.id}`, { status: 'open' }));
    await job.runOnce(new Date(plusMinutes(t0, 24 * 60 + 56)));
    expect((await outbox(paused.id)).map((e) => [e.type, e.payload.kind])).toEqual([
      ['cases.sla_breached', 'resolutionBreached'],
    ]);
    expect(ok<CaseBody>(await api.get(`/v1/cases/${paused.id}`)).resolutionBreached).toBe(true);
  });

  it('keeps tenants apart', async () => {
    const other = await newTenant(t);
    setClock(t, t0);
    const theirs = await newCase(t, other);
    expect(theirs.firstResponseDueAt).toBeNull();
    await job.runOnce(new Date(plusMinutes(t0, 10_000)));
    expect(await outbox(theirs.id)).toHaveLength(0);
  });
});

describe('the service jobs on pg-boss', () => {
  it('schedules escalation every minute and auto-close hourly when jobs are enabled', async () => {
    const t = await createTestApp({ JOBS_ENABLED: 'true' });
    try {
      const rows = await superSql<{ name: string; cron: string }>(
        t.databaseUrl,
        `SELECT name, cron FROM pgboss.schedule WHERE name LIKE 'service.%' ORDER BY name`,
      );
      expect(rows).toEqual(
        expect.arrayContaining([
          { name: 'service.case-auto-close', cron: '7 * * * *' },
          { name: 'service.sla-escalation', cron: '* * * * *' },
        ]),
      );
    } finally {
      await t.close();
    }
  });
});
